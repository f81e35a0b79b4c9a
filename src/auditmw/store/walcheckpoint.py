"""The SQLite store's WAL checkpoints, on a thread of their own.

A checkpoint copies the pages the WAL holds into the database file: about half of what
a write of 1.4 KB events with their indexes costs. Done by the writer's commit
(``wal_autocheckpoint``), the delivery lane waits for it; done here, on another
connection, it runs while the writer goes on (``sqlite3`` lets go of the GIL inside
SQLite, so it uses the machine's other core). ``PASSIVE``: it never waits for, nor
blocks, a reader or writer; what it cannot copy yet waits for the next round.

A fork waits for a checkpoint in progress to end (``os.register_at_fork``): a child
forked while this thread was inside SQLite would inherit SQLite's locks held by a
thread it does not have, and hang on its first connection.

The writers keep ``wal_autocheckpoint`` as a backstop (a WAL this thread has not kept
short, because it died or is starved, is still checkpointed by a commit). Durability is
the same either way: a commit is in the WAL before ``write`` returns.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import weakref
from contextlib import suppress

log = logging.getLogger("auditmw.store")

#: Events written after which the thread is woken (it also looks every IDLE_S).
EVERY_EVENTS = 5_000
IDLE_S = 1.0


_LIVE: weakref.WeakSet[WalCheckpointer] = weakref.WeakSet()
_HELD: list[WalCheckpointer] = []


def _before_fork() -> None:
    for checkpointer in list(_LIVE):
        checkpointer.busy.acquire()
        _HELD.append(checkpointer)


def _after_fork() -> None:
    while _HELD:
        _HELD.pop().busy.release()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork,
                    after_in_child=_after_fork)


class WalCheckpointer:
    """One daemon thread checkpointing ``path``'s WAL after writes."""

    def __init__(self, path: str, busy_timeout_s: float) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self._pending = 0
        self._wake = threading.Event()
        self._stop = False
        self.rounds = 0
        #: Held while this thread is inside SQLite; a fork waits for it.
        self.busy = threading.Lock()
        _LIVE.add(self)
        self._thread = threading.Thread(target=self._run, name="auditmw-wal-checkpoint",
                                        daemon=True)
        self._thread.start()

    def wrote(self, events: int) -> None:
        """Called by the writer after a commit (a counter; no lock needed: a lost
        increment only delays a round)."""
        self._pending += events
        if self._pending >= EVERY_EVENTS:
            self._wake.set()

    def _run(self) -> None:
        try:
            with self.busy:
                conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s,
                                       isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            log.error("auditmw: no WAL checkpoint thread for %s (%s); commits checkpoint",
                      self.path, error)
            return
        try:
            while not self._stop:
                self._wake.wait(IDLE_S)
                self._wake.clear()
                if self._stop or not self._pending:
                    continue
                self._pending = 0
                try:
                    with self.busy:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.rounds += 1
                except sqlite3.Error as error:  # the next round (or a commit) catches up
                    log.warning("auditmw: WAL checkpoint of %s: %s", self.path, error)
        finally:
            with self.busy, suppress(sqlite3.Error):
                conn.close()

    def close(self) -> None:
        self._stop = True
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=self.busy_timeout_s)
