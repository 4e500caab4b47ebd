"""Meeting passcodes that Zoom accepts the first time (zoom-api.md 3.1 and 4.3; DESIGN.md 7 "Passwords").

`generate` makes a random passcode for a host's `meeting_password_requirement`; `violations` says why Zoom
would refuse one. Where Zoom's rule is not public (what counts as consecutive, which values are weak) both err
on the strict side: a passcode refused here may be one Zoom would take, never the other way round.
"""

from __future__ import annotations

import random
import re
import secrets
import string

from .schemas import PasswordRequirement

MAX_LENGTH = 10  # "Password can only have a maximum 10 characters", whatever the account says (3.6).
DEFAULT_LENGTH = 6
# The create body allows only `@ - _ *` besides letters and digits (3.1). The response text also lists `!`,
# but a passcode Zoom hands back is not one it promises to take, so `!` is neither generated nor accepted.
SPECIALS = "@-_*"
ALLOWED = frozenset(string.ascii_letters + string.digits + SPECIALS)
ATTEMPTS = 200

# Zoom's weak-passcode dictionary is not public (4.3, 11.7). These head every leaked-password list; they are
# matched case-insensitively anywhere in the passcode, which is stricter than matching the whole of it.
WELL_KNOWN = frozenset(
    {
        "000000", "111111", "102030", "112233", "121212", "123123", "123321", "123456", "147258", "159753",
        "654321", "696969", "789456", "1q2w3e", "abc123", "123abc", "qwerty", "qwertz", "azerty", "asdfgh",
        "zxcvbn", "qazwsx", "password", "passw0rd", "iloveyou", "letmein", "welcome", "monkey", "dragon",
        "master", "shadow", "sunshine", "princess", "football", "baseball", "trustno1",
    }
)  # fmt: skip

# Tests pass a seeded `random.Random`; everything else must keep this default.
_SYSTEM_RANDOM = secrets.SystemRandom()


def generate(requirement: PasswordRequirement | None, *, rng: random.Random = _SYSTEM_RANDOM) -> str:
    """A random passcode that satisfies `requirement`: 6 to 10 characters, 6 digits when nothing is asked.

    Weak values are avoided even when the host does not ask for it: customers type the passcode, strangers
    guess it. Raises `ValueError` when no passcode can satisfy `requirement` (a consecutive-characters
    limit of 1, which Zoom does not offer).
    """
    wanted = (requirement or PasswordRequirement()).model_copy(update={"weak_enhance_detection": True})
    required, fill = _pools(wanted)
    length = target_length(requirement)
    for _ in range(ATTEMPTS):
        candidate = _build(required, fill, length, _max_run(wanted, length), rng)
        if candidate and not violations(candidate, wanted):
            return candidate
    raise ValueError(f"no passcode satisfies {wanted!r}")


def target_length(requirement: PasswordRequirement | None) -> int:
    """The host's minimum, at least 6 (Zoom's own default) and at most the 10 Zoom allows."""
    minimum = requirement.length if requirement else 0
    return min(max(minimum or DEFAULT_LENGTH, DEFAULT_LENGTH), MAX_LENGTH)


def violations(password: str, requirement: PasswordRequirement | None) -> list[str]:
    """Why Zoom would refuse `password` as the passcode of a meeting of a host with `requirement`, in
    words a person understands; empty when it would be accepted. The passcode itself is never quoted,
    so the reasons can be logged."""
    wanted = requirement or PasswordRequirement()
    return (
        _format_violations(password, wanted)
        + _class_violations(password, wanted)
        + _run_violations(password, wanted)
    )


def longest_run(password: str) -> int:
    """The longest run of consecutive characters: ascending (`abc`, `123`), descending (`cba`, `321`) or
    repeated (`aaa`). Case is ignored as well as counted (`aBc` is a run too): Zoom does not say which."""
    return max((_tail_run(password[:end]) for end in range(1, len(password) + 1)), default=0)


def is_weak(password: str) -> bool:
    """One run (`123456`, `fedcba`), one short unit repeated (`121212`, `abcabc`), or a well-known value."""
    lowered = password.lower()
    return (
        longest_run(password) == len(password)
        or re.fullmatch(r"(.+?)\1+", lowered) is not None
        or any(word in lowered for word in WELL_KNOWN)
    )


