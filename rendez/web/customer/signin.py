"""`/my/<tenant>/`: a customer asks for a sign-in link by email and then sees their appointments there.

The answer to "send me a link" is the same whether the email is known or not, and whether the request was
over its limit (rendez/web/link_limits.py) or not, so the page tells nobody who books where. A signed-in
customer is a session entry (tenant → email), not a Django user; each tenant's entry is separate, so one
business's link never shows another's bookings.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rendez.lib.client_ip import client_ip
from rendez.scheduling.models import Booking, Customer
from rendez.tenants.models import Tenant
from rendez.web import link_limits
from rendez.web.customer import magic
from rendez.web.customer.forms import EmailForm
from rendez.web.customer.signin_email import enqueue_sign_in_link
from rendez.web.customer.views import video_context

PAST_SHOWN = 50


def tenant_for(slug: str) -> Tenant:
    return get_object_or_404(Tenant, slug=slug, is_active=True)


def signed_in_email(request: HttpRequest, tenant: Tenant) -> str | None:
    return request.session.get(magic.SESSION_KEY, {}).get(str(tenant.pk))


@require_http_methods(["GET"])
def choose(request: HttpRequest) -> HttpResponse:
    tenants = Tenant.objects.filter(is_active=True).order_by("name")[:50]
    return render(request, "customer/my_choose.html", {"tenants": tenants})


@never_cache
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenant_for(slug)
    email = signed_in_email(request, tenant)
    if email is not None and request.method == "GET":
        return appointments(request, tenant, email)
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        # Over the limit, the answer is the same page as when the link went out: nothing to learn from it.
        if link_limits.SIGN_IN_LINK.allows(address, client_ip(request)):
            send_link(tenant, address)
        return render(request, "customer/my_sign_in.html", {"tenant": tenant, "sent_to": address})
    return render(request, "customer/my_sign_in.html", {"tenant": tenant, "form": form})


def send_link(tenant: Tenant, email: str) -> None:
    """Has a sign-in link mailed when `email` has booked with `tenant`; otherwise does nothing, quietly."""
    customer = Customer.objects.filter(tenant=tenant, email=magic.normalized(email)).first()
    if customer is not None:
        enqueue_sign_in_link(customer)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """GET asks for a click and POST signs in: mail scanners that open links must not spend them."""
    tenant = tenant_for(slug)
    email = magic.email_of(tenant, token)
    if email is None:
        return render(request, "customer/my_link_invalid.html", {"tenant": tenant}, status=410)
    if request.method == "GET":
        return render(request, "customer/my_confirm.html", {"tenant": tenant, "email": email})
    if not magic.spend(token):
        return render(request, "customer/my_link_invalid.html", {"tenant": tenant}, status=410)
    signed_in = dict(request.session.get(magic.SESSION_KEY, {}))
    request.session.cycle_key()
    signed_in[str(tenant.pk)] = email
    request.session[magic.SESSION_KEY] = signed_in
    return redirect("customer:home", slug=tenant.slug)


@require_POST
def sign_out(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = tenant_for(slug)
    signed_in = dict(request.session.get(magic.SESSION_KEY, {}))
    signed_in.pop(str(tenant.pk), None)
    request.session[magic.SESSION_KEY] = signed_in
    return redirect("customer:home", slug=tenant.slug)


@dataclass(frozen=True)
class Row:
    """One booking on the list; an upcoming one carries its video part, as the manage page shows it."""

    booking: Booking
    video: dict | None = None

    @property
    def tip_id(self) -> str:
        return f"passcode-{self.booking.pk}"


def appointments(request: HttpRequest, tenant: Tenant, email: str) -> HttpResponse:
    now = timezone.now()
    bookings = Booking.objects.filter(tenant=tenant, customer__email=email).select_related(
        "tenant", "customer", "appointment__service", "appointment__staff", "appointment__meeting"
    )
    upcoming = bookings.filter(appointment__end__gt=now).order_by("appointment__start", "pk")
    past = bookings.filter(appointment__end__lte=now).order_by("-appointment__start", "-pk")[:PAST_SHOWN]
    customer = Customer.objects.filter(tenant=tenant, email=email).first()
    zone = ZoneInfo((customer.timezone if customer else "") or tenant.timezone)
    context = {
        "tenant": tenant,
        "email": email,
        "upcoming": [Row(booking, video_context(booking, now)) for booking in upcoming],
        "past": [Row(booking) for booking in past],
        "zone": zone,
    }
    with timezone.override(zone):
        return render(request, "customer/my_appointments.html", context)
