"""Proving the owner's email: a signed link (Django's signing, no table of tokens) that names the sign-up and
the address it went to, good for VALID_FOR. Confirming is a POST from the page the link opens, so a mail
scanner that fetches links confirms nothing.

Until the email is confirmed the owner signs in and sets up as usual, but the business's booking page is not
public: `booking_page_open` is what the booking page asks.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from rendez import jobs
from rendez.tenants.models import Tenant
from rendez.web.link_limits import LinkLimit
from rendez.web.models import SignUp

SALT = "rendez.web.signup.verify"
VALID_FOR = timedelta(days=3)
# Resending is for a lost email, not a mail cannon: three an hour to one address, ten from one client.
RESEND = LinkLimit("signup-verify", per_email=3, per_address=10, window=timedelta(hours=1))

SEND_VERIFICATION = "signup.send_verification"


class VerificationPayload(jobs.Payload):
    signup_id: int


def issue(signup: SignUp) -> str:
    return signing.dumps({"s": signup.pk, "e": signup.email.lower()}, salt=SALT, compress=True)


def signup_of(token: str) -> SignUp | None:
    """The sign-up a live link was issued for, or None (forged, expired, or the owner's email changed)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        return None
    signup = SignUp.objects.select_related("tenant", "owner").filter(pk=payload["s"]).first()
    if signup is None or signup.email.lower() != payload.get("e"):
        return None
    return signup


def confirm(signup: SignUp) -> None:
    """Mark the email proved (once: confirming again keeps the first time)."""
    SignUp.objects.filter(pk=signup.pk, verified_at__isnull=True).update(verified_at=timezone.now())


def send_link(signup: SignUp) -> None:
    """Have the link emailed to the owner by a job of the outbox (`signup.send_verification`) once this
    transaction commits: a slow or refusing mail server neither holds the sign-up page nor loses the
    email (the job retries with backoff). Asking again before it went out sends one email."""
    jobs.enqueue(
        SEND_VERIFICATION,
        VerificationPayload(signup_id=signup.pk),
        key=f"signup:{signup.pk}:verification",
        coalesce=True,
        tenant_id=signup.tenant_id,
    )


@jobs.handler(SEND_VERIFICATION, payload=VerificationPayload, max_attempts=8, queue="notifications")
def send_verification(asked: VerificationPayload, job: jobs.Job) -> None:
    # The link is made here, not carried in the payload: it is a credential, kept nowhere but in the email.
    signup = SignUp.objects.select_related("tenant", "owner").filter(pk=asked.signup_id).first()
    if signup is None or signup.verified_at is not None:
        return  # confirmed meanwhile (or gone): nothing to ask for
    path = reverse("signup:verify", kwargs={"token": issue(signup)})
    days = VALID_FOR.days
    body = (
        f"Hello {signup.owner.first_name if signup.owner else ''},\n\n"
        f"thank you for signing up {signup.tenant.name} with Rendez. Please confirm your email address:\n\n"
        f"{settings.BASE_URL}{path}\n\n"
        f"The link works for {days} days. Until you confirm, you can set everything up, but your booking "
        f"page {settings.BASE_URL}/book/{signup.tenant.slug}/ stays closed to customers.\n\n"
        "If you did not sign up, ignore this email: nothing is published.\n"
    )
    send_mail(f"Confirm your email for {signup.tenant.name}", body, None, [signup.email])


def pending_for(tenant: Tenant) -> SignUp | None:
    """The tenant's sign-up while its owner has not confirmed the email; None once done or for a tenant the
    operator created."""
    return SignUp.objects.filter(tenant=tenant, verified_at__isnull=True).first()


def booking_page_open(tenant: Tenant) -> bool:
    return not SignUp.objects.filter(tenant=tenant, verified_at__isnull=True).exists()
