"""The staff invitation's email, sent by a job of the outbox (`staff.send_invitation`), not inside the admin's
request: a slow SMTP server does not hold the staff page, and a refused or failed send is retried with
backoff, then shown among the business's failed jobs.

The job is enqueued in the invitation's transaction and keyed by the staff member, coalescing: inviting again
before the first email went out sends one email, with the newest link. The payload names the people, never
the link: the link is a credential (whoever holds it chooses the password), so it is made when the email is
written and kept nowhere else. At that moment the job checks the invitation still stands (the account is still
that staff member's and a member of the business); a revoked one sends nothing.

The email comes from the business, as its booking emails do: its sender name on the platform's address, and
Reply-To the business's reply-to address, or the inviting admin's email when the business has none.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from rendez import jobs
from rendez.notifications import mail
from rendez.scheduling.models import Staff
from rendez.tenants.models import Membership

SEND_INVITATION = "staff.send_invitation"


class InvitationPayload(jobs.Payload):
    """What the job carries: who is invited, and who invited them (their name and address as of then)."""

    staff_id: int
    user_id: int
    by_name: str = ""
    by_email: str = ""


def enqueue_invitation(member: Staff, user, *, by) -> None:
    """Call inside the invitation's transaction: the email goes out once it commits, never if it does not."""
    payload = InvitationPayload(
        staff_id=member.pk,
        user_id=user.pk,
        by_name=(getattr(by, "get_full_name", lambda: "")() or by.get_username()),
        by_email=getattr(by, "email", "") or "",
    )
    jobs.enqueue(
        SEND_INVITATION,
        payload,
        key=f"staff:{member.pk}:invitation",
        coalesce=True,
        tenant_id=member.tenant_id,
    )


@jobs.handler(SEND_INVITATION, payload=InvitationPayload, max_attempts=8)
def send_invitation(invited: InvitationPayload, job: jobs.Job) -> None:
    # Imported here: invitations imports this module to enqueue.
    from rendez.web.panel.staff.invitations import INVITATION_DAYS, invitation_url

    member = Staff.objects.select_related("tenant").filter(pk=invited.staff_id).first()
    user = get_user_model().objects.filter(pk=invited.user_id).first()
    if member is None or user is None or member.user_id != user.pk or not member.tenant.is_active:
        return  # revoked, or linked to someone else since: this invitation no longer stands
    membership = Membership.objects.filter(tenant_id=member.tenant_id, user_id=user.pk).first()
    if membership is None:
        return
    tenant = member.tenant
    context = {
        "member": member,
        "tenant": tenant,
        "by": invited.by_name,
        "role": Membership.Role(membership.role).label.lower(),
        # An account with a password signs in as before: a link would let a reader replace that password.
        "link": "" if user.has_usable_password() else invitation_url(member, user),
        "days": INVITATION_DAYS,
        "sign_in_url": settings.BASE_URL + reverse("panel:login"),
    }
    body = render_to_string("panel/staff/invitation_email.txt", context)
    message = mail.tenant_email(tenant, f"Join {tenant.name} on Rendez", body, [user.email])
    if not tenant.reply_to_email and invited.by_email:
        message.reply_to = [invited.by_email]
    message.send()
