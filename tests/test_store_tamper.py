"""An intruder with SQL access to the store, on real SQLite and PostgreSQL.

Reads filter on the store's columns; the integrity chain signs the JSON. Every way of
making the two disagree — an UPDATE (refused by the append-only trigger), the same
after dropping the trigger, a row deleted or inserted, a row backdated and then purged —
must be named by ``auditmw verify`` (exit 1), and a purge must never delete and sign
away an event that is not past retention by its own signed time.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw import codec
from auditmw.cli import main
from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import purge_checkpointer, verify_store
from auditmw.integrity.chain import ChainProcessor
from auditmw.integrity.report import Report
from auditmw.store import Query, Store, StoreError, open_store
from auditmw.store.rows import event_to_row
from auditmw.store.schema import COLUMNS, SCHEMA_VERSION
from auditmw.trail import AuditTrail

#: The events columns of a version-1 store (no tenant column yet).
V1_COLUMNS = [c for c in COLUMNS if c != "tenant"]

KEY = "tamper-key"
DAY_NS = 86_400 * 10**9
N = 12
TWO_YEARS_US = 730 * 86_400 * 10**6


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A store holding one chain of ``N`` recent events, seq 1..N, each with a distinct
    actor, target and client IP, outcomes alternating."""
    trail = AuditTrail(store={"url": store_url}, sinks=[], integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool"), "batch_size": 5})
    now = time.time_ns()
    for i in range(N):
        ns = now - (N - i) * 10**9
        trail.emit(AuditEvent(
            "createAssetGroup", "inventory_configuration", "create",
            outcome="success" if i % 2 else "failure",
            actor=Actor(id=f"u{i}", name=f"user {i}"),
            target=Target(type="asset", id=f"t{i}", name=f"asset {i}"),
            client=Client(ip=f"10.0.0.{i}"), id=uuid7(ns), time=format_time_ns(ns)))
    trail.close()
    opened = open_store(store_url)
    yield opened
    opened.close()


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql://")


def sql(url: str, statement: str, *params: Any) -> None:
    """Change the database behind the store's back, as an intruder would."""
    if not is_postgres(url):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement.replace("%s", "?"), params)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.encode(), params)


def backdate_sql(url: str) -> str:
    """Two years back; on SQLite the order key too (its CHECK refuses a ts alone)."""
    if is_postgres(url):
        return "UPDATE events SET ts = ts - interval '730 days' WHERE id = %s"
    return (f"UPDATE events SET ts = ts - {TWO_YEARS_US}, k = k - ({TWO_YEARS_US} << 10) "
            "WHERE id = %s")


def with_key(url: str, statement: str) -> str:
    """An INSERT of (id, ts, ...) as an intruder writes it on SQLite: with an order key
    that matches the ts (slot 1000, clear of the genuine rows)."""
    if is_postgres(url):
        return statement
    return (statement.replace("INSERT INTO events (id, ts,", "INSERT INTO events (k, id, ts,")
            .replace("VALUES (%s, %s,", "VALUES ((?2 << 10) + 1000, ?1, ?2,"))


def drop_guard(url: str) -> None:
    """What an intruder who owns the database does first."""
    if is_postgres(url):
        sql(url, "DROP TRIGGER events_append_only ON events")
    else:
        sql(url, "DROP TRIGGER events_append_only")


def seq_of(store: Store, seq: int) -> dict[str, Any]:
    [found] = [e for e in store.iter_by_chain() if e["integrity"]["seq"] == seq]
    return found


def kinds(report: Report) -> list[tuple[str, int | None]]:
    return sorted((p.kind, p.first_seq) for p in report.all_problems())


