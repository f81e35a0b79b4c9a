"""LateWire in every order its callers can meet it (capture/late_wire.py).

In async mode the request's events are built in a delivery thread, so the build, the
door's end, flushes and the executions after the response come in any order. Whatever
the order: per catalogue event, the events written (wire records and the hook's) are
the executions — ``max(shown, ran)`` for a request whose answer shows ``shown`` and in
which the hook saw ``ran`` after the response (the answer's fields are those the late
executions announced, or ran by an engine the hook cannot see) — nothing stays held
once the door's call is over, and a wire record is written only when no execution took
its place in time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.capture import late_wire
from auditmw.capture.late_wire import LateWire
from auditmw.event import AuditEvent

NAMES = ("createAssetGroup", "deleteAssetGroup")


class _Trail:
    def __init__(self) -> None:
        self.emitted: list[AuditEvent] = []

    def emit(self, event: AuditEvent) -> bool:
        self.emitted.append(event)
        return True


def _wire(name: str) -> AuditEvent:
    return AuditEvent.create(name, "inventory_configuration", "create")


@st.composite
def _scenarios(draw: Any) -> tuple[list[str], list[tuple[str, Any]], bool]:
    shown = draw(st.lists(st.sampled_from(NAMES), max_size=3))
    ran = draw(st.lists(st.sampled_from(NAMES), max_size=3))
    ends_later = draw(st.booleans())
    flushes = draw(st.integers(0, 2))
    ops: list[tuple[str, Any]] = [("build", None), *(("ran", n) for n in ran),
                                  *(("flush", None),) * flushes]
    if ends_later:
        ops.append(("end", None))
    ops = draw(st.permutations(ops))
    return shown, ops, ends_later


@settings(max_examples=400, deadline=None)
@given(_scenarios())
def test_events_are_the_executions_in_any_order(
        scenario: tuple[list[str], list[tuple[str, Any]], bool]) -> None:
    shown, ops, ends_later = scenario
    trail = _Trail()
    late = LateWire(trail, None, ended=not ends_later)  # type: ignore[arg-type]
    yielded: list[AuditEvent] = []
    hooks: list[str] = []
    for op, name in ops:
        if op == "build":
            yielded += late.wire_built([_wire(n) for n in shown])
        elif op == "ran":
            if late.ran(name):
                hooks.append(name)
        elif op == "flush":
            late_wire.write_waiting(trail)  # type: ignore[arg-type]
        else:
            late.release()
    late_wire.write_waiting(trail)  # type: ignore[arg-type]  # the trail's close
    written = Counter(e.event for e in yielded + trail.emitted) + Counter(hooks)
    wanted = Counter(shown) | Counter(n for op, n in ops if op == "ran")
    assert written == wanted
    assert not late.held
    assert late not in late_wire._waiting


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NAMES), max_size=3),
       st.lists(st.sampled_from(NAMES), max_size=3), st.booleans())
def test_an_execution_before_the_end_is_the_hooks_event(
        shown: list[str], ran: list[str], build_first: bool) -> None:
    """With no flush, every execution before the door's end takes a wire record's
    place: the wire records written are only those no execution matched."""
    trail = _Trail()
    late = LateWire(trail, None, ended=False)  # type: ignore[arg-type]
    hooks = []
    if build_first:
        assert late.wire_built([_wire(n) for n in shown]) == []
    hooks = [n for n in ran if late.ran(n)]
    if not build_first:
        assert late.wire_built([_wire(n) for n in shown]) == []
    late.release()
    assert hooks == ran  # every execution is recorded by the hook
    assert Counter(e.event for e in trail.emitted) == Counter(shown) - Counter(ran)
    assert late not in late_wire._waiting
