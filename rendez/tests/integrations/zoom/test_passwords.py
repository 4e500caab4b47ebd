"""Meeting passcodes for every kind of host requirement: checked by our own rules and by the emulator's
(Zoom's stand-in, whose agreement is the point), and accepted by the emulator over HTTP the first time."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest

from rendez.integrations.zoom.passwords import generate, longest_run, target_length, violations
from rendez.integrations.zoom.schemas import PasswordRequirement, UserSettings
from zoom_emulator import passcodes as emulator_passcodes
from zoom_emulator.testing import RunningEmulator, run_emulator
from zoom_emulator.tests.clients import JONAS, LEA, MARIA, SAM, TOMAS, bearer, s2s_token, user_tokens

SEEDS = range(300)
# What a host who changed nothing has (zoom_emulator/user_settings.py): "no requirement" in effect.
ZOOM_DEFAULT = PasswordRequirement(length=6)


@dataclass(frozen=True)
class Case:
    requirement: PasswordRequirement | None
    host: str  # the emulator's seeded user who hosts the end-to-end meeting
    seeded: bool = False  # the seed already gives `host` this requirement; otherwise the test sets it


CASES = {
    "no requirement": Case(None, MARIA, seeded=True),
    "numeric only, length 6": Case(PasswordRequirement(length=6, only_allow_numeric=True), SAM, seeded=True),
    "upper and lower case, special character, length 8, consecutive 4, weak detection": Case(
        PasswordRequirement(
            length=8,
            have_letter=True,
            have_number=True,
            have_special_character=True,
            have_upper_and_lower_characters=True,
            consecutive_characters_length=4,
            weak_enhance_detection=True,
        ),
        LEA,
        seeded=True,
    ),
    "letters and digits, length 10, consecutive 5": Case(
        PasswordRequirement(length=10, have_letter=True, have_number=True, consecutive_characters_length=5),
        JONAS,
    ),
    "numeric only, length 8, consecutive 4, weak detection": Case(
        PasswordRequirement(
            length=8, only_allow_numeric=True, consecutive_characters_length=4, weak_enhance_detection=True
        ),
        TOMAS,
    ),
    "special character only, consecutive 4": Case(
        PasswordRequirement(have_special_character=True, consecutive_characters_length=4), JONAS
    ),
    "length 12, letters": Case(PasswordRequirement(length=12, have_letter=True), TOMAS),
}


ABOVE_TEN = "length 12, letters"


def case_params() -> list[Any]:
    return [pytest.param(name, id=name) for name in CASES]


def emulator_requirement(requirement: PasswordRequirement | None) -> dict[str, object]:
    return requirement.model_dump() if requirement else {}


def passcodes(requirement: PasswordRequirement | None) -> Iterator[str]:
    for seed in SEEDS:
        yield generate(requirement, rng=random.Random(seed))


# --- generated passcodes, by property -----------------------------------------------------------------------


@pytest.mark.parametrize("name", case_params())
def test_generated_passcodes_satisfy_the_requirement(name):
    requirement = CASES[name].requirement

    for password in passcodes(requirement):
        assert violations(password, requirement) == [], password
        assert len(password) == target_length(requirement) <= 10
        assert set(password) <= set(string.ascii_letters + string.digits + "@-_*"), password


@pytest.mark.parametrize("name", case_params())
def test_the_emulator_accepts_every_generated_passcode(name):
    requirement = CASES[name].requirement

    for password in passcodes(requirement):
        assert emulator_passcodes.passcode_violations(password, emulator_requirement(requirement)) == [], (
            password
        )
        assert not emulator_passcodes.is_weak(password), password


@pytest.mark.parametrize("name", case_params())
def test_generated_passcodes_differ_from_seed_to_seed(name):
    distinct = set(passcodes(CASES[name].requirement))

    assert len(distinct) >= 0.95 * len(SEEDS)


@pytest.mark.parametrize("requirement", [None, PasswordRequirement(), ZOOM_DEFAULT])
def test_with_no_requirement_it_is_six_digits_and_not_weak(requirement):
    for password in passcodes(requirement):
        assert len(password) == 6 and password.isdigit(), password
        assert violations(password, PasswordRequirement(weak_enhance_detection=True)) == [], password


def test_numeric_only_is_digits_even_if_other_classes_are_ticked():
    requirement = PasswordRequirement(only_allow_numeric=True, have_letter=True, have_special_character=True)

    assert all(password.isdigit() for password in passcodes(requirement))


def test_a_minimum_above_ten_gives_ten_characters():
    requirement = CASES[ABOVE_TEN].requirement

    assert {len(password) for password in passcodes(requirement)} == {10}


def test_mixed_requirements_get_each_class_somewhere():
    requirement = CASES[
        "upper and lower case, special character, length 8, consecutive 4, weak detection"
    ].requirement

    for password in passcodes(requirement):
        assert any(char.isupper() for char in password) and any(char.islower() for char in password)
        assert any(char.isdigit() for char in password) and any(char in "@-_*" for char in password)
        assert longest_run(password) <= 3, password


def test_the_default_generator_is_the_system_one():
    requirement = CASES[
        "upper and lower case, special character, length 8, consecutive 4, weak detection"
    ].requirement

    assert violations(generate(requirement), requirement) == []


def test_an_impossible_requirement_is_an_error_not_a_loop():
    with pytest.raises(ValueError):
        generate(PasswordRequirement(consecutive_characters_length=1))


# --- violations ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_it_never_accepts_a_passcode_the_emulator_refuses(name):
    requirement = CASES[name].requirement
    rng = random.Random(name)
    alphabet = string.ascii_letters + string.digits + "@-_*!# "
    samples = ["".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(2000)]
    samples += ["".join(rng.choices(string.digits, k=rng.randint(4, 11))) for _ in range(2000)]
    samples += [
        "123456",
        "654321",
        "111111",
        "121212",
        "abcabc",
        "Password",
        "qwerty",
        "Ab1@Ab1@",
        "aBcD-1x*",
    ]

    for password in samples:
        if emulator_passcodes.passcode_violations(password, emulator_requirement(requirement)):
            assert violations(password, requirement), password


@pytest.mark.parametrize(
    ("password", "requirement", "reason"),
    [
        ("", None, "empty"),
        ("12345678901", None, "longer than 10"),
        ("abc!def", None, "not '!'"),
        ("Ab1-", PasswordRequirement(length=8), "at least 8 characters"),
        ("Ab1-x", PasswordRequirement(length=12), "at least 10 characters"),
        ("12ab34", PasswordRequirement(only_allow_numeric=True), "only contain digits"),
        ("123456", PasswordRequirement(have_letter=True), "1 letter"),
        ("abcxyz", PasswordRequirement(have_number=True), "1 digit"),
        ("abc1x9", PasswordRequirement(have_special_character=True), "1 of @ - _ *"),
        ("abcx19", PasswordRequirement(have_upper_and_lower_characters=True), "uppercase and a lowercase"),
        ("x1abcd9", PasswordRequirement(consecutive_characters_length=4), "4 consecutive"),
        ("x94321z", PasswordRequirement(consecutive_characters_length=4), "4 consecutive"),
        ("x@aaaa9", PasswordRequirement(consecutive_characters_length=4), "4 consecutive"),
        ("xaBcD9", PasswordRequirement(consecutive_characters_length=4), "4 consecutive"),
        ("121212", PasswordRequirement(weak_enhance_detection=True), "too easy"),
        ("xyzxyz", PasswordRequirement(weak_enhance_detection=True), "too easy"),
        ("MyPassword", PasswordRequirement(weak_enhance_detection=True), "too easy"),
        ("fedcba", PasswordRequirement(weak_enhance_detection=True), "too easy"),
    ],
)
def test_it_says_why_a_passcode_is_refused(password, requirement, reason):
    reasons = violations(password, requirement)

    assert any(reason in text for text in reasons), reasons


@pytest.mark.parametrize(
    ("password", "requirement"),
    [
        ("abc1x@8fdh", PasswordRequirement(consecutive_characters_length=4)),  # zoom-api.md 4.3's own example
        ("1234", None),
        ("123456", None),  # weak, but only refused when the host asks for weak detection
        ("a-b_c*d@", PasswordRequirement(length=8, have_special_character=True)),
        (
            "Qx7-42ab",
            CASES[
                "upper and lower case, special character, length 8, consecutive 4, weak detection"
            ].requirement,
        ),
    ],
)
def test_it_accepts_what_zoom_accepts(password, requirement):
    assert violations(password, requirement) == []
    assert emulator_passcodes.passcode_violations(password, emulator_requirement(requirement)) == []


# --- end to end, over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
def zoom() -> Iterator[RunningEmulator]:
    with run_emulator() as running:
        yield running


def host_session(zoom: RunningEmulator, host: str) -> tuple[httpx2.Client, str]:
    """An API client with a token that may act for `host`, and how the API names the host: S2S for the Demo
    Clinic, the host's own OAuth consent for Sam, whose Free account has no S2S app."""
    with httpx2.Client(base_url=zoom.base_url, timeout=5.0) as oauth:
        if host == SAM:
            token, user_key = str(user_tokens(oauth, SAM)["access_token"]), "me"
        else:
            token, user_key = s2s_token(oauth), host
    return httpx2.Client(base_url=zoom.api_base_url, headers=bearer(token), timeout=5.0), user_key


