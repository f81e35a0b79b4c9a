"""PostgreSQL's version-6 schema: which indexes it keeps, its fallback without
``btree_gin``, and the in-place upgrade of a version-5 store; version 8's partial outcome
and tenant indexes, the reads over them and the upgrade of a version-7 store (issue 21)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from psycopg import sql as sql_text

from auditmw.integrity import verify_store
from auditmw.integrity.chain import ChainProcessor
from auditmw.store import Query, open_store
from auditmw.store import postgres as postgres_module
from auditmw.store.postgres import month_start
from auditmw.store.rows import event_to_row, us_to_datetime
from auditmw.store.sample import sample_events
from auditmw.store.schema import COLUMN_LIST, SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.postgres

KEY = "schema-key"
V6_INDEXES = {"events_pkey", "events_event", "events_category", "events_outcome",
              "events_chain", "events_tenant", "events_filters",
              "events_event_unsuccessful"}  # (version 9)
MANY_VALUED = {"events_actor_id", "events_actor_name", "events_target_id",
               "events_target_name", "events_client_ip"}

# What auditmw created for a PostgreSQL store at schema version 5, verbatim.
V5_POSTGRES: tuple[str, ...] = (
    "CREATE TABLE auditmw_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE events (id text NOT NULL, ts timestamptz NOT NULL, event text,
    category text, outcome text, actor_id text, actor_name text, target_id text,
    target_name text, client_ip text, chain text, seq bigint, hash text, tenant text,
    data text NOT NULL, PRIMARY KEY (ts, id)) PARTITION BY RANGE (ts)""",
    *(f"CREATE INDEX events_{c} ON events ({c}, ts, id)" for c in (
        "event", "category", "outcome", "actor_id", "actor_name", "target_id",
        "target_name", "client_ip", "tenant")),
    "CREATE INDEX events_chain ON events (chain, seq, id)",
    """CREATE TABLE checkpoints (n bigserial PRIMARY KEY,
    created timestamptz NOT NULL DEFAULT now(), record text NOT NULL)""",
    "CREATE OR REPLACE FUNCTION auditmw_append_only() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RAISE EXCEPTION 'auditmw: stored events are append-only'; END $$",
    "CREATE TRIGGER events_append_only BEFORE UPDATE ON events FOR EACH ROW "
    "EXECUTE FUNCTION auditmw_append_only()",
    """CREATE TABLE holds (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, category TEXT,
    reason TEXT NOT NULL, created_us BIGINT NOT NULL, removed_us BIGINT)""",
    """CREATE TABLE links (chain TEXT NOT NULL, seq BIGINT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (chain, seq))""",
    "INSERT INTO auditmw_meta VALUES ('schema_version', '5')",
)


def run(url: str, statements: Sequence[str], *rows: Sequence[Any]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.encode())
        marks = ", ".join(["%s"] * len(rows[0])) if rows else ""
        for row in rows:
            conn.execute(f"INSERT INTO events ({COLUMN_LIST}) VALUES ({marks})".encode(),
                         row)


def indexes(url: str) -> dict[str, str]:
    """The partitioned indexes of ``events``: name -> access method."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, am.amname FROM pg_index i JOIN pg_class c ON c.oid = "
            "i.indexrelid JOIN pg_am am ON am.oid = c.relam "
            "WHERE i.indrelid = 'events'::regclass").fetchall()
    return {str(name): str(method) for name, method in rows}


def collations(url: str) -> set[str]:
    """The collations of the text columns the indexes compare."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT collation_name FROM information_schema.columns WHERE "
            "table_name = 'events' AND data_type = 'text' AND column_name NOT IN "
            "('data', 'hash')").fetchall()
    return {str(row[0]) for row in rows}


def chained(count: int, *, tenants: int = 3) -> list[dict[str, Any]]:
    chain = ChainProcessor(KEY)
    end = datetime.now(UTC) - timedelta(minutes=1)
    start = month_start(end.year, end.month)  # all in this month's partition
    span = min(timedelta(days=1), end - start)
    return [chain(event) for event in sample_events(count, end=end, span=span,
                                                    tenants=tenants)]


