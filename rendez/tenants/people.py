"""Who to tell about a tenant's business: its admins' addresses, for every part that emails them."""

from __future__ import annotations

from rendez.tenants.models import Membership


def admin_emails(tenant_id: int) -> list[str]:
    """The active admins' email addresses, each once, sorted."""
    emails = (
        Membership.objects.filter(tenant_id=tenant_id, role=Membership.Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))
