"""The store's schema, both backends, in one place: tables, indexes, guards, upgrades.

Every column of ``events`` but ``data`` is *derived* from ``data`` (the event's exact
canonical JSON, which the integrity chain signs): :func:`auditmw.store.rows.event_to_row`
computes them in the same step that serialises the JSON, and nothing ever changes a
stored row afterwards. Reads filter on those columns, so they must never say something
the signed JSON does not. Three things hold that line:

1. **Append-only.** A ``BEFORE UPDATE`` trigger on ``events`` refuses every ``UPDATE``
   (auditmw never updates an event; a re-delivered one is skipped on its ``id``). So no
   one can relabel, backdate or re-time a row with SQL short of editing the schema.
2. **Checked by ``auditmw verify``.** Every row's columns are compared with what its JSON
   says; a difference is named ``modified`` (reads filtering on that column are misled).
   That catches what the trigger cannot: a dropped trigger, a row inserted with columns
   of its own, a raw edit of the database file.
3. **Checked by every purge.** A row is purged (and enters the purge checkpoint) only if
   its *own* signed ``time`` is past retention and its columns agree with its JSON; any
   other row past the cut is kept and reported (``auditmw.store`` logger, error).

Why not generated columns: PostgreSQL does not allow a generated column in a partition
key (``ts`` is one), its text-to-``timestamptz`` cast is not immutable, and SQLite can add
a generated column to an existing table only as ``VIRTUAL`` and never turn an existing
column into one, so an upgrade would copy the whole table. The trigger gives the same
"no UPDATE can make them disagree", costs nothing per insert, and upgrades in place;
points 2 and 3 cover what neither generated columns nor triggers can (a schema edit).

``SCHEMA_VERSION`` is the one version both backends carry (SQLite ``PRAGMA
user_version``, PostgreSQL ``auditmw_meta.schema_version``). To change the schema: bump
it, change the ``CREATE`` text below (what a new store gets) and add the step from the
previous version to ``*_UPGRADES`` (what an existing store runs, in one transaction).
"""

from __future__ import annotations

SCHEMA_VERSION = 9

#: ``events`` columns in the order :func:`auditmw.store.rows.event_to_row` gives them.
COLUMNS: tuple[str, ...] = (
    "id", "ts", "event", "category", "outcome", "actor_id", "actor_name", "target_id",
    "target_name", "client_ip", "chain", "seq", "hash", "tenant", "data")
COLUMN_LIST = ", ".join(COLUMNS)

APPEND_ONLY = ("auditmw: stored events are append-only; an UPDATE would make the columns "
               "reads filter on disagree with the signed event")

#: ``auditmw_meta`` rows: the store's own secrets and settings (PostgreSQL also keeps
#: ``schema_version`` there). ``cursor_key``: hex of the key pagination cursors are signed
#: with (:mod:`auditmw.store.cursors`), made on first use.
CURSOR_KEY = "cursor_key"

# -- both backends: legal holds and the links purged events leave (version 5) ------
#
# ``holds``: one row per legal hold (docs/tenants.md); removing one sets ``removed_us``
# so the table keeps its history. ``links``: what a purge keeps of each event it deletes
# from the *middle* of a chain (retention per category or tenant, a hold): the signed
# ``{"schema": "auditmw/link", chain, seq, prev, hash}`` record, without the event's
# content, so the chain still links across the hole and ``auditmw verify`` tells a
# purge from a deletion (docs/integrity.md).

