"""Who belongs to a business: its admins' addresses, for every part that emails them, and the writers of
memberships (roles), which keep every business with an admin."""

from __future__ import annotations

from django.db import transaction

from rendez.tenants.models import Membership, Tenant


def admin_emails(tenant_id: int) -> list[str]:
    """The active admins' email addresses, each once, sorted."""
    emails = (
        Membership.objects.filter(tenant_id=tenant_id, role=Membership.Role.ADMIN, user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))


class MembershipError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def set_role(tenant_id: int, user, role: str) -> Membership:
    """Make `user` a member of the tenant with `role`, or change their role. A business keeps at least one
    active admin: the last one is not made staff."""
    if role not in Membership.Role.values:
        raise MembershipError("unknown_role", f"{role!r} is not a role: admin or staff.")
    with transaction.atomic():
        membership = _locked_membership(tenant_id, user)
        if membership is None:
            return Membership.objects.create(tenant_id=tenant_id, user=user, role=role)
        if membership.role != role:
            if membership.role == Membership.Role.ADMIN:
                _keep_an_admin(tenant_id, user, "made staff")
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def end_membership(tenant_id: int, user) -> None:
    """`user` no longer belongs to the tenant: their next request to its panel is refused. Their account
    stays (it may belong to other businesses)."""
    with transaction.atomic():
        membership = _locked_membership(tenant_id, user)
        if membership is None:
            return
        if membership.role == Membership.Role.ADMIN:
            _keep_an_admin(tenant_id, user, "removed")
        membership.delete()


def _locked_membership(tenant_id: int, user) -> Membership | None:
    # The tenant's row is the lock: two admins demoting each other at once take turns, and the second one
    # sees that the first is staff now.
    Tenant.objects.select_for_update().filter(pk=tenant_id).first()
    return Membership.objects.filter(tenant_id=tenant_id, user=user).first()


def _keep_an_admin(tenant_id: int, user, done: str) -> None:
    others = Membership.objects.filter(tenant_id=tenant_id, role=Membership.Role.ADMIN, user__is_active=True)
    if not others.exclude(user=user).exists():
        raise MembershipError(
            "last_admin",
            f"This is the business's only admin, who cannot be {done}: make someone else admin first.",
        )
