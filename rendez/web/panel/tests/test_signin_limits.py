"""The sign-in limits (rendez/web/panel/throttle.py): guessing is slowed per (account, address), per address
across accounts and per account across addresses, and nobody is locked out by failures that are not theirs.

Ada is alice's admin, Dora alice's staff member, Olga (bob's admin) the outsider. Everyone arrives through
nginx on this machine (REMOTE_ADDR 127.0.0.1), as in docs/operations.md; where RENDEZ_TRUSTED_PROXIES names
it, nginx's X-Forwarded-For tells visitors apart.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from rendez.web.models import AttemptCounter
from rendez.web.panel import throttle
from rendez.web.panel.tests.fixtures import PASSWORD

pytestmark = pytest.mark.django_db

NGINX = "127.0.0.1"
ATTACKER = "203.0.113.66"


def visitor(address: str | None = None) -> Client:
    """A browser behind nginx; `address` is what nginx appends to X-Forwarded-For."""
    meta: dict[str, Any] = {"REMOTE_ADDR": NGINX}
    if address:
        meta["HTTP_X_FORWARDED_FOR"] = address
    return Client(**meta)


def sign_in(client: Client, identifier: str, password: str = PASSWORD):
    return client.post("/login/", {"identifier": identifier, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302


def fail_from(client: Client, identifier: str, times: int) -> None:
    for _ in range(times):
        assert sign_in(client, identifier, "wrong").status_code == 200


def later(minutes: float) -> None:
    """What time does to the counters: every window and every mark ages by `minutes`."""
    shift = timedelta(minutes=minutes)
    AttemptCounter.objects.update(
        started_at=F("started_at") - shift, last_at=F("last_at") - shift, expires_at=F("expires_at") - shift
    )


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = [NGINX]


def test_made_up_names_from_the_shared_proxy_address_do_not_lock_out_admin_or_staff(ada, dora_user, olga):
    """Issue 14, item 6: nginx not listed in RENDEZ_TRUSTED_PROXIES, so every visitor is 127.0.0.1."""
    attacker = visitor()
    for number in range(10):
        fail_from(attacker, f"made-up-{number}", 1)

    assert signed_in(sign_in(visitor(), "ada"))
    assert signed_in(sign_in(visitor(), "dora"))
    assert signed_in(sign_in(visitor(), "olga@example.com"))


def test_even_an_address_guessing_widely_never_refuses_a_right_password_that_has_not_failed(ada, dora_user):
    attacker = visitor()
    for number in range(throttle.ADDRESS_FAILURES * 2):
        fail_from(attacker, f"made-up-{number}", 1)

    assert signed_in(sign_in(visitor(), "ada"))
    assert signed_in(sign_in(visitor(), "dora"))


def test_behind_a_trusted_proxy_the_attackers_own_address_is_locked_and_the_admins_is_not(behind_nginx, ada):
    attacker = visitor(ATTACKER)
    fail_from(attacker, "ada", throttle.PAIR_FAILURES)

    assert sign_in(attacker, "ada").status_code == 429
    assert signed_in(sign_in(visitor("198.51.100.7"), "ada"))


def test_x_forwarded_for_from_an_untrusted_peer_cannot_dodge_the_pair_lock(ada):
    """Without RENDEZ_TRUSTED_PROXIES, a new made-up X-Forwarded-For per request changes nothing."""
    for number in range(throttle.PAIR_FAILURES):
        fail_from(visitor(f"192.0.2.{number}"), "ada", 1)

    assert sign_in(visitor("192.0.2.200"), "ada").status_code == 429


def test_a_pair_lock_holds_with_the_right_password_and_says_when_to_come_back(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "ada", throttle.PAIR_FAILURES)

    response = sign_in(client, "ada")

    assert response.status_code == 429
    assert "signing in is paused" in response.content.decode()
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session


def test_a_pair_lock_holds_for_the_account_under_any_spelling(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "ada", 2)
    fail_from(client, "ADA@alice.example", 2)
    fail_from(client, " ada ", 1)

    assert sign_in(client, "ada@alice.example").status_code == 429


def test_a_pair_lock_touches_neither_other_accounts_from_that_address_nor_that_account_elsewhere(
    ada, dora_user
):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "ada", throttle.PAIR_FAILURES)

    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.7"), "dora"))
    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.8"), "ada"))


def test_a_pair_lock_ends_with_its_window(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "ada", throttle.PAIR_FAILURES)
    later(14)
    assert sign_in(client, "ada").status_code == 429

    later(1)

    assert signed_in(sign_in(client, "ada"))


def test_a_right_password_clears_the_pairs_failures(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "ada", throttle.PAIR_FAILURES - 1)
    assert signed_in(sign_in(client, "ada"))

    fail_from(Client(REMOTE_ADDR="198.51.100.7"), "ada", throttle.PAIR_FAILURES - 1)

    assert signed_in(sign_in(Client(REMOTE_ADDR="198.51.100.7"), "ada"))


def test_made_up_names_are_locked_like_accounts_so_the_answer_names_no_account(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    fail_from(client, "nobody", throttle.PAIR_FAILURES)
    fail_from(client, "ada", throttle.PAIR_FAILURES)

    nobody, somebody = sign_in(client, "nobody", "wrong"), sign_in(client, "ada", "wrong")

    assert nobody.status_code == somebody.status_code == 429
    assert abs(int(nobody["Retry-After"]) - int(somebody["Retry-After"])) <= 1


def test_an_address_guessing_widely_gets_one_failure_per_account_it_has_not_signed_in_to(
    behind_nginx, ada, dora_user
):
    attacker = visitor(ATTACKER)
    for number in range(throttle.ADDRESS_FAILURES):
        fail_from(attacker, f"made-up-{number}", 1)

    fail_from(attacker, "dora", 1)

    assert sign_in(attacker, "dora").status_code == 429
    assert signed_in(sign_in(visitor(ATTACKER), "ada"))  # no failure of its own: its try is kept


def test_an_address_guessing_widely_keeps_the_full_allowance_for_accounts_that_signed_in_there(
    ada, dora_user
):
    """Everyone at 127.0.0.1 (no trusted proxy): Ada signed in from there before; a typo does not lock her."""
    assert signed_in(sign_in(visitor(), "ada"))
    for number in range(throttle.ADDRESS_FAILURES):
        fail_from(visitor(), f"made-up-{number}", 1)

    fail_from(visitor(), "ada", 1)

    assert signed_in(sign_in(visitor(), "ada"))


def attack_from_many_addresses(identifier: str) -> None:
    addresses = throttle.ACCOUNT_FAILURES // throttle.PAIR_FAILURES
    for number in range(addresses):
        fail_from(visitor(f"198.18.0.{number}"), identifier, throttle.PAIR_FAILURES)


def test_an_account_attacked_from_many_addresses_is_delayed_for_new_addresses_not_locked(behind_nginx, ada):
    attack_from_many_addresses("ada")

    refused = sign_in(visitor("198.51.100.7"), "ada")
    assert refused.status_code == 429
    assert "try again in a few seconds" in refused.content.decode()
    assert refused["Retry-After"] == str(int(throttle.ACCOUNT_TURN.total_seconds()))

    later(throttle.ACCOUNT_TURN.total_seconds() / 60)

    assert signed_in(sign_in(visitor("198.51.100.7"), "ada"))


def test_an_account_attacked_from_many_addresses_gives_new_addresses_one_try_per_turn_among_them(
    behind_nginx, ada
):
    attack_from_many_addresses("ada")
    later(throttle.ACCOUNT_TURN.total_seconds() / 60)

    first = sign_in(visitor("198.19.0.1"), "ada", "wrong")
    second = sign_in(visitor("198.19.0.2"), "ada", "wrong")

    assert first.status_code == 200 and second.status_code == 429
    # The refused try never reached the password: it cost that address nothing.
    later(throttle.ACCOUNT_TURN.total_seconds() / 60)
    fail_from(visitor("198.19.0.2"), "ada", 1)


def test_an_account_attacked_from_many_addresses_still_signs_in_at_once_where_it_usually_does(
    behind_nginx, ada
):
    assert signed_in(sign_in(visitor("198.51.100.7"), "ada"))
    attack_from_many_addresses("ada")

    assert signed_in(sign_in(visitor("198.51.100.7"), "ada"))


def test_the_usual_address_is_forgotten_after_30_days(behind_nginx, ada):
    assert signed_in(sign_in(visitor("198.51.100.7"), "ada"))
    later(30 * 24 * 60)
    attack_from_many_addresses("ada")

    assert sign_in(visitor("198.51.100.7"), "ada").status_code == 429


def test_a_form_missing_a_field_is_not_counted(ada):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(throttle.PAIR_FAILURES * 2):
        assert client.post("/login/", {"identifier": "ada", "password": ""}).status_code == 200

    assert signed_in(sign_in(client, "ada"))


def test_a_failed_sign_in_takes_six_queries(ada, django_assert_num_queries):
    client = Client(REMOTE_ADDR="198.51.100.7")
    # The live counts, the account, the pair's count, the password check, the failure's counts, the pruning
    # (nothing dead to delete here).
    with django_assert_num_queries(6):
        assert sign_in(client, "ada", "wrong").status_code == 200


# --- password reset ---------------------------------------------------------------------------------------


@pytest.fixture
def mail_outbox(settings):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def ask_for_reset(client: Client, email: str):
    return client.post("/login/reset/", {"email": email})


def test_a_third_reset_request_within_the_hour_sends_nothing_and_answers_the_same(ada, mail_outbox):
    answers = [ask_for_reset(Client(REMOTE_ADDR="198.51.100.7"), "ada@alice.example") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [302, 302, 302]
    assert {answer["Location"] for answer in answers} == {"/login/reset/sent/"}
    assert len(mail_outbox) == 2


def test_the_reset_limit_per_email_holds_across_addresses_and_ends_with_its_window(ada, mail_outbox):
    for number in range(3):
        ask_for_reset(Client(REMOTE_ADDR=f"198.51.100.{number}"), "ADA@alice.example")
    assert len(mail_outbox) == 2

    later(60)
    ask_for_reset(Client(REMOTE_ADDR="198.51.100.9"), "ada@alice.example")

    assert len(mail_outbox) == 3


def test_one_address_asking_resets_for_many_emails_is_limited_too(ada, mail_outbox):
    client = Client(REMOTE_ADDR=ATTACKER)
    for number in range(10):
        ask_for_reset(client, f"someone-{number}@example.com")

    answer = ask_for_reset(client, "ada@alice.example")

    assert answer["Location"] == "/login/reset/sent/"
    assert mail_outbox == []
    ask_for_reset(Client(REMOTE_ADDR="198.51.100.7"), "ada@alice.example")
    assert len(mail_outbox) == 1
