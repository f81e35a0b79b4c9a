"""Events whose processing is deferred from the request thread to a delivery thread.

In ``delivery.mode = "async"`` the request thread only captures what it alone can know
(the event itself, the active span's trace ids) and queues a :class:`PendingEvent`. The
pipeline — ``to_dict``, enrich, redact, truncate, chain — runs exactly once, in the first
delivery thread that needs the event, under one lock shared by all of a trail's pending
events. Every lane takes events in queue order, so events are processed in the order they
were recorded: the integrity chain follows that order, and an event dropped on overflow
before processing never takes a sequence number.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from auditmw.types import EventDict

if TYPE_CHECKING:
    from auditmw.event import AuditEvent

Prepare = Callable[["AuditEvent", dict[str, str]], EventDict]
Build = Callable[[], Iterable["AuditEvent"]]

log = logging.getLogger("auditmw")


class PendingEvent:
    __slots__ = ("_done", "_lock", "_prepare", "_result", "event", "trace")

    def __init__(self, event: AuditEvent, trace: dict[str, str], prepare: Prepare,
                 lock: threading.Lock) -> None:
        self.event = event
        self.trace = trace
        self._prepare = prepare
        self._lock = lock
        self._done = False
        self._result: EventDict | None = None

    @property
    def done(self) -> bool:
        return self._done

    def resolve(self) -> EventDict | None:
        """The finished event dict (``None`` if processing failed; that is logged)."""
        if self._done:
            return self._result
        with self._lock:
            if not self._done:
                try:
                    self._result = self._prepare(self.event, self.trace)
                except Exception:
                    log.exception("auditmw: could not process %s event", self.event.event)
                self._done = True
        return self._result


class PendingBuild:
    """Several events still to be *built* (a request's fields: outcome parsing, targets)
    and processed, in a delivery thread; resolved once, like :class:`PendingEvent`.

    ``weight`` is what the build holds in bytes (the request document, the response
    body): the dispatcher keeps the sum of unbuilt weights under
    ``delivery.pending_max_bytes``. When not given it is estimated from the bytes and
    strings ``build`` closes over. Once resolved, ``build`` is let go, so a queued item
    holds only its finished events."""

    __slots__ = ("_build", "_done", "_lock", "_prepare", "_result", "trace", "weight")

    def __init__(self, build: Build, trace: dict[str, str], prepare: Prepare,
                 lock: threading.Lock, weight: int | None = None) -> None:
        self._build: Build | None = build
        self.trace = trace
        self._prepare = prepare
        self._lock = lock
        self._done = False
        self._result: list[EventDict] = []
        self.weight = closure_bytes(build) if weight is None else weight

    @property
    def done(self) -> bool:
        return self._done

    def resolve(self) -> list[EventDict]:
        if self._done:
            return self._result
        with self._lock:
            if not self._done:
                build, self._build = self._build, None  # its bodies are freed once built
                try:
                    built = list(build()) if build is not None else []
                except Exception:
                    log.exception("auditmw: could not build a request's events")
                    built = []
                for event in built:
                    try:
                        self._result.append(self._prepare(event, self.trace))
                    except Exception:
                        log.exception("auditmw: could not process %s event", event.event)
                self._done = True
        return self._result


def closure_bytes(build: Callable[..., object]) -> int:
    """A cheap lower bound of what ``build`` keeps alive: the lengths of the bytes and
    strings among its closure cells and its bound object's attributes (a recorder's
    response body and request document)."""
    values: list[object] = []
    for cell in getattr(build, "__closure__", None) or ():
        try:
            values.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    total = 0
    for value in values:
        if isinstance(value, bytes | bytearray | str | memoryview):
            total += len(value)
        else:
            for attr in getattr(value, "__dict__", {}).values():
                if isinstance(attr, bytes | bytearray | str):
                    total += len(attr)
    return total


Pending = PendingEvent | PendingBuild


def resolve_batch(items: Iterable[EventDict | Pending]) -> list[EventDict]:
    """Plain event dicts for a batch that may hold pending events, in order."""
    out: list[EventDict] = []
    for item in items:
        if isinstance(item, PendingEvent):
            ready = item.resolve()
            if ready is not None:
                out.append(ready)
        elif isinstance(item, PendingBuild):
            out.extend(item.resolve())
        else:
            out.append(item)
    return out
