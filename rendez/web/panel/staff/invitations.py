"""Inviting a staff member to sign in: an account for their email (or the one that exists), linked to their
staff row, a membership with the chosen role, and an email with a link to set a password.

The link carries a token in the manner of Django's password reset: an HMAC over the account's password hash
and last sign-in, so it works once (setting the password changes both) and needs no table of its own. An
invited account has no usable password until the link is used; each invitation gives it a fresh unusable one,
which is what kills the previous link. An account that already has a password gets no link at all: it signs
in as before and finds the business there. Links expire after `INVITATION_DAYS`.

Revoking unlinks the account and ends the membership; the link checks both, so it dies too.

The email is written and sent by a job enqueued in the invitation's transaction (`invitation_email`), not in
the admin's request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from rendez.scheduling import catalog
from rendez.scheduling.models import Staff
from rendez.tenants import people
from rendez.tenants.models import Membership
from rendez.web.panel.staff.invitation_email import enqueue_invitation

INVITATION_DAYS = 7


class InvitationError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class InvitationTokens(PasswordResetTokenGenerator):
    """Password-reset tokens under their own salt (a reset link is not an invitation, nor the other way)
    and their own lifetime."""

    key_salt = "rendez.web.panel.staff.invitations"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not (user and token):
            return False
        try:
            stamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - stamp > INVITATION_DAYS * 24 * 3600:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, stamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


tokens = InvitationTokens()


@dataclass(frozen=True)
class Invitation:
    member: Staff
    user: User
    role: str
    link: str  # empty: the account has a password already and signs in as before


def invite(member: Staff, email: str, role: str, *, by: User) -> Invitation:
    """Link an account for `email` to `member` with `role`, and have them emailed the way in (by a job, once
    this commits). Inviting again (the same email) sends a new link and kills the last one."""
    email = email.strip().lower()
    if member.user is not None and (getattr(member.user, "email", "") or "").lower() != email:
        raise InvitationError(
            "linked", f"{member.name} signs in as {member.user.email} already: revoke that first."
        )
    with transaction.atomic():
        user = _account_for(email)
        try:
            catalog.link_account(member, user, by=by)
            people.set_role(member.tenant_id, user, role)
        except (catalog.CatalogError, people.MembershipError) as error:
            raise InvitationError(error.code, error.message) from None
        link = ""
        if not user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])
            link = invitation_url(member, user)
        enqueue_invitation(member, user, by=by)
    member.refresh_from_db()
    return Invitation(member=member, user=user, role=role, link=link)


def revoke(member: Staff, *, by: User) -> None:
    """The staff member's account no longer signs in to this business; their staff row, appointments and
    hours stay. An unused invitation link dies with it."""
    user = member.user
    if user is None:
        return
    with transaction.atomic():
        try:
            people.end_membership(member.tenant_id, user)
        except people.MembershipError as error:
            raise InvitationError(error.code, error.message) from None
        catalog.unlink_account(member, by=by)
        if not user.has_usable_password():
            user.set_unusable_password()
            user.save(update_fields=["password"])


def has_accepted(user: User) -> bool:
    return user.has_usable_password() or user.last_login is not None


def invitation_url(member: Staff, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("panel:staff_join", args=[member.pk, uid, tokens.make_token(user)])
    return settings.BASE_URL + path


def invited_member(staff_id: int, user: User | None) -> Staff | None:
    """The staff row the invitation names, while it is still `user`'s in a business they belong to."""
    if user is None:
        return None
    member = Staff.objects.select_related("tenant").filter(pk=staff_id, user_id=user.pk).first()
    if member is None or not member.tenant.is_active:
        return None
    if not Membership.objects.filter(tenant_id=member.tenant_id, user_id=user.pk).exists():
        return None
    return member


def _account_for(email: str) -> User:
    users = User
    found = list(users.objects.filter(email__iexact=email)[:2])
    if len(found) > 1:
        raise InvitationError(
            "ambiguous_email", f"Several accounts use {email}; an operator has to sort them out first."
        )
    if found:
        return found[0]
    username = email[:150]
    if users.objects.filter(username__iexact=username).exists():
        raise InvitationError("username_taken", f"An account is named {email} but uses another email.")
    return users.objects.create_user(username=username, email=email, password=None)
