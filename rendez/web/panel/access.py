"""Who is looking at the panel: the signed-in user's current tenant and role, and what they may see.

The current tenant lives in the session (chosen at sign-in or on /panel/switch/) and is checked against the
user's `Membership` on every request, so a membership removed meanwhile ends access at once. Every panel query
starts from `appointments_for(panel)` or filters by `panel.tenant`; another tenant's objects answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from rendez.scheduling.models import Appointment, Staff
from rendez.tenants.models import Membership, Tenant

SESSION_KEY = "panel_tenant_id"


@dataclass(frozen=True)
class Panel:
    tenant: Tenant
    role: str
    staff: Staff | None  # the viewer's own Staff row in this tenant, if any
    several_tenants: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == Membership.Role.ADMIN

    @property
    def zone(self) -> ZoneInfo:
        """The viewer's zone: a staff member's own, the tenant's for admins."""
        if not self.is_admin and self.staff is not None:
            return self.staff.zone
        return ZoneInfo(self.tenant.timezone)


def memberships_of(user) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def choose_tenant(request: HttpRequest, tenant_id: int) -> bool:
    """Make `tenant_id` the session's tenant if the user belongs to it."""
    if not memberships_of(request.user).filter(tenant_id=tenant_id).exists():
        return False
    request.session[SESSION_KEY] = tenant_id
    return True


def panel_of(request: HttpRequest) -> Panel | None:
    tenant_id, user_id = request.session.get(SESSION_KEY), request.user.pk
    if tenant_id is None or user_id is None:
        return None
    memberships = list(memberships_of(request.user))
    membership = next((m for m in memberships if m.tenant_id == tenant_id), None)
    if membership is None:
        return None
    staff = Staff.objects.filter(tenant_id=tenant_id, user_id=user_id, is_active=True).first()
    return Panel(membership.tenant, membership.role, staff, several_tenants=len(memberships) > 1)


def panel_view(*, admin_only: bool = False) -> Callable:
    """Decorate a view taking `(request, panel, ...)`: signed in, a tenant chosen, the viewer's zone active.

    Staff reaching an admin page get 404, as for objects they may not see."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            panel = panel_of(request)
            if panel is None:
                return redirect("panel:switch")
            if admin_only and not panel.is_admin:
                raise Http404
            with timezone.override(panel.zone):
                return view(request, panel, *args, **kwargs)

        return wrapper

    return decorate


def appointments_for(panel: Panel) -> QuerySet[Appointment]:
    """The appointments the viewer may see: all of the tenant's for admins, their own for staff."""
    appointments = Appointment.objects.filter(tenant=panel.tenant).select_related("service", "staff")
    if panel.is_admin:
        return appointments
    if panel.staff is None:
        return appointments.none()
    return appointments.filter(staff=panel.staff)


def appointment_for(panel: Panel, appointment_id: int) -> Appointment:
    return get_object_or_404(appointments_for(panel).select_related("meeting"), pk=appointment_id)


def staff_for(panel: Panel) -> QuerySet[Staff]:
    staff = Staff.objects.filter(tenant=panel.tenant).order_by("name")
    if panel.is_admin:
        return staff
    return staff.filter(pk=panel.staff.pk) if panel.staff is not None else staff.none()
