"""How a lane writes a batch, and what a failure leads to: the spool, a retry on the
backoff schedule, a split on 413, the dead-letter file — counted and logged (at most
once per ``log_interval_s``, so a dead sink cannot flood the logs).

:class:`LaneWrites` is the writing half of :class:`~auditmw.delivery.lane.Lane`, kept in
its own module: it works on the lane's state (its lock, the batch in flight, the spool
and the counters) and is never used apart from it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING

from auditmw.delivery.pending import resolve_batch
from auditmw.delivery.retry import backoff_delay
from auditmw.delivery.spool import SpoolFull
from auditmw.types import EventDict, PayloadTooLarge, PermanentError, RejectedEvent

if TYPE_CHECKING:
    from auditmw.delivery.deadletter import DeadLetterFile
    from auditmw.delivery.guard import Guard
    from auditmw.delivery.lane import LaneSettings, Queued
    from auditmw.delivery.spool import Spool
    from auditmw.sinks.base import Sink

log = logging.getLogger("auditmw.delivery")


class LaneWrites:
    # The lane's state these methods use (set by Lane._reset_runtime and __init__).
    sink: Sink
    name: str
    settings: LaneSettings
    spool: Spool | None
    dead_letter: DeadLetterFile | None
    guard: Guard
    counts: Counter[str]
    failing: bool
    _lock: threading.RLock
    _write_lock: threading.Lock
    _stop: threading.Event
    _closing: bool
    _taken_over: bool
    _splitting: bool
    _discard_head: bool
    _in_flight_kind: str
    _writing_since: float | None
    _spooled_unread: bool
    _attempt: int
    _retry_at: float
    _drops_unlogged: int
    _last_drop_log: float
    _last_error_log: float

    def _spool_append(self, events: list[EventDict], why: str) -> bool:
        raise NotImplementedError  # Lane's

    def _handle(self, batch: list[EventDict]) -> None:
        with self._lock:
            if self._taken_over:  # the guard spooled it while we were processing it
                return
            if self._spooled_unread and self.spool is not None:
                # Older events wait in the spool: queue behind them to keep order (also
                # while closing: the next run replays them in the same order).
                if self._spool_append(batch, "older events are spooled"):
                    self._settle_in_flight()
                    return
                self._log_error("cannot spool behind older records; writing directly")
                self._in_flight_kind = "fallback"  # not the spool's head: never taken over
            self._start_writing()
        self._deliver(batch)

    def _settle_in_flight(self) -> None:
        """Under the lock: the batch in flight is delivered, spooled or counted lost. The
        worker lets go of it only under the lock again later, and a spill in between (a
        full queue, ``close``) would spool it a second time: from now on it is not
        ``direct`` any more. A split's halves settle as one, when the whole batch is."""
        self._writing_since = None
        if not self._splitting:
            self._in_flight_kind = "settled"

    def _start_writing(self) -> None:
        """Under the lock: a sink write starts now (the guard watches how long it takes)."""
        self._writing_since = time.monotonic()
        self.guard.poke()

    def _deliver(self, batch: list[EventDict]) -> None:
        """Write once; on failure spool it (or, with no spool, retry it in memory)."""
        attempt = 0
        while True:
            error = self._try_write(batch)
            with self._lock:
                taken, self._taken_over = self._taken_over, False
                if error is None:
                    if taken:  # delivered after all: its spool record must not be replayed
                        self._discard_head = True
                    self._settle_in_flight()
                    return
                attempt += 1
                if taken or self.spool is not None or not self._closing:
                    self.counts["retried"] += 1  # from the spool, or here in memory
                if taken:
                    self._attempt = attempt
                    self._schedule_retry(error)
                    self._settle_in_flight()
                    return
                if self.spool is not None and self._spool_append(batch, "a write failed"):
                    self._attempt = attempt
                    self._schedule_retry(error)
                    self._settle_in_flight()
                    return
                if self._closing:
                    self._settle_in_flight()
                    self.counts["failed"] += len(batch)
                    log.error("auditmw: %d event(s) for sink %s are lost: closing, the sink "
                              "failed (%s) and there is no spool to keep them", len(batch),
                              self.name, error)
                    return
            self._stop.wait(self._delay(attempt, error))
            with self._lock:
                self._start_writing()

    def _try_write(self, batch: list[EventDict]) -> Exception | None:
        """``None`` when the batch is settled (written, split or dead-lettered)."""
        try:
            with self._write_lock:
                self.sink.write(batch)
        except (PayloadTooLarge, RejectedEvent) as exc:
            # Split until the cause is alone: one event too large, or the one event the
            # sink cannot take — its neighbours are written, it alone is dead-lettered.
            with self._lock:
                if self._taken_over:  # already whole in the spool: the replay splits it
                    return exc
                self._splitting = True
            if len(batch) == 1:
                self._to_dead_letter(batch, (
                    "payload too large (HTTP 413) for a single event"
                    if isinstance(exc, PayloadTooLarge) else str(exc) or type(exc).__name__))
            else:
                middle = len(batch) // 2
                self._deliver(batch[:middle])
                self._deliver(batch[middle:])
            return None
        except PermanentError as exc:
            self._to_dead_letter(batch, str(exc) or type(exc).__name__)
            return None
        except Exception as exc:
            self._count_write(len(batch), exc)
            return exc
        self._count_write(len(batch), None)
        return None

    def _count_write(self, events: int, error: Exception | None) -> None:
        """One write's result in the counters, and ``failing`` kept true to it."""
        if error is None:
            self.counts["delivered"] += events
            self._mark_ok()
        else:
            self.counts["errors"] += 1
            self._mark_failing(error)

    def _replay(self) -> None:
        assert self.spool is not None
        if self._discard_head:  # the head record was delivered directly after a takeover
            self._discard_head = False
            head = self.spool.peek(self.settings.batch_size, max_records=1)
            if head is not None:
                self.spool.commit(head[1])
            return
        found = self.spool.peek(self.settings.batch_size)
        if found is None:
            with self._lock:
                self._spooled_unread = self.spool.pending()
            return
        events, token = found
        with self._lock:
            self._start_writing()
        error = self._try_write(events)
        with self._lock:
            self._writing_since = None
        if error is None:
            self.spool.commit(token)
            self.counts["replayed"] += len(events)
            self._attempt = 0
            self._retry_at = 0.0
        else:
            self.counts["retried"] += 1
            self._attempt += 1
            self._schedule_retry(error)

    def _delay(self, attempt: int, error: Exception) -> float:
        """The wait after failed try number ``attempt`` (from 1): doubling for the first
        ``max_retries`` retries, then ``max_backoff_s`` (the same rule for every sink)."""
        settings = self.settings
        step = attempt - 1 if attempt - 1 < settings.max_retries else 64
        return backoff_delay(step, settings.backoff_s, settings.max_backoff_s,
                             getattr(error, "retry_after", None))

    def _schedule_retry(self, error: Exception) -> None:
        self._retry_at = time.monotonic() + self._delay(max(self._attempt, 1), error)

    def _to_dead_letter(self, batch: list[EventDict], reason: str) -> None:
        self.counts["failed"] += len(batch)
        if self.dead_letter is None:
            log.error("auditmw: sink %s refused %d event(s) for good (%s) and there is no "
                      "dead-letter file; they are lost", self.name, len(batch), reason)
            return
        try:
            self.dead_letter.write(self.name, reason, batch)
        except OSError as exc:
            log.error("auditmw: sink %s refused %d event(s) (%s) and the dead-letter file "
                      "failed too: %s", self.name, len(batch), reason, exc)
            return
        self.counts["dead_lettered"] += len(batch)
        self._log_error(f"refused {len(batch)} event(s) for good, kept in "
                        f"{self.dead_letter.path}: {reason}")

    def _mark_failing(self, exc: Exception) -> None:
        if not self.failing:
            self.failing = True
            self._last_error_log = -math.inf
        self._log_error(f"failing: {type(exc).__name__}: {exc}")

    def _mark_ok(self) -> None:
        if self.failing:
            self.failing = False
            log.warning("auditmw: sink %s is delivering again", self.name)

    def _log_error(self, message: str) -> None:
        now = time.monotonic()
        if now - self._last_error_log >= self.settings.log_interval_s:
            self._last_error_log = now
            log.error("auditmw: sink %s %s (spooled %d, dead-lettered %d so far)", self.name,
                      message, self.counts["spooled"], self.counts["dead_lettered"])

    def _keep_on_close(self, events: list[EventDict]) -> None:
        """At close, what could not be delivered: to the spool, else counted lost."""
        if self.spool is not None:
            try:
                self.spool.append(events)
            except (SpoolFull, OSError) as exc:
                log.error("auditmw: %d event(s) for sink %s are lost at shutdown: %s",
                          len(events), self.name, exc)
                self.counts["failed"] += len(events)
            else:
                self.counts["spooled"] += len(events)
            return
        self.counts["failed"] += len(events)
        log.error("auditmw: %d event(s) for sink %s were not delivered before the shutdown "
                  "timeout and there is no spool; they are lost", len(events), self.name)

    def write_now(self, events: list[Queued]) -> bool:
        """Write in the caller's thread (``mode = "sync"``); ``True`` when it succeeded."""
        ready = resolve_batch(events)
        try:
            with self._write_lock:
                self.sink.write(ready)
        except Exception as exc:
            self._count_write(len(ready), exc)
            return False
        self._count_write(len(ready), None)
        return True

    def _drop(self, why: str) -> bool:
        self.counts["dropped"] += 1
        self._drops_unlogged += 1
        now = time.monotonic()
        if now - self._last_drop_log >= self.settings.log_interval_s:
            log.error("auditmw: dropped %d event(s) for sink %s (%s); %d dropped in total",
                      self._drops_unlogged, self.name, why, self.counts["dropped"])
            self._drops_unlogged = 0
            self._last_drop_log = now
        return False

