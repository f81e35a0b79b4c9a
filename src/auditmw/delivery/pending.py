"""Work deferred from the request thread to a delivery thread, and the bytes it may hold.

In ``delivery.mode = "async"`` the request thread only captures what it alone can know
(the event, or a request's settled facts; the active span's trace ids) and queues one
:class:`Pending`. Building the events and the pipeline — ``to_dict``, enrich, redact,
truncate, chain — run exactly once, in the first thread that needs the result, under one
lock shared by all of a trail's pending items.

**Order.** Each item knows the one queued before it; resolving an item first resolves
every earlier one that is still pending. So events are processed in the order they were
recorded, whoever asks first (a lane's worker, a spill to disk, a test draining its
captured events): the integrity chain follows that order, and an event dropped on
overflow from every lane before processing never takes a sequence number.

:class:`Backlog` keeps the bytes of queued, unbuilt requests under
``delivery.pending_max_bytes`` by building the oldest early.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, final

from auditmw.types import EventDict

if TYPE_CHECKING:
    from auditmw.event import AuditEvent

#: Builds a request's events once its facts are settled (outcomes, targets...).
Build = Callable[[], Iterable["AuditEvent"]]
#: The trail's last step for one built event: the processors, counted and tapped.
Finish = Callable[["AuditEvent", dict[str, str]], EventDict]

log = logging.getLogger("auditmw")


#: Every unbuilt item's result, never changed (``_run`` sets a list of its own): one
#: object fewer per queued request for the garbage collector to scan.
_UNBUILT: list[EventDict] = []


@final  # told apart from a finished event dict by its exact type, per queued item
class Pending:
    """One recording whose events are built and processed later: a ready
    :class:`~auditmw.event.AuditEvent` (``record``, hooks) or a ``build`` callable (a
    request's fields). ``weight`` is what it holds in bytes (the request document, the
    response body), estimated from ``build``'s closure when not given; once resolved,
    ``build`` is let go, so a queued item holds only its finished events."""

    __slots__ = ("_before", "_finish", "_lock", "_result", "_source", "done", "trace",
                 "weight")

    def __init__(self, source: AuditEvent | Build, trace: dict[str, str], finish: Finish,
                 lock: threading.Lock, *, before: Pending | None = None,
                 weight: int | None = None) -> None:
        self._source: AuditEvent | Build | None = source
        self.trace = trace
        self._finish = finish
        self._lock = lock
        self._before = before
        #: ``True`` once built and processed (set under the lock; read without it, as a
        #: plain attribute: queues and batches test it per item).
        self.done = False
        self._result = _UNBUILT
        if weight is None:
            weight = closure_bytes(source) if callable(source) else 0
        self.weight = weight

    def resolve(self) -> list[EventDict]:
        """The finished event dicts (fewer when building or processing failed; that is
        logged), after every earlier pending item of the same trail."""
        if self.done:
            return self._result
        with self._lock:
            waiting: list[Pending] = []
            item: Pending | None = self
            while item is not None and not item.done:
                waiting.append(item)
                item = item._before
            for item in reversed(waiting):
                item._run()
        return self._result

    def cancel(self) -> None:
        """No lane took it (dropped on overflow everywhere): it resolves to nothing, so
        it takes no sequence number, and lets its bodies go. It stays in the order."""
        self._source = None

    def _run(self) -> None:
        """Under the trail's lock, once: build, then finish each event."""
        source, self._source, self._before = self._source, None, None  # freed once built
        if callable(source):
            try:
                built = list(source())
            except Exception:
                log.exception("auditmw: could not build a request's events")
                built = []
        else:
            built = [] if source is None else [source]
        result: list[EventDict] = []
        for event in built:
            try:
                result.append(self._finish(event, self.trace))
            except Exception:
                log.exception("auditmw: could not process %s event", event.event)
        self._result = result
        self.done = True


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


def resolve_batch(items: Sequence[object]) -> list[EventDict]:
    """Plain event dicts for a batch that may hold pending items, in order.

    A lane's batch is in recording order, so resolving its newest unsettled item
    resolves all the others first, under one taking of the trail's lock rather than one
    per item; each item is still asked (a batch mixing trails, or an item resolved
    meanwhile, stays right), but finds itself done."""
    for item in reversed(items):
        if type(item) is Pending and not item.done:
            item.resolve()
            break
    out: list[EventDict] = []
    for item in items:
        if type(item) is Pending:
            out.extend(item._result if item.done else item.resolve())
        else:
            out.append(item)  # type: ignore[arg-type]  # a finished event dict
    return out


def settled(item: object) -> bool:
    """``True`` when reading ``item``'s events runs no processor (a dict, or done)."""
    return type(item) is not Pending or item.done


#: How many held items :meth:`Backlog.hold` lets pass before letting go of the built
#: ones at the head (and at once when the bytes go past the budget).
TRIM_EVERY = 64


class Backlog:
    """The pending items a dispatcher queued, oldest first, until they are resolved.

    It keeps their bytes under ``max_bytes``: past it, the oldest are built early — in
    the submitting thread, but after this backlog's lock is let go, so other requests
    are not held up meanwhile (the order is kept by :meth:`Pending.resolve`).
    :meth:`settle` resolves everything queued so far (what a test reads).

    ``hold`` runs on every request: it only appends and adds the weight. Built items
    leave the head every :data:`TRIM_EVERY` holds, or as soon as the total passes the
    budget — so an item is built early only when the unbuilt ones alone exceed it.
    Between trims ``_held`` may still count a few built items; :meth:`pending_bytes`
    trims first, so what it reports is exact."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.built_early = 0
        self.after_fork()

    def after_fork(self) -> None:
        self._items: deque[Pending] = deque()
        self._held = 0
        self._lock = threading.Lock()

    def hold(self, item: Pending) -> None:
        with self._lock:
            items = self._items
            items.append(item)
            self._held += item.weight
            if self._held <= self.max_bytes and len(items) < TRIM_EVERY:
                return
            early = self._trim()
        if early:
            early[-1].resolve()  # resolves the earlier ones first, in order
            self.built_early += len(early)

    def _trim(self) -> list[Pending]:
        """Under the lock: let go of the built items at the head, then, while the rest
        still weigh more than the budget, of the oldest (returned: to build early)."""
        items = self._items
        while items and items[0].done:
            self._held -= items.popleft().weight
        early: list[Pending] = []
        while items and self._held > self.max_bytes:
            oldest = items.popleft()
            self._held -= oldest.weight
            if not oldest.done:
                early.append(oldest)
        return early

    def pending_bytes(self) -> int:
        """The bytes the unbuilt items hold, now."""
        with self._lock:
            items = self._items
            while items and items[0].done:
                self._held -= items.popleft().weight
            return self._held

    def settle(self) -> None:
        """Resolve every item held so far, oldest first, here."""
        with self._lock:
            newest = self._items[-1] if self._items else None
        if newest is not None:
            newest.resolve()
        self.pending_bytes()  # lets go of them
