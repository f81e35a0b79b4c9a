"""The lane-backed dispatchers: the background engine (``delivery.mode = "async"``) and
the sync one, two siblings over :class:`LaneDispatcher`.

:class:`AsyncDispatcher` gives every sink its own :class:`~auditmw.delivery.lane.Lane`;
``submit`` only appends to each lane's queue (a lock and a deque append), so the request
thread — WSGI worker thread or ASGI event loop alike — never waits on a sink unless
``overflow = "block"`` and a queue is full.

:class:`SyncDispatcher` (``delivery.mode = "sync"``) writes each event to the *primary*
sink — the first durable one (the store, or a file with ``fsync = "always"``) — in the
caller's thread before ``submit`` returns, and hands it to every other sink's lane.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw.delivery import lifecycle
from auditmw.delivery.deadletter import DeadLetterFile
from auditmw.delivery.lane import Lane, LaneSettings
from auditmw.delivery.pending import Backlog, Pending
from auditmw.delivery.spool import Spool
from auditmw.types import EventDict

if TYPE_CHECKING:
    from auditmw.config import DeliveryConfig
    from auditmw.sinks.base import Sink

log = logging.getLogger("auditmw.delivery")


def sink_slug(name: str) -> str:
    """A directory name for a sink's spool: readable, and unique by a short hash."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:48] or "sink"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _unique_names(sinks: Sequence[Sink]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for sink in sinks:
        base = str(getattr(sink, "name", type(sink).__name__))
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return names


class LaneDispatcher:
    """What both lane-backed dispatchers share: one lane per sink built from
    ``[delivery]``, the *primary* lane (the first durable sink's), flush, close, stats and
    the process hooks. How an event enters the lanes is each one's :meth:`submit`."""

    def __init__(self, config: DeliveryConfig, sinks: Sequence[Sink], *,
                 meter_provider: Any = None) -> None:
        self.config = config
        self.sinks = list(sinks)
        self.meter_provider = meter_provider
        root = Path(config.spool_dir) if config.spool_dir else None
        dead_letter = DeadLetterFile(root / "dead-letter.jsonl") if root else None
        self.lanes: list[Lane] = []
        for sink, name in zip(self.sinks, _unique_names(self.sinks), strict=True):
            settings = LaneSettings(
                queue_size=config.queue_size,
                batch_size=getattr(sink, "batch_size", None) or config.batch_size,
                flush_interval_s=config.flush_interval_s,
                overflow=config.overflow,
                max_retries=_first_int(getattr(sink, "max_retries", None), config.max_retries),
                backoff_s=config.retry_backoff_s,
                max_backoff_s=config.retry_max_backoff_s,
            )
            spool = (Spool(root / sink_slug(name), max_bytes=config.spool_max_bytes, name=name)
                     if root else None)
            self.lanes.append(Lane(sink, settings, name=name, spool=spool,
                                   dead_letter=dead_letter))
        self.primary: Lane | None = next((lane for lane in self.lanes if lane.sink.durable),
                                         self.lanes[0] if self.lanes else None)
        self._closed = False
        self._close_lock = threading.Lock()
        lifecycle.register(self, handle_sigterm=config.handle_sigterm)
        from auditmw.delivery.metrics import install_metrics
        install_metrics(self, meter_provider)

    def submit(self, event: EventDict | Pending) -> bool:
        raise NotImplementedError

    def settle(self) -> None:
        """Build and process, here, every event accepted so far that a lane has not
        reached yet (what a test reads; see :mod:`auditmw.testing`)."""

    def healthy(self) -> bool:
        return self.primary is None or not self.primary.failing

    def flush(self, timeout: float | None = None) -> bool:
        deadline = time.monotonic() + (self.config.shutdown_timeout_s if timeout is None
                                       else timeout)
        results = [lane.flush(deadline) for lane in self.lanes]  # every lane, not just to a False
        return all(results)

    def close(self, timeout: float | None = None) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        total = self.config.shutdown_timeout_s if timeout is None else timeout
        # Keep a little of the budget for spooling whatever a stuck sink still holds.
        deadline = time.monotonic() + max(0.0, total - min(0.5, total * 0.1))
        for lane in self.lanes:
            lane.begin_close()
        for lane in self.lanes:
            lane.finish_close(deadline)
        lifecycle.unregister(self)

    @property
    def closed(self) -> bool:
        return self._closed

    def stats(self) -> dict[str, Any]:
        per_sink = {lane.name: lane.stats() for lane in self.lanes}

        def total(key: str) -> int:
            return sum(s[key] for s in per_sink.values())

        return {
            "delivered": {name: s["delivered"] for name, s in per_sink.items()},
            "failed": {name: s["failed"] for name, s in per_sink.items()},
            "retried": total("retried"),
            "spooled": total("spooled"),
            "replayed": total("replayed"),
            "dropped": total("dropped"),
            "dead_lettered": total("dead_lettered"),
            "queue_depth": max((s["queue_depth"] for s in per_sink.values()), default=0),
            "spool_bytes": total("spool_bytes"),
            "spool_damaged": total("spool_damaged"),
            "pending_bytes": 0,
            "built_early": 0,
            "sinks": per_sink,
        }

    def after_fork(self) -> None:
        """In a forked child (gunicorn ``--preload``): fresh threads, locks and spools."""
        self._close_lock = threading.Lock()
        for lane in self.lanes:
            lane.after_fork()


