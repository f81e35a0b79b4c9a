"""A lane's guard: it keeps a hung sink from holding acknowledged events in memory.

A sink that accepts a connection and never answers keeps the lane's worker inside
``write`` for up to the sink's timeout (5 s for http by default), and every event
accepted meanwhile would wait in memory, lost to a ``kill -9``. The guard is a second
daemon thread per lane (only when the lane has a spool): once a write has lasted
``flush_interval_s``, it spills the batch being written and the queue to the spool, in
order, and keeps doing so while the write goes on. See :meth:`Lane.spill`.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from auditmw.delivery.pending import resolve_batch

if TYPE_CHECKING:
    from auditmw.delivery.lane import Lane

IDLE_WAIT_S = 5.0
#: How long the guard keeps watching the clock after it last saw a write.
BUSY_S = 5.0


class Guard:
    def __init__(self, lane: Lane) -> None:
        self.lane = lane
        self._wake = threading.Condition(lane._lock)
        self._thread: threading.Thread | None = None
        self._stopped = False
        # Asleep with no write to watch (only then does a write's start need a notify),
        # and until when it keeps watching the clock instead after writes were seen.
        self._idle = False
        self._busy_until = 0.0

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name=f"auditmw-guard-{self.lane.name}")
            self._thread.start()

    def poke(self) -> None:
        """Under the lane's lock: a write started, so start watching the clock. Only an
        idle guard is woken: a busy one wakes every ``flush_interval_s`` by itself and
        finds the write then, early enough to spill it once it has lasted that long (a
        notify per batch was a thread wake-up per batch, issue 21)."""
        if self._idle:
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify_all()

    def _run(self) -> None:
        lane = self.lane
        limit = lane.settings.flush_interval_s
        while True:
            with self._wake:
                unsettled = self._watch(limit)
                if unsettled is None:
                    return
            # What the queue still holds unbuilt is built here, outside the lane's lock
            # (so requests are not held up), before it can be spilled.
            resolve_batch([unsettled])

    def _watch(self, limit: float) -> object | None:
        """Under the lock: spill on a write that lasts, until an item needs building
        (returned) or the guard stops (``None``)."""
        lane = self.lane
        while not self._stopped and not lane._closed:
            since = lane._writing_since
            now = time.monotonic()
            if since is None:
                if now < self._busy_until:  # writes lately: look again in `limit`
                    self._wake.wait(limit)
                    continue
                self._idle = True
                try:
                    woken = self._wake.wait(IDLE_WAIT_S)
                finally:
                    self._idle = False
                if woken:  # a write started: watch the clock for a while
                    self._busy_until = time.monotonic() + BUSY_S
                continue
            self._busy_until = now + BUSY_S
            waited = now - since
            if waited < limit:
                self._wake.wait(limit - waited + 0.001)
                continue
            pending_direct = lane._in_flight_kind == "direct" and not lane._taken_over
            if not lane._splitting and (lane._queue or pending_direct):
                unsettled = lane.unsettled_tail()
                if unsettled is not None:
                    return unsettled
                lane.spill(f"a write has taken more than {limit:g} s")
            self._wake.wait(max(limit / 2, 0.01))
        return None