_HOLDS_AND_LINKS: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, category TEXT,
    reason TEXT NOT NULL, created_us BIGINT NOT NULL, removed_us BIGINT
)""",
    """CREATE TABLE IF NOT EXISTS links (
    chain TEXT NOT NULL, seq BIGINT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (chain, seq)
)""",
)

# -- SQLite ---------------------------------------------------------------------------

_SQLITE_META: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS auditmw_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

_SQLITE_GUARD: tuple[str, ...] = (
    "CREATE TRIGGER IF NOT EXISTS events_append_only BEFORE UPDATE ON events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
)

# Version 6: the order key ``k`` (:mod:`auditmw.store.orderkey`) is the rowid, so
# every index below implicitly ends in ``k``: (value, k) is each filter's time order.
_SQLITE_EVENTS = """CREATE TABLE IF NOT EXISTS {name} (
    k INTEGER PRIMARY KEY,          -- (ts << 10) | slot: time order, ties as stored
    id TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,            -- event time, microseconds since the epoch (UTC)
    event TEXT, category TEXT, outcome TEXT,
    actor_id TEXT, actor_name TEXT, target_id TEXT, target_name TEXT, client_ip TEXT,
    chain TEXT, seq INTEGER, hash TEXT,
    tenant TEXT,                    -- the event's tenant (SPEC §15), NULL without one
    data TEXT NOT NULL,             -- the event's exact canonical JSON
    CHECK (k >> 10 = ts)
)"""

#: SQLite's indexes on ``events`` (PostgreSQL's: :data:`POSTGRES_INDEXES`). A few
#: values: ``(value)`` = (value, k), each insert on one of a few hot pages. Many values
#: (or values × values): ``(bucket, value)`` with the bucket ``k >> 49`` (≈ 6.4 days),
#: so inserts stay in a small cached stretch of each.
SQLITE_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS events_event ON events (event)",
    "CREATE INDEX IF NOT EXISTS events_category ON events (category)",
    "CREATE INDEX IF NOT EXISTS events_outcome ON events (outcome)",
    "CREATE INDEX IF NOT EXISTS events_chain ON events (chain, seq)",
    # Version 7: a tenant key's reads (SPEC §15), alone (the (bucket, tenant) prefix) or
    # with an event. Version 6's (tenant) and (tenant, event) put each insert at one of
    # tenants × events places all over the index: a page written to the WAL per event,
    # 15 of the ~30 µs an event cost (docs/store.md).
    "CREATE INDEX IF NOT EXISTS events_tenant_bucket ON events (k >> 49, tenant, event)",
    "CREATE INDEX IF NOT EXISTS events_actor_id ON events (k >> 49, actor_id)",
    "CREATE INDEX IF NOT EXISTS events_actor_name ON events (k >> 49, actor_name)",
    "CREATE INDEX IF NOT EXISTS events_target_id ON events (k >> 49, target_id)",
    "CREATE INDEX IF NOT EXISTS events_target_name ON events (k >> 49, target_name)",
    "CREATE INDEX IF NOT EXISTS events_client_ip ON events (k >> 49, client_ip)",
)

SQLITE_CREATE: tuple[str, ...] = (
    _SQLITE_EVENTS.format(name="events"),
    *SQLITE_INDEXES,
    """CREATE TABLE IF NOT EXISTS checkpoints (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    created_us INTEGER NOT NULL,
    record TEXT NOT NULL
)""",
    *_SQLITE_GUARD,
    *_SQLITE_META,
    *_HOLDS_AND_LINKS,
)

# Version 5 → 6: a table copy (SQLite cannot change a table's rowid in place). Ties of
# one microsecond keep the order version 5 gave them (by id), so a v5 cursor still
# names the same position (:mod:`auditmw.store.cursors`). DROP TABLE takes the old
# indexes and trigger with it; the new ones are made after the copy (faster).
_SQLITE_ORDER_KEY: tuple[str, ...] = (
    _SQLITE_EVENTS.format(name="events_v6"),
    f"INSERT INTO events_v6 (k, {COLUMN_LIST}) SELECT (ts << 10) + ROW_NUMBER() OVER "
    f"(PARTITION BY ts ORDER BY id) - 1, {COLUMN_LIST} FROM events ORDER BY ts, id",
    "DROP TABLE events",
    "ALTER TABLE events_v6 RENAME TO events",
    *SQLITE_INDEXES,
    *_SQLITE_GUARD,
)

# Version 6 → 7: the tenant indexes bucketed (in place; a store from version 5 got the
# new one in its step above, and has neither old one to drop).
_SQLITE_TENANT_BUCKET: tuple[str, ...] = (
    "DROP INDEX IF EXISTS events_tenant",
    "DROP INDEX IF EXISTS events_tenant_event",
    *SQLITE_INDEXES,
)

#: ``{from_version: statements}`` bringing a store of that version to the next one.
SQLITE_UPGRADES: dict[int, tuple[str, ...]] = {
    1: _SQLITE_GUARD,
    2: ("ALTER TABLE events ADD COLUMN tenant TEXT",
        "CREATE INDEX IF NOT EXISTS events_tenant ON events (tenant, ts, id)"),
    3: _SQLITE_META,
    4: _HOLDS_AND_LINKS,
    5: _SQLITE_ORDER_KEY,
    6: _SQLITE_TENANT_BUCKET,
    7: (),  # version 8 changed PostgreSQL's indexes only
    8: (),  # and so did version 9
}

# -- PostgreSQL -----------------------------------------------------------------------

_POSTGRES_GUARD: tuple[str, ...] = (
    "CREATE OR REPLACE FUNCTION auditmw_append_only() RETURNS trigger LANGUAGE plpgsql "
    f"AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    # On the partitioned parent: PostgreSQL clones it onto every partition, old and new.
    "DROP TRIGGER IF EXISTS events_append_only ON events",
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events FOR EACH ROW "
    "EXECUTE FUNCTION auditmw_append_only()",
)

# Version 6: the indexes an event costs PostgreSQL to write (issue 21; docs/store.md,
# "Writing, and what it costs"). Every index entry costs server CPU, so only the columns
# with few values (event, category, outcome, tenant: each insert lands on one of a few
# hot leaf pages) keep a B-tree ending in the keyset order, which serves their first page
# and every deep page as a range scan. The five with many values share one GIN index
# (``btree_gin``) whose pending list (``fastupdate``) takes an event's keys as one append
# and merges them into the index a megabyte at a time; a rare actor, target or address is
# then a bitmap scan of the newest partitions, the planner walking ``(ts, id)`` backwards
# for a common one. ``tenant`` is in it too, so a tenant key's page with a second filter
# intersects two bitmaps instead of reading the tenant's whole range. Without the
# extension (PostgreSQL 12, no right to create it) the store falls back, loudly, to the
# five B-trees of version 5: :data:`POSTGRES_GIN_FALLBACK`.
#
# Every text column the indexes compare is ``COLLATE "C"``: a B-tree descent compares
# keys a dozen times, and a locale's collation (even ``C.UTF-8``) makes each comparison
# a ``strcoll`` call rather than a ``memcmp``. Filters are equalities, the only ordering
# on text is ``id`` within one microsecond, and byte order is what SQLite uses.
_C_TEXT = ("id", "event", "category", "outcome", "actor_id", "actor_name", "target_id",
           "target_name", "client_ip", "chain", "tenant")

# Version 8: two of them are partial, holding only the rows a filter on them can match
# without reading most of the table anyway. ``outcome`` leaves out ``success`` (~90 % of
# events: its pages walk ``(ts, id)`` backwards, skipping one row in ten), ``tenant``
# leaves out NULL (a store without tenants: every event). A prepared statement's
# parameter proves neither predicate to the planner, so the reader states it in the SQL
# (:meth:`auditmw.store.postgres.PostgresStore._implied`; ``tenant = $1`` implies
# ``tenant IS NOT NULL`` by itself).
#: The outcome ``events_outcome`` leaves out (a filter without it may use the index).
OUTCOME_LEFT_OUT = "success"
POSTGRES_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS events_event ON events (event, ts, id)",
    "CREATE INDEX IF NOT EXISTS events_category ON events (category, ts, id)",
    "CREATE INDEX IF NOT EXISTS events_outcome ON events (outcome, ts, id) "
    f"WHERE outcome <> '{OUTCOME_LEFT_OUT}'",
    # Version 9: an event's pages of a rare outcome. Neither B-tree above serves
    # ``event = $1 AND outcome = $2``: the planner walked ``events_outcome`` and threw
    # away every other event's rows (generic plan), or took the event's every row in the
    # retention window from ``events_event`` and sorted them (custom plan, its estimate
    # cut tenfold by the stated ``outcome <> 'success'`` counted as a second filter):
    # 60–700 ms at 1M events. This one holds only the ~10 % of rows that are not a
    # success, in the event's time order, so such a page is a backward walk of it.
    "CREATE INDEX IF NOT EXISTS events_event_unsuccessful ON events (event, ts, id) "
    f"WHERE outcome <> '{OUTCOME_LEFT_OUT}'",
    "CREATE INDEX IF NOT EXISTS events_chain ON events (chain, seq, id)",
    # A tenant key reads every page through this one (SPEC §15).
    "CREATE INDEX IF NOT EXISTS events_tenant ON events (tenant, ts, id) "
    "WHERE tenant IS NOT NULL",
)
#: Run in a savepoint: if the extension cannot be made, :data:`POSTGRES_GIN_FALLBACK`.
POSTGRES_GIN: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS events_filters ON events USING gin (actor_id, actor_name, "
    "target_id, target_name, client_ip, tenant) "
    "WITH (fastupdate = on, gin_pending_list_limit = 1024)",
)
_HIGH_CARDINALITY = ("actor_id", "actor_name", "target_id", "target_name", "client_ip")
POSTGRES_GIN_FALLBACK: tuple[str, ...] = tuple(
    f"CREATE INDEX IF NOT EXISTS events_{column} ON events ({column}, ts, id)"
    for column in _HIGH_CARDINALITY)

POSTGRES_CREATE: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS auditmw_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE IF NOT EXISTS events (
    id text COLLATE "C" NOT NULL,
    ts timestamptz NOT NULL,
    event text COLLATE "C", category text COLLATE "C", outcome text COLLATE "C",
    actor_id text COLLATE "C", actor_name text COLLATE "C", target_id text COLLATE "C",
    target_name text COLLATE "C", client_ip text COLLATE "C",
    chain text COLLATE "C", seq bigint, hash text,
    tenant text COLLATE "C",
    data text NOT NULL,
    PRIMARY KEY (ts, id)
) PARTITION BY RANGE (ts)""",
    *POSTGRES_INDEXES,
    """CREATE TABLE IF NOT EXISTS checkpoints (
    n bigserial PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now(),
    record text NOT NULL
)""",
    *_POSTGRES_GUARD,
    *_HOLDS_AND_LINKS,
)