def cli_verify(url: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", "--store", url, "--key-env", "TAMPER_KEY"])
    out, _ = capsys.readouterr()
    return code, out


@pytest.fixture(autouse=True)
def _key_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TAMPER_KEY", KEY)
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_untouched_store_verifies(store: Store, store_url: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_store(store, KEY).valid
    assert cli_verify(store_url, capsys)[0] == 0


# column, what the intruder sets it to (SQL), the Data API filter it would mislead
EDITS: list[tuple[str, str, str | None]] = [
    ("event", "'deleteScope'", "event"),
    ("category", "'data_extraction'", "category"),
    ("outcome", "'denied'", "outcome"),
    ("actor_id", "'someone-else'", "actor"),
    ("actor_name", "'someone else'", "actor"),
    ("target_id", "'other-asset'", "target"),
    ("target_name", "'other asset'", "target"),
    ("client_ip", "'192.0.2.9'", "ip"),
    ("tenant", "'acme'", "tenant"),
    ("chain", "'forged-chain'", None),
    ("seq", "seq + 1000", None),
    ("hash", "'sha256:00'", None),
    ("id", "'forged-id'", None),
]


@pytest.mark.parametrize(("column", "value", "read_filter"), EDITS,
                         ids=[e[0] for e in EDITS])
def test_every_column_edit_is_refused_then_named_when_forced(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str],
        column: str, value: str, read_filter: str | None) -> None:
    victim = seq_of(store, 5)
    edit = f"UPDATE events SET {column} = {value} WHERE id = %s"
    with pytest.raises(Exception, match="append-only"):
        sql(store_url, edit, victim["id"])
    assert verify_store(store, KEY).valid  # the refused UPDATE changed nothing

    drop_guard(store_url)
    sql(store_url, edit, victim["id"])
    report = verify_store(store, KEY)
    named = [p for p in report.all_problems() if f"column {column} says" in p.detail]
    assert [(p.kind, p.first_seq) for p in named] == [("modified", 5)], kinds(report)
    assert named[0].ids in ([victim["id"]], ["forged-id"])
    assert not report.valid
    code, out = cli_verify(store_url, capsys)
    assert code == 1
    assert f"column {column} says" in out
    assert "NOT VALID" in out
    if read_filter is not None:
        # The relabelled read is what the intruder wanted; verify is what says so.
        forged = value.strip("'")
        page = store.query(Query(**{read_filter: (forged,)}), limit=100)
        assert [e["id"] for e in page.items] == [victim["id"]]


def test_time_column_edit_is_refused_then_named_when_forced(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    victim = seq_of(store, 3)
    backdate = backdate_sql(store_url)
    with pytest.raises(Exception, match=r"append-only|no partition"):
        sql(store_url, backdate, victim["id"])
    drop_guard(store_url)
    make_old_partition(store_url)
    sql(store_url, backdate, victim["id"])
    # The backdated event has vanished from every read...
    assert victim["id"] not in {e["id"] for e in store.iter_events(Query())}
    # ...and verify names it.
    report = verify_store(store, KEY)
    assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("modified", 3)]
    assert "column ts says" in report.all_problems()[0].detail
    assert cli_verify(store_url, capsys)[0] == 1


def test_an_order_key_edit_is_refused_then_named_when_forced(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    """SQLite reads time ranges on k: moving k alone two years back hides the event from
    every read, so the CHECK refuses it; forced, verify names it and the purge (which
    judges a row by its signed time) leaves it for verify."""
    if is_postgres(store_url):
        pytest.skip("SQLite's order key")
    victim = seq_of(store, 3)
    move = f"UPDATE events SET k = k - ({TWO_YEARS_US} << 10) WHERE id = ?"
    drop_guard(store_url)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        sql(store_url, move, victim["id"])
    with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
        conn.execute("PRAGMA ignore_check_constraints = ON")  # the owner can force it
        conn.execute(move, (victim["id"],))
    assert victim["id"] not in {e["id"] for e in store.iter_events(Query())}
    report = verify_store(store, KEY)
    assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("modified", 3)]
    # Named at the time reads now place it: two years before its signed time.
    from auditmw.ids import format_time
    from auditmw.store.rows import time_text_to_us, us_to_datetime

    back = format_time(us_to_datetime(time_text_to_us(victim["time"]) - TWO_YEARS_US))
    assert f"column ts says {back}" in report.all_problems()[0].detail
    [stored] = [s for s in store.iter_stored() if s.id == victim["id"]]
    assert any("column k says" in why for why in stored.disagreements)
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 0
    assert store.checkpoints() == []
    assert victim["id"] in {e["id"] for e in store.iter_by_chain()}  # evidence kept
    assert cli_verify(store_url, capsys)[0] == 1


def test_a_purge_keeps_an_old_row_whose_key_disagrees(
        store_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A genuinely old row whose k was moved (forced past the CHECK) is a purge
    candidate by k, but it does not prove itself: kept and reported."""
    if is_postgres(store_url):
        pytest.skip("SQLite's order key")
    trail = AuditTrail(store={"url": store_url, "retention_days": 3650}, sinks=[],
                       integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool2")})
    old = time.time_ns() - 400 * DAY_NS
    for i in range(3):
        ns = old + i * 10**9
        trail.emit(AuditEvent("deleteScope", "inventory_configuration", "delete",
                              id=uuid7(ns), time=format_time_ns(ns), details={"i": i}))
    trail.close()
    opened = open_store(store_url, retention_days=365)
    try:
        victim = seq_of(opened, 3)
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA ignore_check_constraints = ON")
            conn.execute("DROP TRIGGER events_append_only")
            conn.execute("UPDATE events SET k = k - 1024000 WHERE id = ?", (victim["id"],))
        with caplog.at_level(logging.ERROR, logger="auditmw.store"):
            assert opened.purge(on_purge=purge_checkpointer(KEY)) == 2
        assert victim["id"] in caplog.text
        assert "column k says" in caplog.text
        assert [e["id"] for e in opened.iter_by_chain()] == [victim["id"]]
    finally:
        opened.close()


def make_old_partition(url: str) -> None:
    """PostgreSQL keeps a row only in the partition of its month: an intruder moving one
    two years back makes that month's partition first."""
    if not is_postgres(url):
        return
    now = time.gmtime(time.time() - 730 * 86_400)
    for back in (0, 1):
        year, month = now.tm_year, now.tm_mon - back
        if month == 0:
            year, month = year - 1, 12
        nxt_year, nxt_month = (year + 1, 1) if month == 12 else (year, month + 1)
        sql(url, f"CREATE TABLE IF NOT EXISTS events_p{year:04d}{month:02d} PARTITION OF "
                 f"events FOR VALUES FROM ('{year:04d}-{month:02d}-01T00:00:00Z') TO "
                 f"('{nxt_year:04d}-{nxt_month:02d}-01T00:00:00Z')")


def test_backdating_then_purging_deletes_and_signs_nothing(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    """The issue's attack: move one row's time column two years back so that reads lose
    it, then let the retention purge delete it and sign the gap."""
    victim = seq_of(store, 6)
    drop_guard(store_url)
    make_old_partition(store_url)
    backdate = backdate_sql(store_url)
    sql(store_url, backdate, victim["id"])
    with caplog.at_level(logging.ERROR, logger="auditmw.store"):
        assert store.purge(on_purge=purge_checkpointer(KEY)) == 0
    assert store.checkpoints() == []  # nothing signed over the backdated row
    assert victim["id"] in caplog.text
    assert "the signed event's time is" in caplog.text
    assert victim["id"] in {e["id"] for e in store.iter_by_chain()}  # evidence kept
    report = verify_store(store, KEY)
    assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("modified", 6)]
    assert cli_verify(store_url, capsys)[0] == 1


def test_backdating_the_json_too_breaks_its_hash_and_the_purge_keeps_it(
        store: Store, store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """Backdating column and JSON alike: the time agrees, but the signature does not."""
    victim = seq_of(store, 4)
    old_ns = time.time_ns() - 730 * DAY_NS
    forged = {**victim, "time": format_time_ns(old_ns)}
    drop_guard(store_url)
    make_old_partition(store_url)
    ts_value: Any = old_ns // 1000
    if is_postgres(store_url):
        from auditmw.store.rows import us_to_datetime

        # Exact: a float of the seconds would land a microsecond off now and then, and
        # the row would be refused for that, not for its hash.
        ts_value = us_to_datetime(old_ns // 1000)
    sql(store_url, "UPDATE events SET ts = %s, data = %s WHERE id = %s"
        if is_postgres(store_url) else
        "UPDATE events SET ts = ?1, k = ?1 << 10, data = ?2 WHERE id = ?3",
        ts_value, codec.dumps_str(forged), victim["id"])
    with caplog.at_level(logging.ERROR, logger="auditmw.store"):
        assert store.purge(on_purge=purge_checkpointer(KEY)) == 0
    assert "does not match its hash" in caplog.text
    assert store.checkpoints() == []
    assert kinds(verify_store(store, KEY)) == [("modified", 4)]


def test_a_genuine_old_event_is_still_purged_beside_a_backdated_one(
        store_url: str, tmp_path: Path) -> None:
    """Refusing the forged row must not stop retention for the honest ones."""
    trail = AuditTrail(store={"url": store_url, "retention_days": 3650}, sinks=[],
                       integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool2")})
    now = time.time_ns()
    for i in range(8):
        ns = now - 400 * DAY_NS + i * 10**9 if i < 4 else now - (8 - i) * 10**9
        trail.emit(AuditEvent("deleteScope", "inventory_configuration", "delete",
                              id=uuid7(ns), time=format_time_ns(ns), details={"i": i}))
    trail.close()
    opened = open_store(store_url, retention_days=365)
    try:
        victim = seq_of(opened, 7)
        drop_guard(store_url)
        make_old_partition(store_url)
        backdate = backdate_sql(store_url)
        sql(store_url, backdate, victim["id"])
        assert opened.purge(on_purge=purge_checkpointer(KEY)) == 4
        [record] = opened.checkpoints()
        [(_chain, entry)] = record["chains"].items()
        assert entry["seq"] == 4  # the four genuine old ones, never seq 7
        report = verify_store(opened, KEY)
        assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("modified", 7)]
        assert report.chains[0].purged_through == 4
    finally:
        opened.close()


def test_a_row_deleted_is_named(store: Store, store_url: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    sql(store_url, "DELETE FROM events WHERE id = %s", seq_of(store, 8)["id"])
    assert kinds(verify_store(store, KEY)) == [("missing", 8)]
    assert cli_verify(store_url, capsys)[0] == 1


def test_a_row_inserted_with_columns_of_its_own_is_named(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A copy of a genuine event's JSON under another id and other columns: reads
    would show it as a second, different event."""
    genuine = seq_of(store, 2)
    ts: Any = genuine["time"] if is_postgres(store_url) else int(time.time() * 10**6)
    sql(store_url, with_key(store_url, "INSERT INTO events (id, ts, event, category, "
                            "outcome, actor_id, chain, seq, hash, data) VALUES (%s, %s, "
                            "'deleteScope', 'x', 'success', 'root', %s, %s, %s, %s)"),
        "inserted-row", ts, genuine["integrity"]["chain"], 2, genuine["integrity"]["hash"],
        codec.dumps_str(genuine))
    report = verify_store(store, KEY)
    details = " | ".join(p.detail for p in report.all_problems())
    assert "column id says 'inserted-row'" in details
    assert "column event says 'deleteScope'" in details
    assert not report.valid
    assert cli_verify(store_url, capsys)[0] == 1


def test_a_fabricated_row_is_named(store: Store, store_url: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    genuine = seq_of(store, 2)
    fake = {**genuine, "id": uuid7(), "event": "deleteScope"}
    ts: Any = genuine["time"] if is_postgres(store_url) else int(time.time() * 10**6)
    sql(store_url, with_key(store_url, "INSERT INTO events (id, ts, event, chain, seq, "
                            "hash, data) VALUES (%s, %s, 'deleteScope', %s, 2, %s, %s)"),
        fake["id"], ts, genuine["integrity"]["chain"], genuine["integrity"]["hash"],
        codec.dumps_str(fake))
    report = verify_store(store, KEY)
    assert ("inserted", 2) in kinds(report) or ("modified", 2) in kinds(report)
    assert not report.valid
    assert cli_verify(store_url, capsys)[0] == 1


def test_unreadable_json_in_a_row_is_named_not_a_crash(
        store: Store, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    victim = seq_of(store, 9)
    drop_guard(store_url)
    sql(store_url, "UPDATE events SET data = '{not json' WHERE id = %s", victim["id"])
    report = verify_store(store, KEY)
    problems = report.all_problems()
    assert any(p.kind == "modified" and "does not parse" in p.detail for p in problems)
    assert any(p.kind == "missing" and p.first_seq == 9 for p in problems)
    assert cli_verify(store_url, capsys)[0] == 1


# The schema auditmw 0.x (schema version 1) created, verbatim: no append-only guard.
V1_SQLITE = """
CREATE TABLE events (id TEXT NOT NULL UNIQUE, ts INTEGER NOT NULL, event TEXT,
  category TEXT, outcome TEXT, actor_id TEXT, actor_name TEXT, target_id TEXT,
  target_name TEXT, client_ip TEXT, chain TEXT, seq INTEGER, hash TEXT, data TEXT NOT NULL);
CREATE INDEX events_ts ON events (ts, id);
CREATE INDEX events_event ON events (event, ts, id);
CREATE TABLE checkpoints (n INTEGER PRIMARY KEY AUTOINCREMENT, created_us INTEGER NOT NULL,
  record TEXT NOT NULL);
PRAGMA user_version = 1;
"""
V1_POSTGRES = """
CREATE TABLE auditmw_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE events (id text NOT NULL, ts timestamptz NOT NULL, event text, category text,
  outcome text, actor_id text, actor_name text, target_id text, target_name text,
  client_ip text, chain text, seq bigint, hash text, data text NOT NULL,
  PRIMARY KEY (ts, id)) PARTITION BY RANGE (ts);
CREATE INDEX events_event ON events (event, ts, id);
CREATE TABLE checkpoints (n bigserial PRIMARY KEY,
  created timestamptz NOT NULL DEFAULT now(), record text NOT NULL);
INSERT INTO auditmw_meta VALUES ('schema_version', '1');
"""


def v1_rows(n: int) -> list[tuple[Any, ...]]:
    """Rows of ``n`` chained events as version 1 stored them (same columns)."""
    chain = ChainProcessor(KEY)
    rows = []
    for i in range(n):
        event = chain(AuditEvent.create("deleteScope", "inventory_configuration", "delete",
                                        details={"i": i}).to_dict())
        rows.append(event_to_row(event))
    return rows


def test_a_store_of_the_previous_schema_upgrades_in_place_and_keeps_the_evidence(
        store_url: str) -> None:
    """A version-1 database — written, then relabelled by hand while it had no guard —
    opens, upgrades to the append-only schema, and verify still names the relabel."""
    for statement in (V1_POSTGRES if is_postgres(store_url) else V1_SQLITE).split(";"):
        if statement.strip():
            sql(store_url, statement)
    rows = v1_rows(5)
    if is_postgres(store_url):
        sql(store_url, "CREATE TABLE events_old PARTITION OF events DEFAULT")
    for row in rows:
        values: list[Any] = [v for c, v in zip(COLUMNS, row, strict=True) if c != "tenant"]
        if is_postgres(store_url):
            from auditmw.store.rows import us_to_datetime

            values[1] = us_to_datetime(row[1])
        sql(store_url, f"INSERT INTO events ({', '.join(V1_COLUMNS)}) VALUES "
                       f"({', '.join(['%s'] * len(values))})", *values)
    sql(store_url, "UPDATE events SET event = 'login' WHERE id = %s", rows[2][0])

    store = open_store(store_url)
    try:
        report = verify_store(store, KEY)
        assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("modified", 3)]
        assert "column event says 'login'" in report.all_problems()[0].detail
        with pytest.raises(Exception, match="append-only"):
            sql(store_url, "UPDATE events SET event = 'logout' WHERE id = %s", rows[3][0])
        store.write([])  # a write after the upgrade works as before
        assert store.count(Query()) == 5
    finally:
        store.close()
    if is_postgres(store_url):
        import psycopg

        with psycopg.connect(store_url, autocommit=True) as conn:
            version = conn.execute("SELECT value FROM auditmw_meta WHERE key = "
                                   "'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION),)
    else:
        with sqlite3.connect(store_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_store_of_a_newer_schema_is_refused_clearly(store_url: str) -> None:
    if is_postgres(store_url):
        sql(store_url, "CREATE TABLE auditmw_meta (key text PRIMARY KEY, value text)")
        sql(store_url, "INSERT INTO auditmw_meta VALUES ('schema_version', '99')")
    else:
        sql(store_url, "PRAGMA user_version = 99")
    store = open_store(store_url)
    try:
        with pytest.raises(StoreError, match=r"schema version 99.*upgrade auditmw"):
            store.count(Query())
    finally:
        store.close()
