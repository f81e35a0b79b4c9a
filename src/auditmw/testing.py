"""Helpers for users' own tests: see exactly which audit events a block of code made.

>>> with capture_audit_events(trail) as events:
...     client.post("/graphql", json={"query": "mutation { deleteScope(id: 1) { id } }"})
>>> [e["event"] for e in events]
['deleteScope']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, SupportsIndex, overload

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


class CapturedEvents(list[EventDict]):
    """The finished events a block made, in the order they were recorded: a list.

    Recording in a test takes the production path (in async mode the events are built
    and processed in a delivery thread); reading this list first has the trail finish,
    here, whatever is still waiting (:meth:`AuditTrail.settle`), so the events are there
    as soon as the recording call returns. (Code that reads a list's storage directly,
    like ``json.dumps``, sees what was finished so far; the block's end settles all.)"""

    def __init__(self, trail: AuditTrail) -> None:
        super().__init__()
        self._trail = trail

    def _take(self, event: EventDict) -> None:
        list.append(self, event)

    def _settle(self) -> None:
        self._trail.settle()

    @overload
    def __getitem__(self, index: SupportsIndex) -> EventDict: ...
    @overload
    def __getitem__(self, index: slice) -> list[EventDict]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> EventDict | list[EventDict]:
        self._settle()
        return super().__getitem__(index)

    def __len__(self) -> int:
        self._settle()
        return super().__len__()

    def __iter__(self) -> Iterator[EventDict]:
        self._settle()
        return super().__iter__()

    def __contains__(self, value: object) -> bool:
        self._settle()
        return super().__contains__(value)

    def __eq__(self, other: object) -> bool:
        self._settle()
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # a list: unhashable

    def __repr__(self) -> str:
        self._settle()
        return super().__repr__()


@contextlib.contextmanager
def capture_audit_events(trail: AuditTrail) -> Iterator[CapturedEvents]:
    """Collect the finished events (after redaction, as sinks see them) made in the block.

    The trail records as it does in production — nothing is switched to the calling
    thread while a test listens; reading the result finishes what still waits for a
    delivery thread, so the events are there as soon as the recording call returns,
    whatever the delivery mode.
    """
    captured = CapturedEvents(trail)
    trail.settle()  # what was recorded before the block is not the block's
    remove = trail.add_tap(captured._take)
    try:
        yield captured
    finally:
        trail.settle()  # what the block recorded is captured even if read only later
        remove()
