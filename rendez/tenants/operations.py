"""The operator's writes to tenants and plans: the only place the operator pages change them.

Views parse and validate input; these functions make the change and say, in `TenantError`, why one is refused.
`create_tenant` is the one way a tenant is born (operator page, sign-up, `rendez demo`): what every new
business starts with is installed by the receivers of `signals.tenant_created`, in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from rendez.tenants.models import ApiKey, Plan, Tenant
from rendez.tenants.signals import tenant_created


class TenantError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def create_tenant(*, slug: str, name: str, timezone: str, plan: Plan | None, address: str = "") -> Tenant:
    if Tenant.objects.filter(slug=slug).exists():
        raise TenantError(f"A tenant with the address {slug!r} exists already.", field="slug")
    tenant = Tenant(slug=slug, name=name, timezone=timezone, plan=plan, address=address)
    try:
        tenant.full_clean()
    except ValidationError as error:
        raise TenantError(" ".join(error.messages)) from None
    with transaction.atomic():
        tenant.save()
        tenant_created.send(sender=Tenant, tenant=tenant)
    return tenant


def change_plan(tenant: Tenant, plan: Plan | None) -> None:
    tenant.plan = plan
    tenant.save(update_fields=["plan"])


def set_active(tenant: Tenant, active: bool) -> None:
    """A deactivated tenant's sign-ins, booking page and API keys stop working; nothing is deleted."""
    tenant.is_active = active
    tenant.save(update_fields=["is_active"])


def save_plan(
    plan: Plan | None, *, slug: str, name: str, capabilities: list[str], limits: dict[str, int]
) -> Plan:
    """Create a plan (`plan` None) or change one; capabilities are kept sorted and without repeats."""
    plan = plan or Plan()
    if Plan.objects.filter(slug=slug).exclude(pk=plan.pk).exists():
        raise TenantError(f"A plan with the slug {slug!r} exists already.", field="slug")
    plan.slug, plan.name = slug, name
    plan.capabilities = sorted(set(capabilities))
    plan.limits = dict(sorted(limits.items()))
    plan.save()
    return plan


def issue_api_key(tenant: Tenant, name: str) -> tuple[ApiKey, str]:
    """A new key for `tenant` and its secret value, which is shown once and never stored."""
    return ApiKey.issue(tenant, name)


def revoke_api_key(key: ApiKey) -> None:
    key.revoke()
