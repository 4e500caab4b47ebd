"""The customer's sign-in link, sent by a job of the outbox (`customer.send_sign_in_link`), not inside the
request: the page answers as fast for an address that has booked as for one that has not (the time an SMTP
conversation takes would tell them apart), and a slow or refusing mail server is retried with backoff.

The payload names the customer, never the link: the link is a credential, made when the email is written and
kept nowhere else. Asking again before the first email went out sends one email (the job coalesces).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from rendez import jobs
from rendez.notifications import mail
from rendez.scheduling.models import Customer
from rendez.web.customer import magic

SEND_SIGN_IN_LINK = "customer.send_sign_in_link"


class SignInLinkPayload(jobs.Payload):
    customer_id: int


def enqueue_sign_in_link(customer: Customer) -> None:
    jobs.enqueue(
        SEND_SIGN_IN_LINK,
        SignInLinkPayload(customer_id=customer.pk),
        key=f"customer:{customer.pk}:sign-in-link",
        coalesce=True,
        tenant_id=customer.tenant_id,
    )


@jobs.handler(SEND_SIGN_IN_LINK, payload=SignInLinkPayload, max_attempts=6, queue="notifications")
def send_sign_in_link(asked: SignInLinkPayload, job: jobs.Job) -> None:
    customer = Customer.objects.select_related("tenant").filter(pk=asked.customer_id).first()
    if customer is None or not customer.tenant.is_active or not customer.email:
        return  # forgotten or closed since: nobody to sign in
    tenant = customer.tenant
    token = magic.issue(tenant, customer.email)
    path = reverse("customer:sign_in", kwargs={"slug": tenant.slug, "token": token})
    minutes = int(magic.LIFETIME.total_seconds() // 60)
    body = (
        f"Hello,\n\nto see your appointments with {tenant.name}, open this link:\n\n"
        f"{settings.BASE_URL}{path}\n\n"
        f"It works once, within {minutes} minutes. If you did not ask for it, you can ignore this email.\n"
    )
    mail.tenant_email(tenant, f"Your sign-in link for {tenant.name}", body, [customer.email]).send()