class AsyncDispatcher(LaneDispatcher):
    """``submit`` appends to every lane's queue and returns; the lanes' workers build,
    process and write. Unbuilt requests are held within ``pending_max_bytes``."""

    def __init__(self, config: DeliveryConfig, sinks: Sequence[Sink], *,
                 meter_provider: Any = None) -> None:
        self.backlog = Backlog(config.pending_max_bytes)
        super().__init__(config, sinks, meter_provider=meter_provider)

    def submit(self, event: EventDict | Pending) -> bool:
        try:
            primary = self.primary
            kept = True
            taken = False
            for lane in self.lanes:
                if lane.offer(event):
                    taken = True
                elif lane is primary:
                    kept = False
            if type(event) is Pending:
                if taken:
                    self.backlog.hold(event)
                elif self.lanes:  # dropped by every lane: never processed
                    event.cancel()
                else:  # no sink at all, so no delivery thread: finish it here
                    event.resolve()
            return kept
        except Exception:
            log.exception("auditmw: could not queue an event for delivery")
            return False

    def settle(self) -> None:
        self.backlog.settle()

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "pending_bytes": self.backlog.pending_bytes(),
                "built_early": self.backlog.built_early}

    def after_fork(self) -> None:
        self.backlog.after_fork()
        super().after_fork()


class SyncDispatcher(LaneDispatcher):
    """``submit`` returns once the event is written to the primary (durable) sink, in
    the caller's thread; every other sink gets it through its lane."""

    def __init__(self, config: DeliveryConfig, sinks: Sequence[Sink], *,
                 meter_provider: Any = None) -> None:
        super().__init__(config, sinks, meter_provider=meter_provider)
        if self.primary is not None and not self.primary.sink.durable:
            log.warning("auditmw: delivery.mode = 'sync' but no sink is durable (a store, or "
                        "a file sink with fsync = 'always'); waiting for %s instead, which "
                        "may not survive a crash", self.primary.name)

    def submit(self, event: EventDict | Pending) -> bool:
        try:
            kept = True
            for lane in self.lanes:
                if lane is self.primary and not self.closed:
                    if not lane.write_now([event]):
                        lane.offer(event)  # retried and spooled, but not yet durable
                        kept = False
                elif not lane.offer(event) and lane is self.primary:
                    kept = False
            return kept
        except Exception:
            log.exception("auditmw: could not deliver an event")
            return False


def _first_int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default
