"""Local times people can read only one way.

When clocks go back, an hour repeats: in Europe/Berlin on 2027-10-31, 02:30 happens at 00:30 UTC (CEST) and
again at 01:30 UTC (CET). "02:30" alone names either; calendars given "02:30" with a TZID take the first
(RFC 5545 §3.3.5), and people guess. Wherever such a time is shown, it says which one it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta


def is_ambiguous(local: datetime) -> bool:
    """Whether `local`'s wall-clock time happens twice in its zone (it is in the repeated hour, either time
    round). `local` is aware, as `astimezone()` makes it, so it always exists at least once."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def time_label(local: datetime) -> str:
    """The time as "02:30", or in the repeated hour as "02:30 CET (UTC+01:00)": the abbreviation and the
    offset tell the two apart. Zones without a lettered abbreviation show the offset alone ("02:30
    (UTC-03:00)")."""
    clock = local.strftime("%H:%M")
    if not is_ambiguous(local):
        return clock
    offset = utc_offset_label(local.utcoffset() or timedelta(0))
    name = local.tzname() or ""
    if not name or name[0] in "+-":
        return f"{clock} ({offset})"
    return f"{clock} {name} ({offset})"


def utc_offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"
