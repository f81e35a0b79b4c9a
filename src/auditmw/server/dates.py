"""Dates of the audit APIs: the Leapwork ``fromDate``/``toDate`` forms, RFC 3339, zones.

Leapwork dates are local wall-clock times (``yyyy-MM-dd HH:mm`` or ``yyyy-MM-dd``) in the
configured zone. A local minute does not always name exactly one instant, so a boundary
is converted to UTC by these rules (zoneinfo, PEP 495):

* a minute that exists once is that instant;
* an *ambiguous* minute (shown twice when clocks go back) is read so that the range
  covers both occurrences: its earlier occurrence when it starts a range, its later
  occurrence when it ends one;
* a *non-existent* minute (skipped when clocks go forward) is the instant of the jump:
  every wall time inside the gap names that same instant, so wall-clock order is kept
  and no event is lost or invented.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Side = Literal["start", "end"]
Precision = Literal["minute", "day"]

_LEAPWORK_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?", re.ASCII)
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
_STEP = {"minute": timedelta(minutes=1), "day": timedelta(days=1)}


@dataclass(frozen=True, slots=True)
class LocalDate:
    """A parsed Leapwork date: the naive local start of the stated minute or day."""

    start: datetime
    precision: Precision

    @property
    def next_start(self) -> datetime:
        """The naive local start of the following minute or day (the exclusive end)."""
        return self.start + _STEP[self.precision]


def parse_leapwork_date(text: str) -> LocalDate | None:
    """``yyyy-MM-dd HH:mm`` or ``yyyy-MM-dd``; ``None`` for anything else."""
    match = _LEAPWORK_DATE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day, hour, minute = match.groups()
    try:
        if hour is None:
            return LocalDate(datetime(int(year), int(month), int(day)), "day")
        return LocalDate(datetime(int(year), int(month), int(day), int(hour), int(minute)),
                         "minute")
    except ValueError:  # 2022-02-30, 24:00 ...
        return None


def _transition_between(low: datetime, high: datetime, zone: tzinfo) -> datetime:
    """The first UTC instant in ``(low, high]`` whose offset in ``zone`` is ``high``'s."""
    wanted = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == wanted:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def local_to_utc(naive: datetime, zone: tzinfo, side: Side) -> datetime:
    """The UTC instant of a local wall time, by the module's gap/overlap rules.

    Raises :class:`OverflowError` when the instant is outside ``datetime``'s range.
    """
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    exists = first.astimezone(zone).replace(tzinfo=None) == naive
    if exists:  # an overlap: fold=0 is the earlier occurrence
        return first if side == "start" else second
    # A gap: fold=1 reads it with the later offset (an instant before the jump),
    # fold=0 with the earlier one (an instant after it).
    return _transition_between(second, first, zone)


def machine_zone() -> tzinfo:
    """The machine's zone, DST rules included: ``$TZ``, else ``/etc/localtime``.

    Falls back to the current fixed UTC offset (no DST rules) where neither can be read,
    which is why setting ``timezone`` explicitly is recommended on such hosts.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    localtime = Path("/etc/localtime")
    try:
        with localtime.open("rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError):
        pass
    fixed = datetime.now().astimezone().tzinfo
    return fixed if fixed is not None else UTC


def resolve_zone(name: str | None) -> tzinfo:
    """The configured ``timezone`` (an IANA name, already validated), else the machine's."""
    return ZoneInfo(name) if name else machine_zone()


def parse_rfc3339(text: str) -> datetime:
    """An RFC 3339 date-time with an offset (``Z`` or ``±hh:mm``) as aware UTC.

    Raises :class:`ValueError` with a message fit for a 400 answer.
    """
    value = text.strip()
    example = "e.g. 2026-11-22T10:50:23Z"
    if not _RFC3339.fullmatch(value):
        raise ValueError(f"must be an RFC 3339 date-time with an offset, {example}")
    # Python keeps microseconds; cut longer fractions rather than refuse them.
    value = re.sub(r"(\.\d{6})\d+", r"\1", value).replace("z", "Z").replace("t", "T")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"is not a valid date-time, {example}") from None
    return parsed.astimezone(UTC)
