"""Limits on guessing panel passwords, counted in the database (rendez/web/attempts.py) so every web process
agrees, by the client's address as rendez/lib/client_ip.py finds it. docs/operations.md, "Sign-in limits",
gives the numbers and why.

The contract: a refusal is only ever caused by failures of the same (account, address) pair, or, for an
account under attack from many addresses, by the pace of those failures; never by other accounts' failures
alone. Whoever shares an address with an attacker (everyone, behind a proxy missing from
RENDEZ_TRUSTED_PROXIES) still signs in with their right password, unless the attacker guessed at their own
account from there.

- A pair may fail PAIR_FAILURES times per window, then it waits for the window to end.
- An address that failed ADDRESS_FAILURES times across accounts is guessing widely: each of its pairs that
  has not signed in from there before may then fail once per window. A pair with no failure keeps its try.
- An account that failed ACCOUNT_FAILURES times across addresses is under a spread-out attack: addresses it
  has not signed in from lately get one try per ACCOUNT_TURN among them all (a delay, not a lock); the
  addresses it signs in from as usual are untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from rendez.lib.client_ip import address_group
from rendez.web import attempts

WINDOW = timedelta(minutes=15)
PAIR_FAILURES = 5
ADDRESS_FAILURES = 20
ACCOUNT_FAILURES = 50
ACCOUNT_TURN = timedelta(seconds=10)
# How long a successful sign-in makes an address familiar to that account.
FAMILIAR_FOR = timedelta(days=30)

PAIR_LOCKED = (
    "Too many failed sign-in attempts. For your security, signing in is paused for up to 15 minutes; "
    "you can reset your password meanwhile."
)
ACCOUNT_BUSY = (
    "This account has had many failed sign-in attempts just now. Please try again in a few seconds."
)


@dataclass(frozen=True)
class Refusal:
    message: str
    retry_after: int  # seconds


@dataclass(frozen=True)
class Attempt:
    """A sign-in let through to the password check; say how it went."""

    pair: str
    address: str
    account: str
    familiar: str

    def succeeded(self) -> None:
        attempts.forget(self.pair)
        attempts.remember(self.familiar, FAMILIAR_FOR)

    def failed(self) -> None:
        attempts.add_each({self.address: WINDOW, self.account: WINDOW})
        attempts.prune()


def admit(identifier: str, ip: str) -> Attempt | Refusal:
    """Let one password check for `identifier` from `ip` through, counted against its pair, or refuse it."""
    account = account_key(identifier)
    address = address_group(ip)
    attempt = Attempt(
        pair=attempts.key("signin-pair", account, address),
        address=attempts.key("signin-address", address),
        account=attempts.key("signin-account", account),
        familiar=attempts.key("signin-familiar", account, address),
    )
    now = timezone.now()
    counts = attempts.live([attempt.address, attempt.account, attempt.familiar], now)
    familiar = attempt.familiar in counts
    wide = _reached(counts.get(attempt.address), ADDRESS_FAILURES)
    limit = 1 if wide and not familiar else PAIR_FAILURES
    if attempts.add(attempt.pair, WINDOW, below=limit, now=now) is None:
        return Refusal(PAIR_LOCKED, _seconds_left(attempt.pair))
    under_attack = _reached(counts.get(attempt.account), ACCOUNT_FAILURES)
    if under_attack and not familiar and not attempts.claim_turn(attempt.account, ACCOUNT_TURN, now):
        # The turn went to someone else: this try never reached the password and costs the pair nothing.
        attempts.take_back(attempt.pair, now)
        return Refusal(ACCOUNT_BUSY, int(ACCOUNT_TURN.total_seconds()))
    return attempt


def account_key(identifier: str) -> str:
    """The account `identifier` signs in to (as the sign-in form resolves it), or the name itself when none:
    made-up names are counted like accounts, so the answers never tell which exist."""
    users = get_user_model().objects
    if "@" in identifier:
        by_email = list(users.filter(email__iexact=identifier.strip()).values_list("pk", flat=True)[:2])
        if len(by_email) == 1:
            return f"user:{by_email[0]}"
    by_name = list(users.filter(username=identifier).values_list("pk", flat=True)[:1])
    return f"user:{by_name[0]}" if by_name else f"name:{identifier.strip().lower()}"


def _reached(count: attempts.Count | None, bound: int) -> bool:
    return count is not None and count.count >= bound


def _seconds_left(key: str) -> int:
    now = timezone.now()
    count = attempts.live([key], now).get(key)
    return max(1, int((count.expires_at - now).total_seconds())) if count else 1
