"""The store as a sink: the delivery engine writes batches to it, and a daemon thread
deletes expired events every ``purge_interval_s``."""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from auditmw.store.base import safe_url

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditmw.store.base import EventDict, PurgeHook, Store

log = logging.getLogger("auditmw.store")


class StoreSink:
    """Wraps a :class:`Store`: ``write`` is idempotent on ``id``; ``durable = True``.

    ``batch_size`` (``store.batch_size``) is what the delivery lane gives it at most in
    one ``write``; ``None``: the lane's ``delivery.batch_size``.

    The purge thread starts with the first write (and again after a fork), runs one purge
    at once, then one every ``purge_interval_s``. A failing purge is logged and retried
    at the next interval; it never reaches the writer.
    """

    durable = True

    def __init__(self, store: Store, *, purge_interval_s: float = 3600.0,
                 on_purge: PurgeHook | None = None, name: str = "store",
                 batch_size: int | None = None) -> None:
        self.store = store
        self.batch_size = batch_size
        self.name = name
        self.purge_interval_s = purge_interval_s
        self.on_purge = on_purge
        self.purges = 0
        self.purged = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def _ensure_purger(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._lock:
            if self._thread is not None and self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._purge_loop, name="auditmw-purge",
                                            daemon=True)
            self._thread.start()

    def _purge_loop(self) -> None:
        stop = self._stop
        while not stop.is_set():
            self.purge_now()
            stop.wait(self.purge_interval_s)

    def purge_now(self) -> int:
        """One purge, errors logged rather than raised; returns how many were deleted."""
        try:
            deleted = self.store.purge(on_purge=self.on_purge)
        except Exception:
            log.exception("auditmw: retention purge of %s failed", safe_url(self.store.url))
            return 0
        self.purges += 1
        self.purged += deleted
        return deleted

    def write(self, events: Sequence[EventDict]) -> None:
        self._ensure_purger()
        self.store.write(events)

    def flush(self) -> None:
        self.store.flush()

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
        self.store.close()
