"""Helpers for users' own tests: see exactly which audit events a block of code made.

>>> with capture_audit_events(trail) as events:
...     client.post("/graphql", json={"query": "mutation { deleteScope(id: 1) { id } }"})
>>> [e["event"] for e in events]
['deleteScope']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from auditmw.types import EventDict

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail


class MemorySink:
    """A sink that keeps every event in a list (``durable`` in the sense that matters to a
    test: once ``write`` returns, the event is there)."""

    durable = True

    def __init__(self, name: str = "memory") -> None:
        self.name = name
        self.events: list[EventDict] = []

    def write(self, events: Sequence[EventDict]) -> None:
        self.events.extend(events)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


@contextlib.contextmanager
def capture_audit_events(trail: AuditTrail) -> Iterator[list[dict[str, Any]]]:
    """Collect the finished events (after redaction, as sinks see them) made in the block.

    Events are taken from the pipeline itself, before the dispatcher, so they are there
    as soon as the recording call returns, whatever the delivery mode.
    """
    captured: list[dict[str, Any]] = []
    remove = trail.add_tap(captured.append)
    try:
        yield captured
    finally:
        remove()
