"""The time zones a person may pick: real places, one name each.

`zoneinfo.available_timezones()` lists every file it finds, so a picker built on it offers "localtime" (the
host's own zone, whatever it is), "Factory" (a zone whose abbreviation is "-00"), "posixrules", and a hundred
legacy aliases ("US/Pacific" beside "America/Los_Angeles"). tzdata's zone.tab names the zones people live in,
one per region of each country, under their current names; UTC is added for those who want no zone at all.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

# Files in a zone directory that are not places: never offered, not even as a value saved before.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules", "posix", "right"})


@cache
def zone_names() -> tuple[str, ...]:
    """Every zone a picker offers, sorted: zone.tab's zones and UTC."""
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    names = {line.split("\t")[2] for line in table.splitlines() if line.strip() and not line.startswith("#")}
    return tuple(sorted(names | {"UTC"}))


def is_offered(name: str) -> bool:
    return name in _offered()


@cache
def _offered() -> frozenset[str]:
    return frozenset(zone_names())


def zone_choices(current: str = "") -> list[tuple[str, str]]:
    """Choices for a form's zone field, labelled as people read them ("America/New York").

    A `current` value outside the list (a legacy alias saved before, such as "US/Pacific") stays choosable
    while it is a zone at all, so that saving a form does not fail over a field nobody touched."""
    names = list(zone_names())
    if current and not is_offered(current) and _is_zone(current):
        names = sorted([*names, current])
    return [(name, name.replace("_", " ")) for name in names]


def _is_zone(name: str) -> bool:
    if name in NOT_PLACES:
        return False
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return False
    return True
