"""The Google part of REST API v1: start connecting a staff member's Google Calendar (issue 18 section 5).
Listing, choosing calendars and disconnecting are provider-neutral (rendez/calendars/api.py)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from rendez.api.auth import tenant_of
from rendez.api.errors import ApiError, error_responses
from rendez.integrations.google import connect
from rendez.scheduling.models import Staff

router = Router(tags=["calendars"])
ERRORS = error_responses(401, 403, 404, 409, 422)


class AuthorizeOut(Schema):
    authorize_url: str


@router.post("/staff/{staff_id}/calendars/google/connect", response={200: AuthorizeOut, **ERRORS})
def connect_google(request: HttpRequest, staff_id: int):
    """Start connecting the staff member's Google Calendar: send a browser to `authorize_url`. The connect is
    finished there by a person signed in to Rendez who may manage this staff member (an admin of the business,
    or the staff member themself); the browser then lands on the staff member's page in the panel."""
    tenant = tenant_of(request)
    member = get_object_or_404(Staff, pk=staff_id, tenant=tenant)
    if not member.is_active:
        raise ApiError(409, "staff_inactive", "This staff member is deactivated: activate them first.")
    if not settings.GOOGLE_CLIENT_ID:
        raise ApiError(
            409, "google_not_configured", "This Rendez has no Google app set up (GOOGLE_CLIENT_ID)."
        )
    return AuthorizeOut(authorize_url=connect.authorize_url(tenant, member, started_by_id=None))