def _format_violations(password: str, wanted: PasswordRequirement) -> list[str]:
    reasons = []
    if not password:
        reasons.append("The passcode is empty.")
    if len(password) > MAX_LENGTH:
        reasons.append(f"The passcode is longer than {MAX_LENGTH} characters.")
    refused = sorted({char for char in password if char not in ALLOWED})
    if refused:
        shown = " ".join(repr(char) for char in refused)
        reasons.append(f"The passcode may only contain letters, digits and @ - _ *, not {shown}.")
    # A minimum above 10 cannot be met; Zoom's 10-character ceiling is the rule that holds.
    minimum = min(wanted.length, MAX_LENGTH)
    if len(password) < minimum:
        reasons.append(f"The passcode must have at least {minimum} characters.")
    return reasons


def _class_violations(password: str, wanted: PasswordRequirement) -> list[str]:
    if wanted.only_allow_numeric:
        # Numeric-only rules out the other character classes, so they are not asked for as well; Zoom's
        # settings page offers them as alternatives and zoom-api.md's generator (4.3) ignores them too.
        return [] if password.isdigit() else ["The passcode may only contain digits."]
    reasons = []
    if wanted.have_letter and not any(char in string.ascii_letters for char in password):
        reasons.append("The passcode needs at least 1 letter.")
    if wanted.have_upper_and_lower_characters and not (
        any(char.isupper() for char in password) and any(char.islower() for char in password)
    ):
        reasons.append("The passcode needs both an uppercase and a lowercase letter.")
    if wanted.have_number and not any(char in string.digits for char in password):
        reasons.append("The passcode needs at least 1 digit.")
    if wanted.have_special_character and not any(char in SPECIALS for char in password):
        reasons.append("The passcode needs at least 1 of @ - _ *.")
    return reasons


def _run_violations(password: str, wanted: PasswordRequirement) -> list[str]:
    reasons = []
    limit = wanted.consecutive_characters_length
    # `n` allows at most n - 1 consecutive characters; 0 means no restriction (4.3).
    if limit > 0 and longest_run(password) >= limit:
        reasons.append(
            f"The passcode has {longest_run(password)} consecutive characters (like abcd, 4321 or aaaa);"
            f" at most {limit - 1} are allowed."
        )
    if wanted.weak_enhance_detection and password and is_weak(password):
        reasons.append(
            "The passcode is too easy to guess (a sequence, a repeated pattern or a common value)."
        )
    return reasons


def _pools(wanted: PasswordRequirement) -> tuple[list[str], str]:
    """The alphabets of which the passcode needs one character each, and the alphabet for the rest."""
    if wanted.only_allow_numeric or not (
        wanted.have_letter
        or wanted.have_upper_and_lower_characters
        or wanted.have_number
        or wanted.have_special_character
    ):
        # Digits when no class is asked for: easiest to read out and to type, on a phone keypad too.
        return [string.digits], string.digits
    required = []
    if wanted.have_upper_and_lower_characters:
        required += [string.ascii_uppercase, string.ascii_lowercase]
    elif wanted.have_letter:
        required.append(string.ascii_letters)
    if wanted.have_number:
        required.append(string.digits)
    if wanted.have_special_character:
        required.append(SPECIALS)
    # Specials only when asked for: they are the hardest characters to read out and to type on a phone.
    fill = string.ascii_letters + string.digits + (SPECIALS if wanted.have_special_character else "")
    return required, fill


def _max_run(wanted: PasswordRequirement, length: int) -> int:
    limit = wanted.consecutive_characters_length
    return limit - 1 if limit > 0 else length


def _build(required: list[str], fill: str, length: int, max_run: int, rng: random.Random) -> str:
    """One character from each required alphabet at random places, the rest from `fill`, never extending
    a run past `max_run`; empty when a place has no character left (only with absurd limits)."""
    alphabets = required + [fill] * (length - len(required))
    rng.shuffle(alphabets)
    password = ""
    for alphabet in alphabets:
        options = [char for char in alphabet if _tail_run(password + char) <= max_run]
        if not options:
            return ""
        password += rng.choice(options)
    return password


def _tail_run(text: str) -> int:
    """The longest run of consecutive characters that ends at the last character of `text`."""
    return max(_tail_run_by(variant, step) for variant in (text, text.lower()) for step in (1, -1, 0))


def _tail_run_by(text: str, step: int) -> int:
    run = 1
    for index in range(len(text) - 1, 0, -1):
        if ord(text[index]) - ord(text[index - 1]) != step:
            break
        run += 1
    return run
