"""`ConnectStates` for any provider: a state works once, for the tenant and staff member it was made for,
within its lifetime, and only under its provider's salt; `may_finish` says who may act on what came back."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from rendez.calendars.models import CalendarConnectState
from rendez.integrations.oauth.state import ConnectStates, StateRefused, may_finish, pkce_pair
from rendez.integrations.zoom.models import OAuthState
from rendez.scheduling.tests.factories import make_staff
from rendez.tenants.models import Membership

# Zoom's state table holds the states here; a provider of its own salt and label drives it.
FAKE = ConnectStates(OAuthState, salt="rendez.fake.oauth-state", label="Fake")
OTHER = ConnectStates(OAuthState, salt="rendez.other.oauth-state", label="Other")


def begin(tenant, staff=None, **fields):
    return FAKE.begin(tenant, staff, mode="staff_oauth", **fields)


def test_pkce_challenge_is_the_s256_of_the_verifier():
    verifier, challenge = pkce_pair()
    assert 43 <= len(verifier) <= 128 and "=" not in challenge  # RFC 7636 §4.1
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge == base64.urlsafe_b64encode(digest).decode().rstrip("=")


def test_a_state_gives_back_its_row_once_with_the_verifier_kept_encrypted(alice):
    maria = make_staff(alice, "Maria")
    started = begin(alice, maria, return_url="/panel/staff/1/", started_by_id=None)
    assert started.row.code_verifier not in started.row.code_verifier_encrypted

    row = FAKE.consume(started.state)

    assert (row.tenant, row.staff, row.return_url) == (alice, maria, "/panel/staff/1/")
    assert row.code_verifier == started.row.code_verifier
    assert not OAuthState.objects.exists()
    with pytest.raises(StateRefused, match="This Fake connection link was already used."):
        FAKE.consume(started.state)


def test_another_providers_state_is_not_valid_here(alice):
    started = begin(alice)

    with pytest.raises(StateRefused, match="This Other connection link is not valid."):
        OTHER.consume(started.state)
    assert OAuthState.objects.count() == 1  # refused before any row was touched


def test_a_state_bound_to_another_tenant_is_refused_and_burnt(alice, bob):
    started = begin(alice)
    forged = signing.dumps({"n": started.row.nonce, "t": bob.pk, "s": None}, salt=FAKE.salt, compress=True)

    with pytest.raises(StateRefused, match="belongs to another account"):
        FAKE.consume(forged)
    assert not OAuthState.objects.exists()


def test_an_expired_state_is_refused_and_swept_by_the_next_begin(alice):
    started = begin(alice)
    OAuthState.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(StateRefused, match="has expired"):
        FAKE.consume(started.state)

    stale = begin(alice)
    OAuthState.objects.filter(pk=stale.row.pk).update(expires_at=timezone.now())
    begin(alice)
    assert OAuthState.objects.count() == 1


def test_who_may_finish_a_connect(alice, bob, django_user_model):
    maria = make_staff(alice, "Maria")
    admin, starter, staff_user, colleague, outsider = (
        django_user_model.objects.create_user(username=name, password="x")
        for name in ("admin", "starter", "maria", "colleague", "outsider")
    )
    Membership.objects.create(user=admin, tenant=alice, role=Membership.Role.ADMIN)
    for member in (starter, staff_user, colleague):
        Membership.objects.create(user=member, tenant=alice, role=Membership.Role.STAFF)
    Membership.objects.create(user=outsider, tenant=bob, role=Membership.Role.ADMIN)
    maria.user = staff_user
    maria.save(update_fields=["user"])

    def may(user, started_by=None):
        return may_finish(user, alice, maria, started_by.pk if started_by else None)

    assert may(admin) and may(staff_user) and may(starter, started_by=starter)
    assert not may(colleague) and not may(outsider) and not may(outsider, started_by=outsider)
    Membership.objects.filter(user=starter).delete()
    assert not may(starter, started_by=starter)  # only while they belong to the tenant


def test_providers_sharing_a_table_see_only_their_own_rows(alice):
    # The same salt on purpose: the rows alone keep them apart.
    first = ConnectStates(CalendarConnectState, salt="shared", label="First", row={"provider": "google"})
    second = ConnectStates(CalendarConnectState, salt="shared", label="Second", row={"provider": "microsoft"})
    started = second.begin(alice, make_staff(alice, "Maria"))
    assert started.row.provider == "microsoft"
    CalendarConnectState.objects.filter(pk=started.row.pk).update(expires_at=timezone.now())

    with pytest.raises(StateRefused, match="already used"):
        first.consume(started.state)
    assert first.forget_expired() == 0 and second.forget_expired() == 1
