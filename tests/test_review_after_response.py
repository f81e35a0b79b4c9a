"""An execution after the door recorded its request (17dbe66), when the response the
door read already shows the field as done: one execution, one event — the hook's.

The door, seeing no execution by the time the last body message goes out and a
response that shows the catalogued field succeeded, would record the field from the
wire ("a server the hook cannot see"). graphql-core then runs the field (an ASGI
background task, still in the request's context) and the hook records it at once. The
door now holds that wire record until its call is over (capture/late_wire.py): the
hook's execution takes its place, so the one event has the execution's actor (u2).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail
from support.late_apps import MUTATION, Root, execute, hooked_trail, via_asgi


@pytest.fixture(params=["async", "sync"])
def trail(request: pytest.FixtureRequest) -> Iterator[AuditTrail]:
    yield from hooked_trail(request.param)


def _run(trail: AuditTrail, answer: bytes) -> list[dict[str, Any]]:
    Root.calls = 0
    with capture_audit_events(trail) as events:
        # the mutation runs once the response is out (a background task)
        via_asgi(trail, lambda: answer, after=lambda: execute(MUTATION, "u2"))
        assert trail.flush(10)
    return list(events)


def test_an_answer_that_shows_nothing_then_the_execution_is_one_event(
        trail: AuditTrail) -> None:
    events = _run(trail, b'{"accepted": true}')
    assert Root.calls == 1
    assert [(e["event"], e["actor"]["id"]) for e in events] == [("createAssetGroup", "u2")]


def test_an_answer_showing_the_field_then_the_execution_is_one_event(
        trail: AuditTrail) -> None:
    events = _run(trail, b'{"data": {"createAssetGroup": {"id": "g-1"}}}')
    assert Root.calls == 1
    assert [(e["event"], e["actor"]["id"]) for e in events] == [("createAssetGroup", "u2")]
