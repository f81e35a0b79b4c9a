"""One sink's lane: its own bounded queue, worker thread, retries, spool and dead letters.

Every sink gets a lane, so a slow or dead sink only ever delays itself. The worker takes
batches by size (``batch_size``) or age (``flush_interval_s``) and writes them.

**Spool first.** A batch that fails once goes to the spool before it is retried, and the
lane switches to *spool mode*: later batches are appended behind it and the oldest
spooled records are replayed on the backoff schedule; when the spool is empty the lane
writes directly again. So an acknowledged event is on disk at most about one
``flush_interval_s`` after a failure, and a ``kill -9`` loses no more than the docs say.

**A hung sink** holds the worker inside ``write``: the *guard* (:mod:`~.guard`) spools
the batch being written and the queue, in order; a request that finds the queue full
does the same instead of waiting. A batch whose write succeeds after all is skipped in
the spool, so it is not delivered twice.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditmw.delivery.guard import Guard
from auditmw.delivery.pending import resolve_batch, settled
from auditmw.delivery.spool import SpoolFull
from auditmw.delivery.writes import LaneWrites
from auditmw.types import EventDict

if TYPE_CHECKING:
    from auditmw.delivery.deadletter import DeadLetterFile
    from auditmw.delivery.spool import Spool
    from auditmw.sinks.base import Sink

log = logging.getLogger("auditmw.delivery")
#: A finished event dict, or a pending item built by whoever reads it first
#: (:mod:`auditmw.delivery.pending`); the lane moves items, read outside its lock.
Queued = object


@dataclass(frozen=True)
class LaneSettings:
    queue_size: int = 10_000
    batch_size: int = 500
    flush_interval_s: float = 0.5
    overflow: str = "block"
    max_retries: int = 5
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    log_interval_s: float = 10.0


class Lane(LaneWrites):
    """One sink's queue and worker; how a batch is written, retried and accounted for
    is :class:`~auditmw.delivery.writes.LaneWrites`."""

    def __init__(self, sink: Sink, settings: LaneSettings, *, name: str | None = None,
                 spool: Spool | None = None, dead_letter: DeadLetterFile | None = None) -> None:
        self.sink = sink
        self.name = name or sink.name
        self.settings = settings
        self.spool = spool
        self.dead_letter = dead_letter
        self._reset_runtime()
        if self._spooled_unread:  # left by an earlier run: replay without waiting for traffic
            self._ensure_worker()

    def _reset_runtime(self) -> None:
        """Fresh locks, queue and counters (at start, and in a forked child)."""
        self._lock = threading.RLock()  # re-entrant: a SIGTERM handler may close mid-offer
        self._work = threading.Condition(self._lock)
        self._space = threading.Condition(self._lock)
        self._done = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._queue: deque[Queued] = deque()
        self._first_at = 0.0
        self._accepted = 0
        self._handled = 0
        self._flushing = 0
        self._closing = False
        self._closed = False
        self._thread: threading.Thread | None = None
        # The batch the worker holds: taken from the queue (``direct``) or peeked from the
        # spool (``replay``); ``taken_over`` once the guard spooled a direct one for it.
        self._in_flight: list[Queued] | None = None
        self._in_flight_kind = ""
        self._writing_since: float | None = None
        self._taken_over = False
        self._splitting = False
        self._discard_head = False
        self._attempt = 0
        self._retry_at = 0.0
        self._spooled_unread = self.spool is not None and self.spool.pending()
        self.failing = False
        self.counts: Counter[str] = Counter()
        self._drops_unlogged = 0
        self._last_drop_log = -math.inf
        self._last_error_log = -math.inf
        self.guard = Guard(self)

    # -- the producer side (request threads) ------------------------------------------

    def offer(self, event: Queued) -> bool:
        """Queue one event; ``False`` when it was dropped (overflow, or lane closed)."""
        while True:
            with self._lock:
                queue = self._queue
                depth = len(queue)
                unsettled = None
                if depth >= self.settings.queue_size or self._closing:
                    refused, unsettled = self._full_or_closed()
                    if refused:
                        return self._drop(refused)
                    depth = len(queue)
                if unsettled is None:
                    if not depth:
                        self._first_at = time.monotonic()
                    queue.append(event)
                    self._accepted += 1
                    if self._thread is None:
                        self._ensure_worker()
                    if depth + 1 == self.settings.batch_size or self._flushing:
                        self._work.notify()
                    return True
            # A full queue goes to the spool as finished events: build and process what
            # it still holds here, outside the lock, then look again.
            resolve_batch([unsettled])

    def _full_or_closed(self) -> tuple[str | None, Queued | None]:
        """Under the lock, the queue full or the lane closing: why the event is dropped,
        or the newest item to build outside the lock before looking again, or
        ``(None, None)`` once there is room (spilled to the spool, or waited for)."""
        if self._closing:
            return "the lane is closed", None
        if self.settings.overflow == "drop":
            return "queue full, overflow = drop", None
        unsettled = self.unsettled_tail()
        if unsettled is not None:
            return None, unsettled
        return self._make_room(), None

    def _make_room(self) -> str | None:
        """Under the lock, the queue full and settled: with a spool, move it to disk (in
        order) instead of waiting; ``overflow = "block"`` waits when that cannot be.
        ``None`` once there is room, else why the event is dropped."""
        settings = self.settings
        queue = self._queue
        if self.spill("the queue is full") and len(queue) < settings.queue_size:
            return None
        if settings.overflow == "spool":
            return "queue full and spool full"
        while len(queue) >= settings.queue_size:
            if self._is_closing():
                return "the lane closed while waiting for room"
            self._ensure_worker()
            self._space.wait(1.0)
            if len(queue) >= settings.queue_size and self.spill("still full"):
                break
        return None

    def unsettled_tail(self) -> Queued | None:
        """Under the lock: the newest held item whose events are not yet built (resolving
        it resolves every older one), or ``None`` when the spool may take them all."""
        for item in reversed(self._queue):
            if not settled(item):
                return item
        for item in reversed(self._in_flight or ()):
            if not settled(item):
                return item
        return None

    def _is_closing(self) -> bool:  # re-read after a wait (a plain read looks constant)
        return self._closing

    def _ensure_worker(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name=f"auditmw-{self.name}",
                                            daemon=True)
            self._thread.start()
            if self.spool is not None:
                self.guard.start()

    # -- spilling: the queue (and a direct batch in flight) to the spool, in order -------

    def spill(self, why: str) -> bool:
        """Under the lock: move the batch in flight (unless already on disk) and the queue
        to the spool, oldest first. ``False`` when there is no spool or it refused (then
        nothing of the queue was lost: what could not be spooled stays queued).

        It runs no processor under the lock: it stops at the first item still pending
        (the caller resolves :meth:`unsettled_tail` outside the lock and spills again)."""
        spool = self.spool
        if spool is None:
            return False
        in_flight = self._in_flight
        if (in_flight and self._in_flight_kind == "direct" and not self._taken_over
                and not self._splitting):
            if not all(settled(item) for item in in_flight):
                return True
            if not self._spool_append(resolve_batch(in_flight), why):
                return False
            self._taken_over = True
        queue = self._queue
        size = self.settings.batch_size
        while queue:
            chunk: list[Queued] = []
            for item in queue:
                if len(chunk) == size or not settled(item):
                    break
                chunk.append(item)
            if not chunk:
                break
            if not self._spool_append(resolve_batch(chunk), why):
                self._space.notify_all()
                return False
            for _ in chunk:
                queue.popleft()
            self._handled += len(chunk)
        self._first_at = time.monotonic()
        self._space.notify_all()
        self._done.notify_all()
        self._work.notify()
        return True

    def _spool_append(self, events: list[EventDict], why: str) -> bool:
        assert self.spool is not None
        if not events:
            return True
        try:
            self.spool.append(events)
        except (SpoolFull, OSError) as exc:
            self._log_error(f"cannot spool ({exc})")
            return False
        self.counts["spooled"] += len(events)
        if not self._spooled_unread:
            self._spooled_unread = True
            self._log_error(f"spooling: {why}")
        return True

    # -- the worker --------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                batch = self._next_batch()
                if batch is None:
                    return
                self._in_flight = batch
                self._in_flight_kind = "direct" if batch else "replay"
                self._taken_over = False
            try:
                if batch:
                    ready = resolve_batch(batch)  # deferred processing happens here
                    if ready:
                        self._handle(ready)
                else:
                    self._replay()
            except Exception:  # the worker must outlive any surprise
                log.exception("auditmw: delivery to sink %s hit an unexpected error", self.name)
            finally:
                with self._lock:
                    if self._in_flight is batch:  # not taken over by close()
                        self._handled += len(batch)
                        self._in_flight = None
                    self._in_flight_kind = ""
                    self._writing_since = None
                    self._taken_over = False
                    self._splitting = False
                    self._space.notify_all()
                    self._done.notify_all()

    def _next_batch(self) -> list[Queued] | None:
        """Under the lock: the next batch, ``[]`` for a replay turn, ``None`` to stop."""
        settings = self.settings
        while True:
            if self._closed:
                return None
            now = time.monotonic()
            depth = len(self._queue)
            if depth and (depth >= settings.batch_size or self._closing or self._flushing
                          or now - self._first_at >= settings.flush_interval_s):
                take = min(depth, settings.batch_size)
                batch = [self._queue.popleft() for _ in range(take)]
                self._first_at = now
                return batch
            # While closing, go on replaying as long as the sink takes batches (a slow
            # write the guard spooled must still arrive); stop at the first failure.
            replay_due = self._spooled_unread and now >= self._retry_at and (
                not self._closing or self._attempt == 0)
            if replay_due:
                return []
            if self._closing:
                return None
            timeout = 1.0
            if depth:
                timeout = settings.flush_interval_s - (now - self._first_at)
            if self._spooled_unread:
                timeout = min(timeout, self._retry_at - now)
            self._work.wait(max(timeout, 0.001))

    # -- flush, close --------------------------------------------------

    def flush(self, deadline: float) -> bool:
        """Wait until everything accepted so far left memory and the spool is drained."""
        with self._lock:
            target = self._accepted
            self._flushing += 1
            self._work.notify()
            try:
                while self._handled < target or self._spooled_unread:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._closed:
                        return False
                    self._ensure_worker()
                    self._work.notify()
                    self._done.wait(min(remaining, 0.05))
            finally:
                self._flushing -= 1
        try:
            with self._write_lock:
                self.sink.flush()
        except Exception as exc:
            self._log_error(f"flush failed: {exc}")
            return False
        return True

    def begin_close(self) -> None:
        with self._lock:
            self._closing = True
            self._work.notify_all()
            self._space.notify_all()
        self._stop.set()

    def finish_close(self, deadline: float) -> None:
        """After :meth:`begin_close`: wait for the worker, spool what is left, close."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
        worker_done = thread is None or not thread.is_alive()
        with self._lock:
            if self._in_flight and self._in_flight_kind == "direct" and not worker_done:
                self.spill("closing")  # the batch in flight first, then the queue, in order
            leftover = list(self._queue)
            self._queue.clear()
            if self._in_flight:
                if self._in_flight_kind == "direct" and not self._taken_over:
                    leftover[:0] = self._in_flight
                self._handled += len(self._in_flight)
                self._in_flight = None
            self._handled += len(leftover)
            self._closed = True
            self._work.notify_all()
            self._done.notify_all()
        self.guard.stop()
        if leftover:
            self._keep_on_close(resolve_batch(leftover))
        if self._drops_unlogged:
            log.error("auditmw: dropped %d more event(s) for sink %s; %d in total",
                      self._drops_unlogged, self.name, self.counts["dropped"])
            self._drops_unlogged = 0
        if worker_done:  # a worker stuck in a write still uses the sink: leave it be
            try:
                self.sink.close()
            except Exception as exc:
                log.error("auditmw: closing sink %s failed: %s", self.name, exc)
        if self.spool is not None:
            self.spool.close()

    def after_fork(self) -> None:
        """In a forked child: the parent's queue and thread stay the parent's."""
        if self.spool is not None:
            self.spool.after_fork()
        if self.dead_letter is not None:
            self.dead_letter.after_fork()
        after = getattr(self.sink, "after_fork", None)
        if callable(after):
            after()
        self._reset_runtime()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {k: self.counts[k] for k in (
                "delivered", "failed", "retried", "spooled", "replayed", "dropped",
                "dead_lettered", "errors")}
            out["queue_depth"] = len(self._queue) + len(self._in_flight or ())
            out["spool_bytes"] = self.spool.disk_bytes if self.spool is not None else 0
            out["spool_damaged"] = self.spool.corrupt_records if self.spool is not None else 0
            out["failing"] = self.failing
            return out
