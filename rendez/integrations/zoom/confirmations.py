"""A grant waits for the person: Zoom's answer is stored as a connection only when a signed-in person of the
tenant confirms it, in the browser that came back from Zoom.

Anybody can open an authorize link and approve it at Zoom, so the callback proves only that *some* Zoom user
consented. The callback therefore exchanges the code at once (codes live five minutes) and keeps the grant,
encrypted, in a `PendingConnect`. The browser that came back from Zoom gets a secret cookie, scoped to the
confirmation page's path; that page answers only to this browser, signed in as the staff member themself,
an admin of the tenant, or the person who started the connect. Everyone else gets 404. A grant nobody
confirms is given back (`connections.give_back`: usually revoked) when it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import timezone

from rendez import jobs
from rendez.integrations.oauth.state import may_finish
from rendez.integrations.zoom import connections, places
from rendez.integrations.zoom.models import Connection, Mode, PendingConnect
from rendez.integrations.zoom.payloads import EXPIRE_JOB, ExpirePendingPayload
from rendez.integrations.zoom.schemas import Me, TokenGrant
from rendez.integrations.zoom.states import Connect
from rendez.lib import vault

# Time to sign in and decide; the grant's access token lives an hour.
PENDING_LIFETIME = timedelta(minutes=15)
SALT = "rendez.zoom.pending-connect"
COOKIE = "rendez_zoom_connect"


@dataclass(frozen=True)
class Held:
    pending: PendingConnect
    token: str  # names the pending connect in the confirmation page's address
    browser_secret: str  # for the cookie of the browser that came back from Zoom


def hold(connect: Connect, authorized: connections.Authorized) -> Held:
    """Keep a fresh grant until a person confirms it, and give it back if nobody does in time."""
    secret = secrets.token_urlsafe(32)
    me = authorized.me
    with transaction.atomic():
        pending = PendingConnect.objects.create(
            nonce=secrets.token_urlsafe(32),
            tenant=connect.tenant,
            staff=connect.staff,
            mode=connect.mode,
            started_by_id=connect.started_by_id,
            account_id=me.account_id,
            zoom_user_id=me.id,
            email=me.email,
            grant_encrypted=vault.encrypt(authorized.grant.model_dump_json()),
            granted_at=authorized.granted_at,
            browser_key_hash=_hash(secret),
            return_url=connect.return_url,
            expires_at=timezone.now() + PENDING_LIFETIME,
        )
        jobs.enqueue(
            EXPIRE_JOB,
            ExpirePendingPayload(pending_id=pending.pk),
            run_after=pending.expires_at,
            tenant_id=connect.tenant.pk,
        )
    return Held(pending, signing.dumps(pending.nonce, salt=SALT), secret)


def find(token: str, browser_secret: str) -> PendingConnect | None:
    """The pending connect `token` names, if this browser is the one that came back from Zoom and it has
    not expired."""
    try:
        nonce = signing.loads(token, salt=SALT, max_age=PENDING_LIFETIME)
    except signing.BadSignature:
        return None
    pending = (
        PendingConnect.objects.select_related("tenant__plan", "staff")
        .filter(nonce=str(nonce), expires_at__gt=timezone.now())
        .first()
    )
    if pending is None or not hmac.compare_digest(pending.browser_key_hash, _hash(browser_secret)):
        return None
    return pending


def may_confirm(user, pending: PendingConnect) -> bool:
    """The staff member themself, an admin of the tenant, or who started it — while they belong to it."""
    return may_finish(user, pending.tenant, pending.staff, pending.started_by_id)


def confirm(pending: PendingConnect) -> Connection:
    """Store the held grant as the connection it was asked for. Raises `connections.ConnectionRuleError`
    when the rules now refuse it (the grant is given back then)."""
    place, authorized = _release(pending)
    return connections.store_authorized(place, authorized)


def decline(pending: PendingConnect) -> None:
    _, authorized = _release(pending)
    connections.give_back(authorized, pending.mode)


def expire(pending_id: int) -> bool:
    """Give back the grant of a pending connect nobody confirmed in time. False when it was confirmed,
    declined, or is not due yet."""
    with transaction.atomic():
        pending = (
            PendingConnect.objects.select_for_update()
            .filter(pk=pending_id, expires_at__lte=timezone.now())
            .first()
        )
        if pending is None:
            return False
        _, authorized = _release(pending)
        connections.give_back(authorized, pending.mode)
    return True


def question(pending: PendingConnect) -> str:
    """What the person is asked to confirm."""
    who = pending.email or pending.zoom_user_id
    if pending.mode == Mode.STAFF_OAUTH and pending.staff is not None:
        return f"Connect Zoom user {who} to {pending.staff.name} at {pending.tenant.name}?"
    return f"Connect Zoom user {who} as the business Zoom account of {pending.tenant.name}?"


def _release(pending: PendingConnect) -> tuple[places.Place, connections.Authorized]:
    """Delete the row (a pending connect is used once) and return what it held."""
    grant = TokenGrant.model_validate_json(vault.decrypt(pending.grant_encrypted))
    me = Me(id=pending.zoom_user_id, account_id=pending.account_id, email=pending.email)
    place = places.Place(pending.tenant, pending.staff, pending.mode)
    deleted, _ = PendingConnect.objects.filter(pk=pending.pk).delete()
    if not deleted:
        raise PendingGone
    return place, connections.Authorized(grant, me, pending.granted_at)


class PendingGone(Exception):  # noqa: N818 - reads as "the pending connect is gone"
    """Another request confirmed, declined or expired it first."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
