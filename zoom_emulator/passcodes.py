"""Meeting passcode rules: Zoom's fixed charset and length, plus the host's `meeting_password_requirement`."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

MAX_LENGTH = 10
ALLOWED = re.compile(r"^[A-Za-z0-9@\-_*]*$")
SPECIALS = "@-_*"
WEAK = {"123456", "111111", "000000", "654321", "password", "qwerty", "abc123"}


def passcode_violations(password: str, requirement: dict[str, Any]) -> list[str]:
    """The rules `password` breaks, phrased like Zoom's error text; empty when it is acceptable."""
    rules: list[str] = []
    if len(password) > MAX_LENGTH:
        rules.append("Password can only have a maximum 10 characters.")
    if not ALLOWED.match(password):
        rules.append("Password can only contain the following characters: [a-z A-Z 0-9 @ - _ *].")
    # A meeting passcode is at most 10 characters whatever the account asks (zoom-api.md 4.3), so a longer
    # minimum is met by 10: otherwise no passcode at all could be accepted.
    minimum = min(int(requirement.get("length") or 0), MAX_LENGTH)
    if len(password) < minimum:
        rules.append(f"Have a minimum password length of {minimum} characters.")
    if requirement.get("only_allow_numeric") and not password.isdigit():
        rules.append("Only allow numeric password.")
    if requirement.get("have_letter") and not any(ch.isalpha() for ch in password):
        rules.append("Have at least 1 letter (a, b, c...).")
    if requirement.get("have_number") and not any(ch.isdigit() for ch in password):
        rules.append("Have at least 1 number (1, 2, 3...).")
    if requirement.get("have_special_character") and not any(ch in SPECIALS for ch in password):
        rules.append("Have at least 1 special character (@, -, _, *).")
    if requirement.get("have_upper_and_lower_characters") and not (
        any(ch.isupper() for ch in password) and any(ch.islower() for ch in password)
    ):
        rules.append("Include both uppercase and lowercase characters.")
    limit = int(requirement.get("consecutive_characters_length") or 0)
    if limit and longest_consecutive_run(password) >= limit:
        rules.append(f"Can only have a maximum of {limit - 1} consecutive characters (e.g. abcdef).")
    if requirement.get("weak_enhance_detection") and is_weak(password):
        rules.append("Passcode is too weak.")
    return rules


def violation_message(rules: list[str]) -> str:
    return (
        "Password provided does not match the password requirement settings set for this account. "
        f"The password must follow these rules: [{' '.join(rules)}]."
    )


def longest_consecutive_run(password: str) -> int:
    """Longest run of consecutive characters: ascending (`abc`, `123`), descending (`cba`, `321`) or
    repeated (`aaa`, `111`), the patterns Zoom's `consecutive_characters_length` rule is about."""
    longest = 1 if password else 0
    for step in (1, -1, 0):
        run = 1
        for previous, current in zip(password, password[1:], strict=False):
            run = run + 1 if ord(current) - ord(previous) == step else 1
            longest = max(longest, run)
    return longest


def is_weak(password: str) -> bool:
    """Zoom's weak-passcode dictionary is not public (zoom-api.md 4.3); this flags the trivial ones: a
    well-known value, one run of consecutive or repeated characters (`123456`, `fedcba`, `aaaa`), or
    one short unit repeated (`121212`, `abcabc`)."""
    if not password:
        return False
    lowered = password.lower()
    if lowered in WEAK or longest_consecutive_run(lowered) == len(lowered):
        return True
    return any(
        len(lowered) % size == 0 and lowered == lowered[:size] * (len(lowered) // size)
        for size in range(1, len(lowered) // 2 + 1)
    )


def generate_passcode(requirement: dict[str, Any]) -> str:
    """A passcode that satisfies `requirement`, as Zoom generates when the host must have one."""
    length = min(max(int(requirement.get("length") or 6), 6), MAX_LENGTH)
    for _ in range(1000):
        candidate = _candidate(length, requirement)
        if not passcode_violations(candidate, requirement):
            return candidate
    raise RuntimeError(f"cannot satisfy passcode requirement {requirement}")


def _candidate(length: int, requirement: dict[str, Any]) -> str:
    if requirement.get("only_allow_numeric"):
        return "".join(secrets.choice(string.digits) for _ in range(length))
    required = [secrets.choice(string.ascii_lowercase), secrets.choice(string.ascii_uppercase)]
    required.append(secrets.choice(string.digits))
    if requirement.get("have_special_character"):
        required.append(secrets.choice(SPECIALS))
    alphabet = string.ascii_letters + string.digits
    chars = required + [secrets.choice(alphabet) for _ in range(length - len(required))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
