"""The business profile of the key's own tenant: `GET|PATCH /tenant`. Writes go through
`rendez.tenants.profile`, the writer the panel's Settings → Business profile uses, so both refuse the same
values in the same words (422 with the fields at fault; nothing is saved)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Schema
from pydantic import ConfigDict, Field, StrictBool

from rendez.api.auth import tenant_of
from rendez.api.errors import error_responses, refuse_nulls
from rendez.api.schemas import Input, patch_schema
from rendez.tenants import profile
from rendez.tenants.models import POLICY_MAX, WELCOME_MAX, Tenant
from rendez.web import brand

router = Router()
ERRORS = error_responses(401, 422)
BODY_ERRORS = error_responses(400, 401, 413, 422)


class PlanOut(Schema):
    slug: str
    name: str
    capabilities: list[str] = Field(description="What the plan includes, e.g. `zoom`")


class TenantOut(Schema):
    """What the business says about itself. `slug`, `plan`, `booking_page_url` and `logo_url` are read-only
    (the logo is uploaded in the panel)."""

    slug: str = Field(description="The booking page's address; fixed, links already shared name it")
    name: str
    timezone: str = Field(description="The booking page's and panel's default zone (IANA)")
    address: str = Field(description="Where in-person appointments take place; `{tenant_address}`")
    sender_name: str = Field(description="The name emails come from; the business name when empty")
    reply_to_email: str = Field(description="Where customers' replies go; empty: the platform's address")
    welcome_text: str = Field(description="Shown above the services on the booking page")
    cancellation_policy: str = Field(description="Shown before booking and when managing a booking")
    brand_colour: str = Field(description="#rrggbb for links and buttons of the booking and customer pages")
    offer_staff_without_zoom: bool = Field(
        description=(
            "For video services, also offer staff who cannot host a Zoom meeting yet; their customers get "
            "the link once they connect"
        )
    )
    plan: PlanOut | None
    booking_page_url: str
    logo_url: str | None = Field(description="The logo's address, or null without one")

    @staticmethod
    def resolve_booking_page_url(tenant: Tenant) -> str:
        return f"{settings.BASE_URL}{reverse('booking:services', args=[tenant.slug])}"

    @staticmethod
    def resolve_logo_url(tenant: Tenant) -> str | None:
        path = brand.logo_url(tenant)
        return f"{settings.BASE_URL}{path}" if path else None


class TenantPatch(Input):
    """Only the fields sent change; the rules are the business profile's (docs/tenancy.md)."""

    model_config = ConfigDict(**patch_schema(), extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    timezone: str | None = Field(None, max_length=64, examples=["Europe/Berlin"])
    address: str | None = Field(None, max_length=300)
    sender_name: str | None = Field(None, max_length=100)
    reply_to_email: str | None = Field(None, max_length=254, description='An email address, or "" for none')
    welcome_text: str | None = Field(None, max_length=WELCOME_MAX)
    cancellation_policy: str | None = Field(None, max_length=POLICY_MAX)
    brand_colour: str | None = Field(None, max_length=7, description='"#rrggbb", or "" for the default')
    offer_staff_without_zoom: StrictBool | None = None


def _tenant(request: HttpRequest) -> Tenant:
    return Tenant.objects.select_related("plan").get(pk=tenant_of(request).pk)


@router.get("/tenant", response={200: TenantOut, **ERRORS}, tags=["tenant"])
def get_tenant(request: HttpRequest):
    """The business profile of the API key's tenant."""
    return _tenant(request)


@router.patch("/tenant", response={200: TenantOut, **BODY_ERRORS}, tags=["tenant"])
def update_tenant(request: HttpRequest, payload: TenantPatch):
    """Change the business profile: only the fields sent. Refused values answer 422 naming each field, and
    nothing is saved."""
    tenant = _tenant(request)
    changes = payload.dict(exclude_unset=True)
    refuse_nulls(changes)
    profile.update_profile(tenant, changes)
    return _tenant(request)
