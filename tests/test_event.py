"""The event shape, ids and times, and the canonical JSON every sink writes."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.event import (
    ACTIONS,
    ACTOR_TYPES,
    CHANNELS,
    OUTCOMES,
    SCHEMA,
    SOURCES,
    Actor,
    AuditEvent,
    Client,
    ErrorInfo,
    RequestInfo,
    Target,
)
from auditmw.ids import format_time, parse_time, uuid7, uuid7_time_ms

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

text = st.text(max_size=40)  # any code point, line separators and controls included
maybe = st.none() | text
# Integers past 64 bits are written as strings (see codec); round trips use the rest.
finite = st.floats(allow_nan=False, allow_infinity=False)
json_leaf = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | finite | text
json_value = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(text, inner, max_size=4), max_leaves=20)

events = st.builds(
    AuditEvent.create,
    event=text, category=text, action=st.sampled_from(ACTIONS),
    outcome=st.sampled_from(OUTCOMES),
    actor=st.builds(Actor, maybe, maybe, st.sampled_from(ACTOR_TYPES), maybe),
    client=st.builds(Client, maybe, maybe, maybe, maybe),
    channel=st.sampled_from(CHANNELS), source=st.sampled_from(SOURCES),
    target=st.builds(Target, maybe, maybe, maybe),
    details=st.dictionaries(text, json_value, max_size=5),
    request=st.builds(RequestInfo, maybe, maybe, st.none() | st.integers(100, 599), maybe,
                      maybe),
    duration_ms=st.floats(0, 1e6),
    error=st.none() | st.builds(ErrorInfo, text, text),
)


@settings(max_examples=150)
@given(events)
def test_any_event_round_trips_through_canonical_json(event: AuditEvent) -> None:
    line = codec.dumps(event.to_dict())
    back = AuditEvent.from_dict(codec.loads(line))
    assert back == event
    assert codec.dumps(back.to_dict()) == line  # canonical: same event, same bytes


@settings(max_examples=100)
@given(st.lists(events, min_size=1, max_size=5))
def test_one_line_is_always_one_event(batch: list[AuditEvent]) -> None:
    data = b"".join(codec.dumps_line(e.to_dict()) for e in batch)
    decoded = data.decode("utf-8")
    # Whatever the strings hold, neither "\n" splitting nor str.splitlines (which also
    # breaks on U+2028, U+0085, \x1c...) cuts an event in two.
    for lines in (decoded.split("\n")[:-1], decoded.splitlines()):
        assert [json.loads(line)["id"] for line in lines] == [e.id for e in batch]


@given(json_value)
def test_canonical_json_is_sorted_compact_utf8(value: Any) -> None:
    out = codec.dumps({"z": value, "a": value})
    assert json.loads(out) == json.loads(json.dumps({"a": value, "z": value}))
    assert out.startswith(b'{"a":')
    assert b'": ' not in out.replace(b'\\"', b"")[:5]


def test_non_json_values_are_kept_as_text() -> None:
    out = codec.loads(codec.dumps({"big": 2**80, "b": b"\xff\x00", "set": {3, 1},
                                   "dt": datetime(2026, 1, 1, tzinfo=UTC)}))
    assert out["big"] == str(2**80)
    assert out["b"] == "\\xff\x00"
    assert out["set"] == [1, 3]
    assert out["dt"].startswith("2026-01-01T00:00:00")


def test_event_shape_matches_the_spec() -> None:
    event = AuditEvent.create("createAssetGroup", "inventory_configuration", "create",
                              error=ErrorInfo("ValueError", "bad"))
    data = event.to_dict()
    assert data["schema"] == SCHEMA == "auditmw/1"
    assert set(data) == {"schema", "id", "time", "event", "category", "action", "outcome",
                         "actor", "client", "channel", "source", "target", "details",
                         "request", "trace", "duration_ms", "service", "error"}
    assert TIME_RE.match(data["time"])
    assert uuid.UUID(data["id"]).version == 7
    assert "error" not in AuditEvent.create("x", "y", "other").to_dict()


def test_created_events_are_frozen_audit_events_like_constructed_ones() -> None:
    """``create`` fills a mutable twin and turns it into an AuditEvent (the frozen
    constructor is five times slower): what comes out is frozen and equal to the
    constructor's event, with defaults of its own."""
    made = AuditEvent.create("createAssetGroup", "inventory_configuration", "create",
                             actor=Actor(id="u1"), tenant="t-1")
    assert type(made) is AuditEvent
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.outcome = "failure"  # type: ignore[misc]
    members = {f.name: getattr(made, f.name) for f in dataclasses.fields(AuditEvent)}
    assert made == AuditEvent(**members)
    assert made.outcome == "success"
    assert made.client == Client()
    other = AuditEvent.create("x", "y", "other")
    assert made.details == other.details == {}
    assert made.details is not other.details
    assert made.with_(outcome="denied").outcome == "denied"


def test_id_and_time_agree_and_ids_sort_in_creation_order() -> None:
    made = [AuditEvent.create("e", "c", "other") for _ in range(5000)]
    ids = [e.id for e in made]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    for event in made[:: 500]:
        ms = int(parse_time(event.time).timestamp() * 1000)
        assert abs(uuid7_time_ms(event.id) - ms) <= 1


def test_uuid7_layout() -> None:
    value = uuid.UUID(uuid7(1_700_000_000_123_000_000))
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 >= 1_700_000_000_123


def test_time_helpers() -> None:
    dt = datetime(2026, 11, 22, 10, 50, 23, 123456, tzinfo=UTC)
    assert format_time(dt) == "2026-11-22T10:50:23.123456Z"
    assert parse_time("2026-11-22T11:50:23.123456+01:00") == dt


def test_to_dict_takes_a_given_trace_as_it_is_and_copies_its_own() -> None:
    own = {"trace_id": "a" * 32, "span_id": "b" * 16}
    event = AuditEvent.create("e", "c", "other", trace=own)
    copied = event.to_dict()
    assert copied["trace"] == own
    assert copied["trace"] is not own
    given = {"trace_id": "c" * 32}
    data = event.to_dict(given)
    assert data["trace"] is given
    assert {k: v for k, v in data.items() if k != "trace"} == \
        {k: v for k, v in copied.items() if k != "trace"}