def host_requirement(api: httpx2.Client, user_key: str) -> PasswordRequirement:
    """The host's requirement as the lifecycle will read it: user settings over HTTP, parsed by our schema."""
    response = api.get(f"/users/{user_key}/settings")
    assert response.status_code == 200, response.text
    return UserSettings.model_validate(response.json()).schedule_meeting.meeting_password_requirement


@pytest.mark.parametrize("name", case_params())
def test_zoom_takes_the_passcode_the_first_time(zoom, name):
    case = CASES[name]
    if not case.seeded:
        requirement_on_zoom = emulator_requirement(case.requirement)
        zoom.control.set_user_settings(
            case.host, {"schedule_meeting": {"meeting_password_requirement": requirement_on_zoom}}
        )
    api, user_key = host_session(zoom, case.host)
    with api:
        requirement = host_requirement(api, user_key)
        assert requirement == (case.requirement or ZOOM_DEFAULT)
        password = generate(requirement)

        created = api.post(
            f"/users/{user_key}/meetings",
            json={
                "topic": "Video consultation",
                "type": 2,
                "start_time": "2030-04-10T13:30:00Z",
                "timezone": "Europe/Berlin",
                "duration": 30,
                "password": password,
            },
        )

    assert created.status_code == 201, (password, created.text)
    assert created.json()["password"] == password