def test_a_new_store_keeps_btrees_for_few_values_and_one_gin_index(
        postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        store.count(Query())
        found = indexes(postgres_url)
        assert set(found) == V6_INDEXES
        assert found["events_filters"] == "gin"
        assert collations(postgres_url) == {"C"}
    finally:
        store.close()


def test_without_btree_gin_the_store_falls_back_loudly_to_btrees(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(postgres_module, "POSTGRES_GIN",
                        ("CREATE EXTENSION auditmw_no_such_extension",))
    store = open_store(postgres_url)
    try:
        with caplog.at_level(logging.WARNING, logger="auditmw.store"):
            store.write(chained(20))
        assert "btree_gin extension could not be created" in caplog.text
        assert set(indexes(postgres_url)) == V6_INDEXES - {"events_filters"} | MANY_VALUED
        actor = store.query(Query(), limit=1).items[0]["actor"]["id"]
        assert store.query(Query(actor=(actor,))).items
    finally:
        store.close()


def test_a_version_5_store_upgrades_in_place_and_still_verifies(postgres_url: str) -> None:
    events = chained(60)
    now = datetime.now(UTC)
    partition = (f"CREATE TABLE events_p{now.year:04d}{now.month:02d} PARTITION OF events "
                 f"FOR VALUES FROM ('{month_start(now.year, now.month).isoformat()}') TO "
                 f"('{month_start(now.year, now.month + 1).isoformat()}')")
    rows = [(r[0], us_to_datetime(r[1]), *r[2:]) for r in map(event_to_row, events)]
    run(postgres_url, (*V5_POSTGRES, partition), *rows)
    probe = events[7]
    filters = [Query(), Query(actor=(probe["actor"]["id"],)),
               Query(target=(probe["target"]["name"],)), Query(ip=(probe["client"]["ip"],)),
               Query(tenant=(probe["tenant"],), event=(probe["event"],))]

    store = open_store(postgres_url)
    try:
        pages = [[e["id"] for e in store.query(q, limit=100).items] for q in filters]
        found = indexes(postgres_url)
        assert set(found) == V6_INDEXES
        assert found["events_filters"] == "gin"
        assert collations(postgres_url) == {"C"}
        assert all(probe["id"] in page for page in pages[1:])
        assert len(pages[0]) == 60
        assert verify_store(store, KEY).all_problems() == []
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT value FROM auditmw_meta WHERE key = "
                                "'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            run(postgres_url, ("UPDATE events SET event = 'x'",))
        store.write(events[:5])  # already stored: skipped, not doubled
        assert store.count(Query()) == 60
    finally:
        store.close()


def pending_pages(url: str) -> dict[str, int]:
    """Pages of unmerged entries in each partition's GIN index."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        rows = conn.execute(
            "SELECT t.relname, (pgstatginindex(i.indexrelid)).pending_pages FROM "
            "pg_inherits h JOIN pg_index i ON i.indrelid = h.inhrelid JOIN pg_class t ON "
            "t.oid = h.inhrelid JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON "
            "a.oid = c.relam WHERE h.inhparent = 'events'::regclass AND a.amname = 'gin'"
        ).fetchall()
    return {str(name): int(pages) for name, pages in rows}


def test_a_new_month_and_a_purge_merge_the_gin_pending_lists(postgres_url: str) -> None:
    now = datetime.now(UTC)
    last_month = month_start(now.year, now.month) - timedelta(days=3)
    store = open_store(postgres_url)
    try:
        store.write(list(sample_events(50, end=last_month, span=timedelta(days=1))))
        assert sum(pending_pages(postgres_url).values()) > 0  # what reads had to scan
        store.write(chained(50))  # this month: a new partition
        pending = pending_pages(postgres_url)
        assert pending[f"events_p{last_month.year:04d}{last_month.month:02d}"] == 0
        assert pending[f"events_p{now.year:04d}{now.month:02d}"] > 0
        store.purge()
        assert set(pending_pages(postgres_url).values()) == {0}
    finally:
        store.close()


# -- version 8: partial outcome and tenant indexes --------------------------------------

def index_definitions(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class "
            "c ON c.oid = i.indexrelid WHERE i.indrelid = 'events'::regclass").fetchall()
    return {str(name): str(definition) for name, definition in rows}


def test_the_outcome_and_tenant_indexes_leave_out_success_and_null(
        postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        store.count(Query())
        found = index_definitions(postgres_url)
        assert found["events_outcome"].endswith("WHERE (outcome <> 'success'::text)")
        assert found["events_tenant"].endswith("WHERE (tenant IS NOT NULL)")
        assert "WHERE" not in found["events_event"] + found["events_category"]
    finally:
        store.close()


def odd_events() -> list[dict[str, Any]]:
    """Chained events of three tenants, and some with no tenant, no outcome or one
    outside success/failure/denied."""
    chain = ChainProcessor(KEY)
    end = datetime.now(UTC) - timedelta(minutes=1)
    span = min(timedelta(days=1), end - month_start(end.year, end.month))
    events = []
    for index, event in enumerate(sample_events(240, end=end, span=span, tenants=3)):
        if index % 5 == 0:
            del event["tenant"]
        if index % 17 == 0:
            del event["outcome"]
        elif index % 13 == 0:
            event["outcome"] = "partial"
        events.append(chain(event))
    return events


def brute(events: list[dict[str, Any]], query: Query, order: str) -> list[str]:
    def keeps(event: dict[str, Any]) -> bool:
        return all(not wanted or event.get(field) in wanted for field, wanted in (
            ("outcome", query.outcome), ("tenant", query.tenant), ("event", query.event)))
    kept = sorted((e for e in events if keeps(e)), key=lambda e: (e["time"], e["id"]),
                  reverse=order == "desc")
    return [e["id"] for e in kept]


OUTCOME_QUERIES = [
    Query(outcome=("success",)), Query(outcome=("denied",)), Query(outcome=("failure",)),
    Query(outcome=("partial",)), Query(outcome=("nothing",)),
    Query(outcome=("success", "denied")), Query(outcome=("denied", "failure")),
    Query(tenant=("site0",)), Query(tenant=("site1", "site2")),
    Query(tenant=("site0",), outcome=("success",)),
    Query(tenant=("site2",), outcome=("failure", "partial")),
    Query(outcome=("denied", "failure"), event=("siteAccess", "createAssetGroup")),
    Query(event=("deleteScope",), outcome=("denied",)),
    Query(event=("siteAccess",), outcome=("failure", "partial")),
    Query(event=("siteAccess",), outcome=("success", "denied")),
    Query(tenant=("site1",), event=("siteAccess",), outcome=("denied",)),
]


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_pages_on_outcome_and_tenant_are_a_brute_force_filter(
        pg: Any, order: str) -> None:
    events = odd_events()
    pg.write(events[:100])
    pg.write(events[100:])
    for query in OUTCOME_QUERIES:
        walked: list[str] = []
        page = pg.query(query, order=order, limit=7)
        walked += [e["id"] for e in page.items]
        while page.next is not None:
            page = pg.query(query, order=order, limit=7, cursor=page.next)
            walked += [e["id"] for e in page.items]
        assert walked == brute(events, query, order), query
        assert pg.count(query) == len(walked), query


def test_a_prepared_page_of_a_rare_outcome_can_use_the_partial_index(pg: Any) -> None:
    """The generic plan of a prepared statement (what psycopg runs after five
    executions) cannot prove ``outcome <> 'success'`` from ``outcome = $1``: the reader
    says it, or the partial index could never serve those pages."""
    pg.write(odd_events())
    captured: list[tuple[str, Sequence[Any]]] = []
    fetch = pg._fetch

    def spy(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        captured.append((sql, params))
        return fetch(sql, params)

    pg._fetch = spy
    pg.query(Query(outcome=("denied",)), limit=10, with_total=False)
    sql, params = captured[-1]
    numbered = sql.split("%s")
    generic = numbered[0] + "".join(f"${n}{part}" for n, part in enumerate(numbered[1:], 1))
    with psycopg.connect(pg.url) as conn:
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("SET enable_seqscan = off")  # a few rows: make an index worth it
        conn.execute("SET enable_bitmapscan = off")
        conn.execute(f"PREPARE page AS {generic}".encode())
        values = sql_text.SQL(", ").join(map(sql_text.Literal, params))
        plan = [str(row[0]) for row in conn.execute(
            sql_text.SQL("EXPLAIN EXECUTE page({})").format(values)).fetchall()]
    scans = [line for line in plan if "Index Scan" in line]
    assert scans, plan
    assert all("outcome" in line for line in scans), plan


def test_a_version_7_store_upgrades_in_place_and_still_verifies(postgres_url: str) -> None:
    events = odd_events()
    store = open_store(postgres_url)
    try:
        store.write(events)
    finally:
        store.close()
    run(postgres_url, (  # what version 7 made: the same, with both indexes whole
        "DROP INDEX events_outcome", "DROP INDEX events_tenant",
        "CREATE INDEX events_outcome ON events (outcome, ts, id)",
        "CREATE INDEX events_tenant ON events (tenant, ts, id)",
        "UPDATE auditmw_meta SET value = '7' WHERE key = 'schema_version'"))
    assert "WHERE" not in index_definitions(postgres_url)["events_outcome"]

    store = open_store(postgres_url)
    try:
        pages = {repr(q): [e["id"] for e in store.query(q, limit=500).items]
                 for q in OUTCOME_QUERIES}
        found = index_definitions(postgres_url)
        assert found["events_outcome"].endswith("WHERE (outcome <> 'success'::text)")
        assert found["events_tenant"].endswith("WHERE (tenant IS NOT NULL)")
        assert set(found) == V6_INDEXES
        assert pages == {repr(q): brute(events, q, "desc") for q in OUTCOME_QUERIES}
        assert verify_store(store, KEY).all_problems() == []
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT value FROM auditmw_meta WHERE key = "
                                "'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        store.write(events[:5])  # already stored: skipped, not doubled
        assert store.count(Query()) == len(events)
    finally:
        store.close()


# -- version 9: an event's pages of a rare outcome ---------------------------------------

def _generic_plan_indexes(pg: Any, query: Query) -> list[str]:
    """The parent index of every index scan in the generic plan of ``query``'s first page
    (what psycopg's prepared statement runs after five executions)."""
    captured: list[tuple[str, Sequence[Any]]] = []
    fetch = pg._fetch

    def spy(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        captured.append((sql, params))
        return fetch(sql, params)

    pg._fetch = spy
    try:
        pg.query(query, limit=10, with_total=False)
    finally:
        pg._fetch = fetch
    sql, params = captured[-1]
    numbered = sql.split("%s")
    generic = numbered[0] + "".join(f"${n}{part}" for n, part in enumerate(numbered[1:], 1))
    with psycopg.connect(pg.url) as conn:
        conn.execute("SET plan_cache_mode = force_generic_plan")
        conn.execute("SET enable_seqscan = off")  # a few rows: make an index worth it
        conn.execute("SET enable_bitmapscan = off")
        conn.execute("SET enable_sort = off")  # the page's order from the index
        conn.execute(f"PREPARE page AS {generic}".encode())
        values = sql_text.SQL(", ").join(map(sql_text.Literal, params))
        plan = "\n".join(str(row[0]) for row in conn.execute(
            sql_text.SQL("EXPLAIN EXECUTE page({})").format(values)).fetchall())
        parents = dict(conn.execute(
            "SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = "
            "i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relkind = 'i'"
        ).fetchall())
    used = [word for line in plan.splitlines() if "Index Scan" in line
            for word in line.split() if word in parents]
    assert used, plan
    return [str(parents[name]) for name in used]


def test_a_prepared_page_of_an_event_and_a_rare_outcome_walks_its_own_index(
        pg: Any) -> None:
    """``event=deleteScope&outcome=denied`` took 60–700 ms at 1M events (docs/store.md):
    no index held both. Its generic plan now walks ``events_event_unsuccessful``."""
    pg.write(odd_events())
    used = _generic_plan_indexes(pg, Query(event=("deleteScope",), outcome=("denied",)))
    assert set(used) == {"events_event_unsuccessful"}
    # a success among the outcomes: the partial index cannot hold those rows
    used = _generic_plan_indexes(pg, Query(event=("deleteScope",),
                                           outcome=("denied", "success")))
    assert "events_event_unsuccessful" not in used


def test_a_version_8_store_gets_the_index_in_place(postgres_url: str) -> None:
    events = odd_events()
    store = open_store(postgres_url)
    try:
        store.write(events)
    finally:
        store.close()
    run(postgres_url, ("DROP INDEX events_event_unsuccessful",
                       "UPDATE auditmw_meta SET value = '8' WHERE key = 'schema_version'"))
    assert "events_event_unsuccessful" not in index_definitions(postgres_url)
    store = open_store(postgres_url)
    try:
        pages = {repr(q): [e["id"] for e in store.query(q, limit=500).items]
                 for q in OUTCOME_QUERIES}
        found = index_definitions(postgres_url)
        assert found["events_event_unsuccessful"].endswith(
            "(event, ts, id) WHERE (outcome <> 'success'::text)")
        assert set(found) == V6_INDEXES
        assert pages == {repr(q): brute(events, q, "desc") for q in OUTCOME_QUERIES}
        assert verify_store(store, KEY).all_problems() == []
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT value FROM auditmw_meta WHERE key = "
                                "'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
    finally:
        store.close()
