"""The zone pickers' list: real places only, each under its current name."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from rendez.lib.zones import is_offered, zone_choices, zone_names


def test_it_offers_the_zones_people_live_in_and_utc():
    names = zone_names()
    for name in ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/Amsterdam", "UTC"):
        assert name in names
    assert list(names) == sorted(names)
    for name in names:
        ZoneInfo(name)


def test_it_leaves_out_host_files_and_legacy_aliases():
    for name in ("localtime", "Factory", "posixrules", "US/Pacific", "GB", "Etc/GMT+5", "EST5EDT", "Zulu"):
        assert not is_offered(name)
        assert name not in dict(zone_choices())


def test_a_legacy_zone_already_saved_stays_choosable_but_nonsense_does_not():
    assert ("US/Pacific", "US/Pacific") in zone_choices(current="US/Pacific")
    assert "Mars/Olympus" not in dict(zone_choices(current="Mars/Olympus"))
    assert "localtime" not in dict(zone_choices(current="localtime"))
    assert dict(zone_choices())["America/New_York"] == "America/New York"
