"""The Leapwork record mapping (``auditmw.exports.leapwork``): a pure function over events."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditmw.exports.leapwork import LEAPWORK_FIELDS, leapwork_record, user_or_system

BRUSSELS = ZoneInfo("Europe/Brussels")


def _event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "schema": "auditmw/1", "id": "x", "time": "2022-04-18T08:50:23.999999Z",
        "event": "Login", "category": "site_access", "action": "access", "outcome": "success",
        "actor": {"id": "1", "name": "Administrator", "type": "user", "team": "Team 1"},
        "client": {"ip": "127.0.0.1", "hostname": "LAPTOP-UFSQU872"},
        "channel": "ui", "source": "rest", "target": {"name": "Administrator"},
        "details": {"user": "Administrator"},
    }
    event.update(overrides)
    return event


def test_the_seed_documents_example_row() -> None:
    # Brussels is UTC+2 in April: 08:50:23.999999Z is 10:50:23 local, cut not rounded.
    assert leapwork_record(_event(), BRUSSELS) == {
        "Date": "2022-04-18 10:50:23", "IPAddress": "127.0.0.1",
        "Hostname": "LAPTOP-UFSQU872", "UserOrSystem": "Administrator", "Team": "Team 1",
        "Event": "Login", "Asset": "Administrator", "Details": '{"user":"Administrator"}',
    }
    assert tuple(leapwork_record(_event(), BRUSSELS)) == LEAPWORK_FIELDS


def test_platform_edition_has_no_team() -> None:
    row = leapwork_record(_event(), BRUSSELS, "platform")
    assert "Team" not in row
    assert tuple(row) == tuple(f for f in LEAPWORK_FIELDS if f != "Team")


@pytest.mark.parametrize(("actor", "expected"), [
    pytest.param({"type": "user", "name": "Ann", "id": "u1"}, "Ann", id="user-name"),
    pytest.param({"type": "user", "id": "u1"}, "u1", id="user-without-name"),
    pytest.param({"type": "user"}, "User", id="user-unknown"),
    pytest.param({"type": "api", "name": "ci-key"}, "API", id="api"),
    pytest.param({"type": "scheduler", "name": "nightly"}, "Scheduler", id="scheduler"),
    pytest.param({"type": "system"}, "System", id="system"),
    pytest.param({"type": "anonymous"}, "Anonymous", id="anonymous"),
    pytest.param({}, "Anonymous", id="no-actor"),
    pytest.param({"type": "controller"}, "Controller", id="other-type-capitalised"),
])
def test_user_or_system(actor: dict[str, str], expected: str) -> None:
    assert user_or_system(actor) == expected


@pytest.mark.parametrize(("target", "expected"), [
    pytest.param({"id": "g-1", "name": "Servers"}, "Servers", id="name-first"),
    pytest.param({"id": "g-1"}, "g-1", id="else-id"),
    pytest.param({}, "", id="none"),
])
def test_asset(target: dict[str, str], expected: str) -> None:
    assert leapwork_record(_event(target=target), BRUSSELS)["Asset"] == expected


def test_missing_parts_are_empty_strings_not_null() -> None:
    row = leapwork_record(_event(client={}, actor={"type": "system"}, details={}), BRUSSELS)
    assert row["IPAddress"] == row["Hostname"] == row["Team"] == ""
    assert row["Details"] == "{}"
    assert all(isinstance(v, str) for v in row.values())


def test_details_are_compact_sorted_json() -> None:
    row = leapwork_record(_event(details={"z": 1, "a": {"k": "é"}}), UTC)
    assert row["Details"] == '{"a":{"k":"é"},"z":1}'


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1),
                    timezones=st.just(UTC)))
def test_date_reads_back_to_the_instant_cut_to_seconds(moment: datetime) -> None:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    date = leapwork_record(_event(time=text), BRUSSELS)["Date"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", date)
    naive = datetime.strptime(date, "%Y-%m-%d %H:%M:%S")
    # An ambiguous local second has two instants; one of them is the event's.
    candidates = {naive.replace(tzinfo=BRUSSELS, fold=f).astimezone(UTC) for f in (0, 1)}
    assert moment.replace(microsecond=0) in candidates
    assert all(c <= moment < c + timedelta(seconds=1) for c in candidates
               if c == moment.replace(microsecond=0))


def test_an_impersonator_is_named_after_the_user() -> None:
    from auditmw.exports.leapwork import user_or_system

    assert user_or_system({"type": "user", "id": "u2", "name": "Bo",
                           "on_behalf_of": {"id": "admin-9", "name": "Ada Admin"}}) == \
        "Bo (impersonated by Ada Admin)"
    assert user_or_system({"type": "user", "id": "u2", "name": "Bo"}) == "Bo"
