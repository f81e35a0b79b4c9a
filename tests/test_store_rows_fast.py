"""The store's columns of an event (``rows.event_columns``) take a fast path when every
value is ASCII text without NUL; it must give exactly what the one-by-one way gives
(each value through ``column_text``) for any event, and refuse the same events."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.store.base import UnstorableEvent
from auditmw.store.rows import column_text, event_columns, time_text_to_us
from auditmw.store.sample import sample_events


def one_by_one(event: dict[str, Any]) -> tuple[Any, ...]:
    """The plain way: every column through ``column_text`` on its own."""
    actor = event.get("actor") or {}
    target = event.get("target") or {}
    client = event.get("client") or {}
    integrity = event.get("integrity") or {}
    seq = integrity.get("seq")
    text = column_text
    return (text(event["id"]), time_text_to_us(event["time"]), text(event.get("event")),
            text(event.get("category")), text(event.get("outcome")), text(actor.get("id")),
            text(actor.get("name")), text(target.get("id")), text(target.get("name")),
            text(client.get("ip")), text(integrity.get("chain")),
            seq if isinstance(seq, int) else None, text(integrity.get("hash")),
            text(event.get("tenant")))


# Values as events carry them, and the ones the fast path must hand on: NUL, non-ASCII,
# lone surrogates, numbers, booleans, None, the empty string.
VALUES = st.one_of(
    st.none(), st.text(max_size=12),
    st.text(alphabet=st.characters(codec="ascii"), max_size=12),
    st.sampled_from(["", "\x00", "a\x00b", "é", "\ud800", "x\udfffy", "plain"]),
    st.integers(), st.booleans(), st.floats(allow_nan=False))


def _part(keys: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.just({}),
                     st.fixed_dictionaries({}, optional=dict.fromkeys(keys, VALUES)))


EVENTS = st.fixed_dictionaries(
    {"id": st.one_of(st.text(min_size=1, max_size=40), st.just("01a2-\x00"), st.just("é")),
     "time": st.just("2026-11-22T10:50:23.123456Z")},
    optional={"event": VALUES, "category": VALUES, "outcome": VALUES, "tenant": VALUES,
              "actor": _part(("id", "name")), "target": _part(("id", "name")),
              "client": _part(("ip",)),
              "integrity": st.one_of(_part(("chain", "hash")), st.fixed_dictionaries(
                  {"chain": VALUES, "hash": VALUES, "seq": st.one_of(VALUES, st.integers())}))})


@settings(max_examples=600, deadline=None)
@given(EVENTS)
def test_the_columns_are_those_of_the_one_by_one_way(event: dict[str, Any]) -> None:
    fast = event_columns(event)
    plain = one_by_one(event)
    assert fast == plain
    assert [type(value) for value in fast] == [type(value) for value in plain]


def test_the_bench_events_take_the_fast_path_and_agree() -> None:
    events = list(sample_events(300, tenants=10))
    events[5]["actor"]["name"] = "Zoë"
    events[6]["target"]["id"] = "t\x00"
    events[7]["actor"]["id"] = 42
    for event in events:
        assert event_columns(event) == one_by_one(event)


@pytest.mark.parametrize("part", ["actor", "target", "client", "integrity"])
def test_a_part_that_is_not_an_object_is_refused_by_name(part: str) -> None:
    [event] = sample_events(1)
    event[part] = "bob"
    with pytest.raises(UnstorableEvent, match="must be objects"):
        event_columns(event)
