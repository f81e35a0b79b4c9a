"""A field the answer shows but no hook saw run, with the execution hook installed: held
until the door's call is over, so that an execution after the response is one event.

The door records a wire-only field (the response shows it, the hook saw nothing run by
the last body message: "a server the hook cannot see") from the request as sent, with no
actor of the execution. But the app may still run that very field after the response
(an ASGI background task, a WSGI body's ``close()`` callbacks), in the request's context,
and the hook then records it at once (``RequestState.collect`` is false by then): two
events for one execution. So the rule, one place for every door:

- When the door finishes a request whose wire it still reads (the hook saw nothing run),
  it opens a :class:`LateWire` on the request's state. The wire records the events'
  build makes are handed to it (:meth:`LateWire.wire_built`), not written at once.
- An execution the hook sees after that in the request's context (:meth:`LateWire.ran`)
  takes the place of a held wire record of the same catalogue event: the hook's event is
  written (the real actor and outcome), the wire's dropped. Before the build, it leaves
  a credit the build takes off.
- When the door's call is over (ASGI: the app returned, background tasks included;
  WSGI: the body was closed; Django: the response was closed; a door with no later end:
  at once) the held records no execution took are written (:meth:`LateWire.release`).
  ``trail.flush()`` and ``trail.close()`` (so also the interpreter's exit) write every
  record still held (:func:`write_waiting`).
- An execution after a wire record was written (a fire-and-forget task or a thread that
  outlives the door's call, or after a flush) finds it written: that record stands for
  it, and the hook does not record it again (events equal executions; the wire's event
  is then the one kept).

Matching is per request and by catalogue event only: arguments and targets are not
compared (the hook's arguments carry defaults and coerced values the wire lacks, and an
answer written before the execution may show another id), so one request whose answer
shows a field run by an engine the hook cannot see, and in which graphql-core also runs
that field after the response, gives one event for the two.

Nothing here runs under a trail lock while it emits: the build only returns records
(it may run under the build lock of a delivery thread), and records are emitted by the
door's end, a flush or a close, in their callers' threads.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditmw.event import AuditEvent
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.capture")


class LateWire:
    """One request's wire records held until its door's call is over."""

    __slots__ = ("_lock", "built", "credits", "ended", "held", "tenant", "trail",
                 "written")

    def __init__(self, trail: AuditTrail, tenant: str | None, *, ended: bool) -> None:
        self._lock = threading.Lock()
        self.trail = trail
        #: the request's tenant when the door finished it (records written at the end
        #: are emitted outside the request's context)
        self.tenant = tenant
        #: the door's call is over (or the door has no later end)
        self.ended = ended
        #: the request's events were built (the wire was read)
        self.built = False
        #: wire records not written yet
        self.held: list[AuditEvent] = []
        #: catalogue events the hook saw run after the door finished, before the build
        self.credits: list[str] = []
        #: catalogue events of wire records written and not yet taken by an execution
        self.written: list[str] = []

    def wire_built(self, events: list[AuditEvent]) -> list[AuditEvent]:
        """The build's wire records: those to yield now (the door's call is over and no
        execution took them); the others are held. Never emits (the build may run under
        the trail's build lock)."""
        with self._lock:
            self.built = True
            kept = []
            for event in events:
                if event.event in self.credits:
                    self.credits.remove(event.event)  # the hook's event is this one's
                else:
                    kept.append(event)
            if not self.ended:
                self.held = kept
                if kept:
                    _wait(self)
                return []
            self.written.extend(e.event for e in kept)
        warn_unhooked(kept)
        return kept

    def ran(self, event: str) -> bool:
        """The hook saw ``event`` run after the door finished the request: ``False`` when
        a wire record already written stands for it (it is not recorded again)."""
        with self._lock:
            if event in self.written:
                self.written.remove(event)
                return False
            for i, held in enumerate(self.held):
                if held.event == event:
                    del self.held[i]  # the hook's event replaces the wire's
                    if not self.held:
                        _unwait(self)
                    return True
            if not self.built:
                self.credits.append(event)
            return True

    def release(self, *, end: bool = True) -> None:
        """Write the held records (``end``: the door's call is over; else a flush or a
        close forces them out)."""
        with self._lock:
            if end:
                self.ended = True
            out, self.held = self.held, []
            self.written.extend(e.event for e in out)
        if not out:
            return
        _unwait(self)
        warn_unhooked(out)
        tenant = self.tenant
        for event in out:
            self.trail.emit(event.with_(tenant=tenant)
                            if event.tenant is None and tenant is not None else event)


# Held records by request, until written: what flush, close and exit write.
_waiting: set[LateWire] = set()
_locks = [threading.Lock()]  # [the lock of _waiting], renewed in a forked child


def _wait(late: LateWire) -> None:
    with _locks[0]:
        _waiting.add(late)


def _unwait(late: LateWire) -> None:
    with _locks[0]:
        _waiting.discard(late)


def write_waiting(trail: AuditTrail) -> int:
    """Write every record ``trail``'s built requests still hold (``trail.flush()`` and
    ``close()``); how many requests held some. An execution after this finds its record
    written (:meth:`LateWire.ran`)."""
    with _locks[0]:
        mine = [late for late in _waiting if late.trail is trail]
    for late in mine:
        try:
            late.release(end=False)
        except Exception:
            log.exception("auditmw: could not write a held wire record")
    return len(mine)


def _after_fork_in_child() -> None:
    _locks[0] = threading.Lock()
    _waiting.clear()  # the parent writes its own


os.register_at_fork(after_in_child=_after_fork_in_child)

_warned: list[bool] = [False]


def warn_unhooked(events: list[AuditEvent]) -> None:
    """Once per process: a wire record of a field shown done that the installed hook did
    not see run is written."""
    if not _warned[0] and any(e.outcome == "success" for e in events):
        _warned[0] = True
        log.warning("auditmw: a GraphQL response shows a catalogued field that the "
                    "execution hook did not see run (a server not built on graphql-core?); "
                    "recording it from the request as sent")
