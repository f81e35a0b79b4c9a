"""The embedded store: one SQLite file in WAL mode, safe with several processes.

Each thread gets its own connection (SQLite connections must not be shared while in
use); writers take the database lock with ``BEGIN IMMEDIATE`` and wait up to
``busy_timeout_s`` for another process to finish. The schema is created, or checked
against this version, on first use. ``synchronous = NORMAL`` (WAL): a batch that
``write`` returned for survives a crash of the process, which is what ``durable = True``
promises; ``sqlite:///path?synchronous=full`` also survives a power loss, at the price
of an fsync per batch. The table is ordered by the order key ``k``
(:mod:`auditmw.store.orderkey`, reads in :mod:`auditmw.store.keyed`); the WAL is
checkpointed by a thread of its own (:mod:`auditmw.store.walcheckpoint`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.parse
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.store.base import EventDict, PurgeHook, StoreError, UnstorableEvent
from auditmw.store.keyed import KeyedReader
from auditmw.store.orderkey import (
    MAX_TS,
    MAX_WRITE_TS,
    MIN_TS,
    SLOT_BITS,
    SLOTS,
    floor_key,
    key_disagreement,
    key_time,
)
from auditmw.store.purging import CHUNK, PurgePlan, judged
from auditmw.store.retention import RetentionPolicy
from auditmw.store.rows import datetime_to_us, event_to_row, time_text_to_us
from auditmw.store.schema import (
    COLUMN_LIST,
    SCHEMA_VERSION,
    SQLITE_CREATE,
    SQLITE_UPGRADES,
    upgrade_steps,
)
from auditmw.store.sqlite_insert import ROW_INSERT, NotAsPlanned, insert_rows
from auditmw.store.verifywalk import walk
from auditmw.store.walcheckpoint import WalCheckpointer

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

_DELETES_PER_TRANSACTION = 10_000
#: The page size of a new store file (an existing one keeps its own: SQLite changes it
#: only by rewriting the whole file). A batch dirties a page of each bucketed index per
#: few events and COMMIT writes each whole to the WAL; bigger pages hold more of a
#: bucket's stretch, so fewer of them are dirtied (1M events, raw inserts of the store's
#: rows and indexes, writer CPU: 4 KiB 25.7–26.7 µs an event, 16 KiB 19.4–23.2).
PAGE_SIZE = 16_384
#: WAL bytes (~80 MB) after which a commit checkpoints the WAL itself: the backstop of
#: the checkpoint thread, which normally keeps the WAL far shorter. In pages of the
#: file's own size (20,000 of 4 KiB, 5,000 of 16 KiB): the same disk and replay bound.
WAL_CHECKPOINT_BYTES = 20_000 * 4096


def wal_checkpoint_pages(page_size: int) -> int:
    return max(1, WAL_CHECKPOINT_BYTES // page_size)

_VERIFY_SELECT = ("SELECT " + COLUMN_LIST.removesuffix("data") + "CAST(data AS BLOB), k "
                  "FROM events")


def _placed(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """``rows`` (verify's columns, ``k`` last), each whose key disagrees with its ``ts``
    given the time reads misplace it at (:meth:`SQLiteStore.verify_rows`)."""
    if all(row[15] >> SLOT_BITS == row[1] for row in rows):
        return rows
    return [row if row[15] >> SLOT_BITS == row[1] else
            (row[0], _misplaced_time(row[15], row[1], row[14]), *row[2:]) for row in rows]


def _misplaced_time(k: int, ts: Any, data: bytes) -> Any:
    """Of a row whose key and ``ts`` disagree, the time that is not its signed one."""
    try:
        signed = time_text_to_us(codec.loads(data)["time"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return ts
    return key_time(k) if ts == signed else ts


def sqlite_path(url: str) -> tuple[str, dict[str, str]]:
    """``sqlite:///rel/path`` → ``rel/path``; ``sqlite:////abs/path`` → ``/abs/path``;
    with the URL's query options (``?synchronous=full``)."""
    if not url.startswith("sqlite:///"):
        raise StoreError(f"store.url: {url!r} is not a sqlite:/// URL")
    path, _, query = url.removeprefix("sqlite:///").partition("?")
    options = dict(urllib.parse.parse_qsl(query))
    unknown = sorted(set(options) - {"synchronous"})
    if unknown:
        raise StoreError(f"store.url: unknown option {unknown[0]!r}; allowed: synchronous")
    if not path or path == ":memory:" or path.startswith("file:"):
        raise StoreError(
            f"store.url: {url!r} needs a file path (sqlite:///path/to/audit.db); an "
            "in-memory database cannot be shared between threads and processes")
    return path, options


class SQLiteStore(KeyedReader):
    """A store in one SQLite file. Opening is lazy: nothing touches the disk until the
    first read or write, so a trail can be built where the file cannot (yet) be made."""

    name = "store"
    durable = True
    placeholder = "?"

    def __init__(self, url: str, *, retention_days: int = 365,
                 busy_timeout_s: float = 30.0, cache_kib: int = 65_536,
                 synchronous: str | None = None,
                 retention: RetentionPolicy | Mapping[str, Any] | None = None) -> None:
        if retention_days < 1:
            raise StoreError(f"store.retention_days must be at least 1, not {retention_days}")
        try:
            self.retention = RetentionPolicy.of(retention, retention_days)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        retention_days = self.retention.default
        self.url = url
        self.path, options = sqlite_path(url)
        level = (synchronous or options.get("synchronous", "normal")).upper()
        if level not in ("NORMAL", "FULL"):
            raise StoreError(f"store.url: synchronous must be normal or full, not {level!r}")
        self.synchronous = level
        self.retention_days = retention_days
        self.busy_timeout_s = busy_timeout_s
        self.cache_kib = int(cache_kib)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._schema_ready = False
        # One thread of this process sets the schema up; the others wait for it (two
        # connections switching a new file to WAL at once can deadlock on its locks, and
        # SQLite answers one of them "database is locked" at once, busy timeout or not).
        self._schema_lock = threading.Lock()
        self._inherited: list[Any] = []
        self._checkpointer: WalCheckpointer | None = None
        self._pid = os.getpid()
        self._closed = False

    # -- connections ----------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"store {self.url} is closed")
        if os.getpid() != self._pid:  # forked: inherited connections must not be used
            with self._lock:
                # Keep the parent's connections referenced, never closed here: closing
                # (or garbage-collecting) one in the child would end the parent's session.
                self._inherited.extend(self._connections)
                self._pid, self._connections = os.getpid(), []
                self._checkpointer = None  # the parent's thread is not in this process
                self._local = threading.local()
                self._schema_lock = threading.Lock()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            directory = Path(self.path).parent
            if not directory.is_dir():
                raise StoreError(f"store.url: directory {str(directory)!r} does not exist")
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")  # a new file only
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            # 64 MiB of page cache: index inserts on a big file stay in memory.
            conn.execute(f"PRAGMA cache_size = -{self.cache_kib}")
            conn.execute("PRAGMA foreign_keys = ON")
            # Checkpoint the WAL every ~80 MiB rather than SQLite's ~4 MiB: a batch changes
            # a page of every high-cardinality index per event, mostly pages the batches
            # before it changed too, and a checkpoint copies each page once however many
            # commits changed it (a quarter less CPU an insert, docs/store.md). Durability
            # is the same: a commit is in the WAL either way.
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
            conn.execute(f"PRAGMA wal_autocheckpoint = {wal_checkpoint_pages(page_size)}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        if not self._schema_ready:  # again after a failure (a full disk at start)
            with self._schema_lock:
                if not self._schema_ready:
                    self._ensure_schema(conn)
        return conn

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        mode = self._switch_to_wal(conn)
        if str(mode).lower() != "wal":
            raise StoreError(f"store {self.url}: could not switch to WAL (got {mode})")
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.url} has schema version {version}; this auditmw "
                    f"understands up to {SCHEMA_VERSION}: upgrade auditmw")
            if version < SCHEMA_VERSION:
                for statement in upgrade_steps(version, SQLITE_CREATE, SQLITE_UPGRADES):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._schema_ready = True

    def _switch_to_wal(self, conn: sqlite3.Connection) -> Any:
        """``PRAGMA journal_mode = WAL``, tried again until the busy timeout when another
        process is switching the same new file at the same moment (the deadlock SQLite
        breaks by refusing one side at once, without its busy handler)."""
        deadline = time.monotonic() + self.busy_timeout_s
        while True:
            try:
                return conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        self._connection().execute(sql, params)

    def verify_rows(self, chunk_size: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Every row, expired ones too, in :meth:`iter_stored`'s order but unchecked:
        the :data:`COLUMNS`, ``data`` as its UTF-8 bytes (no text object made), then
        ``k`` — for ``auditmw verify``, which checks them itself
        (:mod:`auditmw.integrity.stored`; :mod:`auditmw.store.verifywalk`).

        Reads place a row in time by ``k``: a row whose ``k`` disagrees with its ``ts``
        is given with the time that is *not* the signed one (``k``'s, when ``ts`` is
        right), so verify names it "column ts says …" at the time reads misplace it."""
        for rows in walk(self._fetch, _VERIFY_SELECT, "?", chunk_size, tiebreak="k",
                         chained_after=lambda row: (row[10], row[11], row[15]),
                         loose_order="k", loose_after=lambda row: (row[15],)):
            yield from _placed(rows)

    # -- the sink side ----------------------------------------------------------------

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        rows = [event_to_row(event) for event in events]  # validate all before writing
        for row in rows:
            if not MIN_TS <= row[1] <= MAX_WRITE_TS:
                raise UnstorableEvent(f"event {row[0]}: time {row[1]} µs is outside what the "
                                 "SQLite store can order (years 1685 to 2255)")
        try:
            try:
                with self._transaction() as conn:
                    insert_rows(conn, rows)
            except NotAsPlanned:  # an id stored at another time: the plain way decides
                with self._transaction() as conn:
                    conn.executemany(ROW_INSERT, rows)
        except sqlite3.IntegrityError as error:
            if "CHECK" not in str(error):
                raise
            # an event too many for its microsecond: the lane splits the batch until it
            # is alone and dead-letters only it (RejectedEvent)
            raise UnstorableEvent(f"store {self.url}: more than {SLOTS} events in one "
                                  "microsecond; the SQLite store keeps at most that many"
                                  ) from None
        self._wal_checkpointer().wrote(len(rows))

    def _wal_checkpointer(self) -> WalCheckpointer:
        checkpointer = self._checkpointer
        if checkpointer is None:
            with self._lock:
                if self._checkpointer is None:
                    self._checkpointer = WalCheckpointer(self.path, self.busy_timeout_s)
                checkpointer = self._checkpointer
        return checkpointer

    def flush(self) -> None:
        """Nothing is buffered: every ``write`` has committed."""

    def close(self) -> None:
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.close()
        for conn in connections:
            with suppress(sqlite3.Error):
                conn.close()

    def _delete_admitted(self, ids: Sequence[str], plan: PurgePlan) -> int:
        """Delete the admitted rows by id (exact whatever was written meanwhile), store
        their links and the checkpoint of what is purged so far, in one transaction."""
        with self._transaction() as conn:
            cursor = conn.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in ids])
            record = plan.checkpoint()
            self._store_links(conn.execute, plan, with_checkpoint=record is not None)
            if record is not None:
                self._insert_checkpoint(conn, record)
        return max(0, cursor.rowcount)

    # -- integrity support ------------------------------------------------------------

    def add_checkpoint(self, record: dict[str, Any]) -> None:
        with self._transaction() as conn:
            self._insert_checkpoint(conn, record)

    @staticmethod
    def _insert_checkpoint(conn: sqlite3.Connection, record: dict[str, Any]) -> None:
        conn.execute("INSERT INTO checkpoints (created_us, record) VALUES (?, ?)",
                     (datetime_to_us(datetime.now(UTC)), codec.dumps_str(record)))

    def checkpoints(self) -> list[dict[str, Any]]:
        rows = self._fetch("SELECT record FROM checkpoints ORDER BY n", ())
        return [codec.loads(row[0]) for row in rows]

    def purge(self, now: datetime | None = None, on_purge: PurgeHook | None = None) -> int:
        plan, candidates, params = self.purge_plan(now, on_purge)
        deleted = 0
        after: list[int] = []
        going: list[str] = []
        # Candidates by k (a rowid range: k < cut << 10 is ts < cut); a row whose k does
        # not match its ts is kept and reported, like any other that does not prove it.
        cut = floor_key(max(MIN_TS, min(plan.cutoff_us, MAX_TS)))
        while True:
            # Rows are read and judged outside the write lock (WAL: readers never wait);
            # the lock is held only to delete what was admitted and store the checkpoint
            # with it, so writers never wait for the checking of a year of rows.
            rows = self._fetch(
                f"SELECT k, {COLUMN_LIST} FROM events WHERE k < ? AND {candidates}"
                + (" AND k > ?" if after else "")
                + f" ORDER BY k LIMIT {CHUNK}", (cut, *params, *after))
            keyed = []
            for row in rows:
                why = key_disagreement(row[0], row[2])
                if why is None:
                    keyed.append(row[1:])
                else:
                    plan.refuse(str(row[1]), why)
            going.extend(str(row[0]) for row in judged(plan, keyed))
            last = len(rows) < CHUNK
            if going and (last or len(going) >= _DELETES_PER_TRANSACTION):
                deleted += self._delete_admitted(going, plan)
                going = []
            if last:
                break
            after = [int(rows[-1][0])]
        plan.report(self.url)
        self.last_purge_kept = len(plan.refused)
        # Fresh planner statistics (sampled, so milliseconds even on big files) let the
        # planner pick the right index for rare and common filter values alike.
        conn = self._connection()
        conn.execute("PRAGMA analysis_limit = 1000")
        conn.execute("ANALYZE")
        return deleted
