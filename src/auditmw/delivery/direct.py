"""Write each event to every sink at once, in the calling thread."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from auditmw.delivery.pending import Pending, resolve_batch
from auditmw.sinks.base import Sink

log = logging.getLogger("auditmw.delivery")


class DirectDispatcher:
    """One sink failing never stops the others; each failure is counted and logged (at
    most once per sink per ``log_interval_s``, so a dead sink cannot flood the logs)."""

    def __init__(self, sinks: Sequence[Sink], log_interval_s: float = 10.0) -> None:
        self.sinks = list(sinks)
        self._delivered: Counter[str] = Counter()
        self._failed: Counter[str] = Counter()
        self._last_log: dict[str, float] = {}
        self._log_interval_s = log_interval_s
        self._lock = threading.Lock()
        self._durable_ok = True

    def submit(self, event: dict[str, Any] | Pending) -> bool:
        return self.write_batch(resolve_batch([event]))

    def write_batch(self, events: Sequence[dict[str, Any]]) -> bool:
        """Write to every sink; ``True`` when the first durable sink (if any) took it."""
        kept = True
        first_durable = next((s for s in self.sinks if s.durable), None)
        for sink in self.sinks:
            try:
                sink.write(events)
            except Exception as exc:
                with self._lock:
                    self._failed[sink.name] += len(events)
                self._log_failure(sink, exc)
                if sink is first_durable:
                    kept = False
            else:
                with self._lock:
                    self._delivered[sink.name] += len(events)
        self._durable_ok = kept
        return kept

    def healthy(self) -> bool:
        return self._durable_ok

    def _log_failure(self, sink: Sink, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_log.get(sink.name, -1e9) >= self._log_interval_s:
            self._last_log[sink.name] = now
            log.error("auditmw: sink %s failed: %s: %s (failures so far: %d)",
                      sink.name, type(exc).__name__, exc, self._failed[sink.name])

    def flush(self, timeout: float | None = None) -> bool:
        for sink in self.sinks:
            try:
                sink.flush()
            except Exception as exc:
                self._log_failure(sink, exc)
        return True

    def close(self, timeout: float | None = None) -> None:
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as exc:
                self._log_failure(sink, exc)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "delivered": dict(self._delivered),
                "failed": dict(self._failed),
                "retried": 0,
                "spooled": 0,
                "dropped": 0,
                "queue_depth": 0,
            }
