"""Leapwork dates, the DST rules of ``local_to_utc``, RFC 3339 parsing, the machine zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditmw.server.dates import (
    LocalDate,
    local_to_utc,
    machine_zone,
    parse_leapwork_date,
    parse_rfc3339,
)


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("2022-04-18 17:15", LocalDate(datetime(2022, 4, 18, 17, 15), "minute"),
                 id="date-time"),
    pytest.param("2022-04-18", LocalDate(datetime(2022, 4, 18), "day"), id="date"),
    pytest.param(" 2022-04-18 ", LocalDate(datetime(2022, 4, 18), "day"), id="spaces"),
    pytest.param("2024-02-29", LocalDate(datetime(2024, 2, 29), "day"), id="leap-day"),
    pytest.param("2023-02-29", None, id="not-a-leap-year"),
    pytest.param("2022-04-18 24:00", None, id="hour-24"),
    pytest.param("2022-04-18 17:60", None, id="minute-60"),
    pytest.param("2022-4-18", None, id="one-digit-month"),
    pytest.param("2022-04-18T17:15", None, id="iso-T"),
    pytest.param("2022-04-18 17:15:00", None, id="seconds"),
    pytest.param("2022-04-18 17:15Z", None, id="zone-suffix"),
    pytest.param("", None, id="empty"),
    pytest.param("２０２２-04-18", None, id="fullwidth-digits"),
])
def test_parse_leapwork_date(text: str, expected: LocalDate | None) -> None:
    assert parse_leapwork_date(text) == expected


def test_next_start_steps_a_minute_or_a_day() -> None:
    assert LocalDate(datetime(2022, 12, 31, 23, 59), "minute").next_start == datetime(2023, 1, 1)
    assert LocalDate(datetime(2022, 12, 31), "day").next_start == datetime(2023, 1, 1)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("zone", "local", "side", "expected"), [
    pytest.param("Europe/Brussels", "2024-01-10 12:00", "start", "2024-01-10 11:00",
                 id="plain-winter"),
    pytest.param("Europe/Brussels", "2024-03-31 02:30", "start", "2024-03-31 01:00",
                 id="gap-is-the-jump"),
    pytest.param("Europe/Brussels", "2024-03-31 02:00", "end", "2024-03-31 01:00",
                 id="gap-start-is-the-jump"),
    pytest.param("Europe/Brussels", "2024-03-31 03:00", "start", "2024-03-31 01:00",
                 id="after-gap"),
    pytest.param("Europe/Brussels", "2024-10-27 02:30", "start", "2024-10-27 00:30",
                 id="overlap-start-earlier"),
    pytest.param("Europe/Brussels", "2024-10-27 02:30", "end", "2024-10-27 01:30",
                 id="overlap-end-later"),
    pytest.param("America/New_York", "2024-03-10 02:15", "start", "2024-03-10 07:00",
                 id="new-york-gap"),
    pytest.param("America/New_York", "2024-11-03 01:15", "end", "2024-11-03 06:15",
                 id="new-york-overlap-end"),
    pytest.param("Australia/Lord_Howe", "2024-10-06 02:10", "start", "2024-10-05 15:30",
                 id="half-hour-dst-gap"),
    pytest.param("America/Santiago", "2024-09-08 00:00", "start", "2024-09-08 04:00",
                 id="midnight-gap"),
])
def test_local_to_utc(zone: str, local: str, side: str, expected: str) -> None:
    naive = datetime.fromisoformat(local)
    assert local_to_utc(naive, ZoneInfo(zone), side) == _utc(expected)  # type: ignore[arg-type]


ZONES = st.sampled_from(["Europe/Brussels", "America/New_York", "Australia/Lord_Howe",
                         "America/Santiago", "Asia/Kolkata", "UTC"])
NAIVE = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2038, 1, 1)).map(
    lambda d: d.replace(second=0, microsecond=0))


@given(ZONES, NAIVE, NAIVE)
def test_wall_clock_order_is_kept(zone_name: str, a: datetime, b: datetime) -> None:
    zone = ZoneInfo(zone_name)
    low, high = sorted((a, b))
    assert local_to_utc(low, zone, "start") <= local_to_utc(high, zone, "start")
    assert local_to_utc(low, zone, "end") <= local_to_utc(high, zone, "end")
    assert local_to_utc(a, zone, "start") <= local_to_utc(a, zone, "end")


@given(ZONES, NAIVE)
def test_a_minute_range_covers_every_instant_showing_it(zone_name: str, a: datetime) -> None:
    zone = ZoneInfo(zone_name)
    start = local_to_utc(a, zone, "start")
    end = local_to_utc(a + timedelta(minutes=1), zone, "end")
    # Every instant whose local wall time falls in minute `a` is inside [start, end).
    for fold in (0, 1):
        instant = a.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == a:  # it exists
            assert start <= instant < end


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("2026-11-22T10:50:23Z", "2026-11-22 10:50:23", id="z"),
    pytest.param("2026-11-22t10:50:23z", "2026-11-22 10:50:23", id="lower-case"),
    pytest.param("2026-11-22T10:50:23.123456+02:00", "2026-11-22 08:50:23.123456",
                 id="offset"),
    pytest.param("2026-11-22 10:50:23.123456789-01:30", "2026-11-22 12:20:23.123456",
                 id="nanoseconds-cut"),
])
def test_parse_rfc3339(text: str, expected: str) -> None:
    assert parse_rfc3339(text) == _utc(expected)


@pytest.mark.parametrize("text", [
    pytest.param("2026-11-22T10:50:23", id="no-offset"),
    pytest.param("2026-11-22", id="date-only"),
    pytest.param("2026-02-30T10:50:23Z", id="feb-30"),
    pytest.param("yesterday", id="words"),
    pytest.param("2026-11-22T10:50:23+25:00", id="bad-offset"),
])
def test_parse_rfc3339_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="date-time"):
        parse_rfc3339(text)


def test_machine_zone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    zone = machine_zone()
    assert datetime(2024, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=-4)
    assert datetime(2024, 1, 1, tzinfo=zone).utcoffset() == timedelta(hours=-5)
