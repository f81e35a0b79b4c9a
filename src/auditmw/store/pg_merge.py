"""The GIN index's pending list, merged on a connection of its own (issue 21).

With ``fastupdate`` an insert only appends an event's filter keys to the index's pending
list; once the list passes ``gin_pending_list_limit`` (1 MiB) the *inserting* backend
merges it into the index, inside the ``COPY`` the delivery lane waits for: about a
quarter of what the server spends on an event. Here a thread asks a second server
process to merge the partitions just written (``gin_clean_pending_list``) every
:data:`EVERY_EVENTS` events, before the list reaches the limit, so that work runs on the
machine's other core while the writer's backend goes on copying.

Nothing depends on this thread being on time: a list it has not merged yet is still
searched by every read and still merged by the writer's backend at the limit, as
without it. A failure is logged and the next round tries again. The index content is
the same either way; only which process does the merging changes.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    import psycopg

log = logging.getLogger("auditmw.store")

#: Events written after which a round runs. The pending list takes ~170 bytes an event
#: (20.5 pages of 8 KiB per 1,000 bench events, ``pgstatginindex``), so ~500 KiB, well
#: under the 1 MiB (~6,200 events) at which the writer's backend would merge it itself.
#: The store lane's batches of 5,000 wake a round after every commit (~840 KiB).
EVERY_EVENTS = 3_000

# Every GIN index of the partitions: their pending lists merged now. A query scans the
# whole pending list of every partition it reads, and only the writes into a partition
# (or a VACUUM) merge it, so a month no longer written would keep its last ~1 MiB of
# unmerged entries for good: 30 ms instead of 1.5 ms for a rare actor at 1M events.
_MERGE_ALL = (
    b"SELECT count(gin_clean_pending_list(i.indexrelid)) FROM pg_inherits h "
    b"JOIN pg_index i ON i.indrelid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid "
    b"JOIN pg_am a ON a.oid = c.relam WHERE h.inhparent = 'events'::regclass "
    b"AND a.amname = 'gin'")
# The GIN indexes of the partitions named (the months just written).
_MERGE = (b"SELECT count(gin_clean_pending_list(i.indexrelid)) FROM pg_index i "
          b"JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
          b"WHERE i.indrelid = ANY(%s::regclass[]) AND a.amname = 'gin'")


def merge_all(conn: psycopg.Connection[Any], where: str) -> None:
    """Merge the pending lists of every partition (at each new month and each purge;
    a failure is logged, the reads just stay slower)."""
    _merge(conn, _MERGE_ALL, (), where)


def _merge(conn: psycopg.Connection[Any], statement: bytes, params: tuple[Any, ...],
           where: str) -> bool:
    import psycopg

    try:
        conn.execute(statement, params)
    except psycopg.Error as exc:
        log.warning("auditmw: store %s: merging the GIN pending lists failed: %s",
                    where, str(exc).strip().splitlines()[0])
        return False
    return True


class PendingMerger:
    """One daemon thread merging the pending lists of the partitions written."""

    def __init__(self, connect: Callable[[], psycopg.Connection[Any]], where: str) -> None:
        self._connect = connect
        self._where = where
        self._pending = 0
        self._partitions: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self.rounds = 0
        self._thread = threading.Thread(target=self._run, name="auditmw-gin-merge",
                                        daemon=True)
        self._thread.start()

    def wrote(self, partitions: set[str], events: int) -> None:
        """Called by a writer after a commit."""
        with self._lock:
            self._partitions |= partitions
            self._pending += events
            if self._pending >= EVERY_EVENTS:
                self._wake.set()

    def _take(self) -> list[str]:
        with self._lock:
            if self._pending < EVERY_EVENTS:
                return []
            self._pending = 0
            taken, self._partitions = sorted(self._partitions), set()
            return taken

    def _run(self) -> None:
        import psycopg

        conn: psycopg.Connection[Any] | None = None
        while not self._stop:
            self._wake.wait()
            self._wake.clear()
            partitions = self._take()
            if self._stop or not partitions:
                continue
            try:
                conn = conn if conn is not None and not conn.closed else self._connect()
            except psycopg.Error as exc:  # the writer's backend still merges at the limit
                log.warning("auditmw: store %s: no connection to merge the GIN pending "
                            "lists: %s", self._where, str(exc).strip().splitlines()[0])
                continue
            if _merge(conn, _MERGE, (partitions,), self._where):
                self.rounds += 1

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
