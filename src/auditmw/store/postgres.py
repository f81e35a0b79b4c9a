"""The store at scale: PostgreSQL through psycopg 3, one table partitioned by month.

A batch is one transaction: a binary ``COPY`` straight into ``events`` (one round trip,
no per-row SQL; :mod:`auditmw.store.pg_copy`). ``COPY`` cannot skip a conflict, so a
batch holding an event already stored (a replayed spool, an at-least-once retry: rare)
fails whole on the primary key and is written again, in a new transaction, through a
per-connection staging table and one ``INSERT ... ON CONFLICT DO NOTHING``.
The primary key is ``(ts, id)``: it serves keyset pagination and idempotency at once (a
re-delivered event carries its id and its time; PostgreSQL needs the partition key in
every unique index). Monthly partitions ``events_pYYYYMM`` are created on demand; the
purge drops whole expired partitions and deletes only inside the month the retention
cut falls in. Schema creation, partition
creation and purges are serialised between processes by advisory locks.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from contextlib import suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.store.base import StoreError, safe_url
from auditmw.store.pg_copy import (
    PG_EPOCH_US,
    STAGING,
    copy_events,
    copy_skipping_stored,
    months_of,
    staged,
)
from auditmw.store.pg_merge import PendingMerger, merge_all
from auditmw.store.purging import CHUNK
from auditmw.store.reader import SqlReader
from auditmw.store.retention import RetentionPolicy, cut_us
from auditmw.store.rows import datetime_to_us, us_to_datetime
from auditmw.store.schema import (
    COLUMN_LIST,
    OUTCOME_LEFT_OUT,
    POSTGRES_CREATE,
    POSTGRES_GIN,
    POSTGRES_GIN_FALLBACK,
    POSTGRES_UPGRADES,
    SCHEMA_VERSION,
    upgrade_steps,
)
from auditmw.store.verifywalk import postgres_rows

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

    import psycopg

    from auditmw.store.base import EventDict, PurgeHook

log = logging.getLogger("auditmw.store")

_LOCK_SCHEMA, _LOCK_PARTITION, _LOCK_PURGE = 0x617564_01, 0x617564_02, 0x617564_03
_PARTITION = re.compile(r"^events_p(\d{4})(\d{2})$")

_COLUMNS = COLUMN_LIST
def month_start(year: int, month: int) -> datetime:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=UTC)


def _partition(year: int, month: int) -> str:
    return f"events_p{year:04d}{month:02d}"


def _month(pg_us: int) -> tuple[int, int]:
    moment = us_to_datetime(pg_us + PG_EPOCH_US)
    return moment.year, moment.month


class PostgresStore(SqlReader):
    """A store in PostgreSQL. Connecting and creating the schema happen on first use."""

    name = "store"
    durable = True
    placeholder = "%s"

    def __init__(self, url: str, *, retention_days: int = 365,
                 connect_timeout_s: float = 10.0,
                 retention: RetentionPolicy | Mapping[str, Any] | None = None) -> None:
        if retention_days < 1:
            raise StoreError(f"store.retention_days must be at least 1, not {retention_days}")
        try:
            self.retention = RetentionPolicy.of(retention, retention_days)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        retention_days = self.retention.default
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError("store.url: a postgresql:// store needs psycopg: "
                             "pip install 'auditmw[postgres]'") from None
        self.url = url
        self.retention_days = retention_days
        self.connect_timeout_s = connect_timeout_s
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[psycopg.Connection[Any]] = []
        self._schema_ready = False
        self._months: set[tuple[int, int]] = set()
        self._inherited: list[Any] = []
        self._pid = os.getpid()
        self._closed = False
        self._merger: PendingMerger | None = None

    # -- connections ------------------------------------------------------------------

    def _connection(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"store {safe_url(self.url)} is closed")
        if os.getpid() != self._pid:  # forked: a connection must not cross a fork
            with self._lock:
                # Keep the parent's connections referenced, never closed here: closing
                # (or garbage-collecting) one in the child would end the parent's session.
                self._inherited.extend(self._connections)
                self._pid, self._connections = os.getpid(), []
                self._local = threading.local()
                self._merger = None  # the parent's thread is not in this process
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None and conn.closed:
            conn = None
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            if not self._schema_ready:
                self._ensure_schema(conn)
        return conn

    def _connect(self) -> psycopg.Connection[Any]:
        """A new connection, closed with the store (and kept, never closed, by a fork)."""
        import psycopg

        url = "postgresql://" + self.url.removeprefix("postgres://").removeprefix(
            "postgresql://")
        conn = psycopg.connect(url, autocommit=True,
                               connect_timeout=max(1, int(self.connect_timeout_s)))
        with self._lock:
            self._connections.append(conn)
        return conn

    def _ensure_schema(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_SCHEMA,))
            exists = conn.execute("SELECT to_regclass('auditmw_meta')").fetchone()
            version = 0
            if exists and exists[0] is not None:
                row = conn.execute(
                    "SELECT value FROM auditmw_meta WHERE key = 'schema_version'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"store {safe_url(self.url)} has schema version {version}; this "
                    f"auditmw understands up to {SCHEMA_VERSION}: upgrade auditmw")
            if version < SCHEMA_VERSION:
                for statement in upgrade_steps(version, POSTGRES_CREATE, POSTGRES_UPGRADES):
                    conn.execute(statement.encode())
                if version < 6:
                    self._filter_index(conn)
                conn.execute(
                    "INSERT INTO auditmw_meta VALUES ('schema_version', %s) ON CONFLICT "
                    "(key) DO UPDATE SET value = EXCLUDED.value", (str(SCHEMA_VERSION),))
        self._schema_ready = True

    def _filter_index(self, conn: psycopg.Connection[Any]) -> None:
        """The GIN index over the many-valued filter columns, or (no ``btree_gin``: it
        could not be created) their B-trees, with a warning: the store works the same,
        each event just costs more to write."""
        import psycopg

        try:
            with conn.transaction():  # a savepoint: a refusal must not undo the rest
                for statement in POSTGRES_GIN:
                    conn.execute(statement.encode())
        except psycopg.Error as exc:
            log.warning("auditmw: store %s: the btree_gin extension could not be created "
                        "(%s); using one B-tree per actor, target and ip column instead, "
                        "so each event costs more to write. A database owner can run "
                        "CREATE EXTENSION btree_gin, then drop the indexes events_actor_id, "
                        "events_actor_name, events_target_id, events_target_name and "
                        "events_client_ip and create events_filters (docs/store.md).",
                        safe_url(self.url), str(exc).strip().splitlines()[0])
            for statement in POSTGRES_GIN_FALLBACK:
                conn.execute(statement.encode())

    def _implied(self, attribute: str, values: tuple[str | None, ...]) -> list[str]:
        # events_outcome holds no success (schema.POSTGRES_INDEXES): a filter without it
        # says so, or a prepared statement could never use the index.
        if attribute == "outcome" and OUTCOME_LEFT_OUT not in values:
            return [f"outcome <> '{OUTCOME_LEFT_OUT}'"]
        return []

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._connection().execute(sql.encode(), params).fetchall()

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        self._connection().execute(sql.encode(), params)

    def verify_rows(self, chunk_size: int = 5000) -> Iterator[tuple[Any, ...]]:
        """Every row, expired ones too, in :meth:`iter_stored`'s order but unchecked
        (:func:`~auditmw.store.verifywalk.postgres_rows`) — for ``auditmw verify``,
        which checks them itself (:mod:`auditmw.integrity.stored`)."""
        return postgres_rows(self._connection(), chunk_size)

    def _time_param(self, time_us: int) -> Any:
        return us_to_datetime(time_us)

    def _time_value(self, value: Any) -> int:
        return datetime_to_us(value) if isinstance(value, datetime) else int(value)

    # -- partitions -------------------------------------------------------------------

    def _ensure_partitions(self, conn: psycopg.Connection[Any],
                           months: set[tuple[int, int]]) -> None:
        missing = months - self._months
        if not missing:
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_PARTITION,))
            for year, month in sorted(missing):
                start, end = month_start(year, month), month_start(year, month + 1)
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {_partition(year, month)} PARTITION "
                    f"OF events FOR VALUES FROM ('{start.isoformat()}') "
                    f"TO ('{end.isoformat()}')".encode())
        self._months |= missing
        self.merge_pending(conn)  # a new month: the one before is written no more

    def merge_pending(self, conn: psycopg.Connection[Any] | None = None) -> None:
        """Merge the GIN index's pending entries of every partition (at each new month
        and each purge; a failure is logged, the reads just stay slower)."""
        merge_all(conn or self._connection(), safe_url(self.url))

    def partitions(self) -> list[str]:
        """Names of the monthly partitions, oldest first."""
        rows = self._fetch(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events'::regclass ORDER BY c.relname", ())
        return [str(row[0]) for row in rows]

    # -- the sink side ----------------------------------------------------------------

    def write(self, events: Sequence[EventDict]) -> None:
        import psycopg

        if not events:
            return
        conn = self._connection()
        months = months_of(events)
        self._ensure_partitions(conn, months)
        try:
            self._insert(conn, events)
        except psycopg.errors.CheckViolation:
            # Another process purged a month this process had cached, or a time's
            # offset moved an event into a month its text did not say: make them.
            months = {_month(row[1]) for row in map(staged, events)}
            self._months -= months
            self._ensure_partitions(conn, months)
            self._insert(conn, events)
        self._pending_merger().wrote({_partition(*month) for month in months}, len(events))

    def _pending_merger(self) -> PendingMerger:
        merger = self._merger
        if merger is None:
            with self._lock:
                if self._merger is None:
                    self._merger = PendingMerger(self._connect, safe_url(self.url))
                merger = self._merger
        return merger

    def _insert(self, conn: psycopg.Connection[Any], events: Sequence[EventDict]) -> None:
        import psycopg

        try:
            copy_events(conn, events)
        except psycopg.errors.UniqueViolation:
            # Some event of the batch is stored already; nothing of it was written.
            self._insert_skipping_stored(conn, [staged(e) for e in events])

    def _insert_skipping_stored(self, conn: psycopg.Connection[Any],
                                rows: list[tuple[Any, ...]]) -> None:
        if getattr(self._local, "staging", None) is not conn:
            conn.execute(STAGING)
            self._local.staging = conn
        copy_skipping_stored(conn, rows)

    def flush(self) -> None:
        """Nothing is buffered: every ``write`` has committed."""

    def close(self) -> None:
        if self._merger is not None and self._pid == os.getpid():
            self._merger.close()
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            with suppress(Exception):
                conn.close()

    # -- integrity support and retention ------------------------------------------------

    def add_checkpoint(self, record: dict[str, Any]) -> None:
        self._connection().execute("INSERT INTO checkpoints (record) VALUES (%s)",
                                   (codec.dumps_str(record),))

    def checkpoints(self) -> list[dict[str, Any]]:
        rows = self._fetch("SELECT record FROM checkpoints ORDER BY n", ())
        return [codec.loads(row[0]) for row in rows]

    def purge(self, now: datetime | None = None, on_purge: PurgeHook | None = None) -> int:
        conn = self._connection()
        deleted = 0
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_PURGE,))
            plan, candidates, params = self.purge_plan(now, on_purge)
            cutoff = us_to_datetime(plan.cutoff_us)
            # A month may go whole only if every rule has expired it and no hold could
            # keep a row of it (every row is still judged below).
            whole = (None if plan.holds else us_to_datetime(
                cut_us(now, self.retention.longest())))
            expired = [] if whole is None else self._expired_partitions(conn, whole)
            for name in expired:  # no write may slip in between the check and the drop
                conn.execute(f"LOCK TABLE {name} IN EXCLUSIVE MODE".encode())
            kept: dict[str, list[str]] = {name: [] for name in expired}
            admitted: dict[str, int] = dict.fromkeys(expired, 0)
            after: tuple[datetime, str] | None = None
            while True:  # every row past the cut, judged; the cut month deleted as we go
                rows = conn.execute(
                    f"SELECT tableoid::regclass::text, {_COLUMNS} FROM events WHERE "
                    f"{candidates}" + (" AND (ts, id) > (%s, %s)" if after else "")
                    + f" ORDER BY ts, id LIMIT {CHUNK}",
                    (*params, *(after or ()))).fetchall()
                loose: list[tuple[Any, ...]] = []
                for row in rows:
                    partition, stored = row[0], (row[1], datetime_to_us(row[2]), *row[3:])
                    ok = plan.admit(stored)
                    if partition in kept:
                        if ok:
                            admitted[partition] += 1
                        else:
                            kept[partition].append(row[1])
                    elif ok:
                        loose.append((row[2], row[1]))
                if loose:
                    conn.execute(
                        "DELETE FROM events WHERE (ts, id) IN (SELECT * FROM "
                        "unnest(%s::timestamptz[], %s::text[]))",
                        ([t for t, _ in loose], [i for _, i in loose]))
                    deleted += len(loose)
                self._store_links(conn.execute, plan, with_checkpoint=False)
                if len(rows) < CHUNK:
                    break
                after = (rows[-1][2], rows[-1][1])
            for name in expired:
                if kept[name]:  # keep the refused rows where they are
                    conn.execute(f"DELETE FROM {name} WHERE NOT (id = ANY(%s))".encode(),
                                 (kept[name],))
                else:
                    conn.execute(f"DROP TABLE {name}".encode())
                deleted += admitted[name]
            record = plan.checkpoint()
            self._store_links(conn.execute, plan, with_checkpoint=record is not None)
            if record is not None:
                conn.execute("INSERT INTO checkpoints (record) VALUES (%s)",
                             (codec.dumps_str(record),))
        plan.report(self.url)
        self.merge_pending(conn)
        self.last_purge_kept = len(plan.refused)
        self._months = {m for m in self._months if month_start(*m) >= cutoff}
        return deleted

    @staticmethod
    def _expired_partitions(conn: psycopg.Connection[Any], cutoff: datetime) -> list[str]:
        """Our monthly partitions whose whole month is before ``cutoff``."""
        rows = conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events'::regclass").fetchall()
        expired = []
        for (name,) in rows:
            found = _PARTITION.match(str(name))
            if found and month_start(int(found[1]), int(found[2]) + 1) <= cutoff:
                expired.append(str(name))
        return sorted(expired)