# Version 4 added auditmw_meta (the cursor key) to SQLite; PostgreSQL always had it.
POSTGRES_UPGRADES: dict[int, tuple[str, ...]] = {
    1: _POSTGRES_GUARD,
    2: ("ALTER TABLE events ADD COLUMN IF NOT EXISTS tenant text",
        "CREATE INDEX IF NOT EXISTS events_tenant ON events (tenant, ts, id)"),
    3: (),
    4: _HOLDS_AND_LINKS,
    # The five many-valued B-trees go first (not rebuilt for nothing by the collation
    # change, which rebuilds every index on those columns); postgres.py then adds the GIN
    # index (or puts the B-trees back). No row is rewritten: text to text is a relabel.
    5: (*(f"DROP INDEX IF EXISTS events_{column}" for column in _HIGH_CARDINALITY),
        "ALTER TABLE events " + ", ".join(
            f'ALTER COLUMN {column} TYPE text COLLATE "C"' for column in _C_TEXT),
        *POSTGRES_INDEXES),  # a store from before version 2 never had them all
    6: (),  # version 7 changed SQLite's indexes only
    # Version 8: the outcome and tenant B-trees made partial (rebuilt: a predicate cannot
    # be added to an index in place; no row is touched).
    7: ("DROP INDEX IF EXISTS events_outcome", "DROP INDEX IF EXISTS events_tenant",
        *POSTGRES_INDEXES),
    8: POSTGRES_INDEXES,  # version 9: events_event_unsuccessful (the others exist)
}


def upgrade_steps(version: int, create: tuple[str, ...],
                  upgrades: dict[int, tuple[str, ...]]) -> list[str]:
    """The statements that bring a store at ``version`` (0: empty) to
    :data:`SCHEMA_VERSION`."""
    if version == 0:
        return list(create)
    steps: list[str] = []
    for step in range(version, SCHEMA_VERSION):
        steps.extend(upgrades[step])
    return steps
