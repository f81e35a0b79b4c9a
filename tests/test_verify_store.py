"""``verify_store`` on real SQLite and PostgreSQL stores: rows deleted or changed behind
the store's back are named; a purged store (purge checkpoints) still verifies."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import make_checkpoint, purge_checkpointer, seal_store, verify_store
from auditmw.integrity.report import Report
from auditmw.store import Store, open_store
from auditmw.trail import AuditTrail
from support.intruder import sql

KEY = "store-key"
DAY_NS = 86_400 * 10**9
OLD, NEW = 10, 10  # per chain: events older than the retention period, and recent ones


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url, retention_days=365)
    yield opened
    opened.close()


def event_at(ns: int, **details: Any) -> AuditEvent:
    return AuditEvent("createAssetGroup", "inventory_configuration", "create",
                      details=details, id=uuid7(ns), time=format_time_ns(ns))


def write_chain(url: str, tmp_path: Path, *, old: int = OLD, new: int = NEW,
                key: str = KEY) -> None:
    """One writer (one chain): ``old`` events 400 days back, then ``new`` recent ones."""
    trail = AuditTrail(store={"url": url, "retention_days": 3650}, sinks=[],
                       integrity={"key": key},
                       delivery={"spool_dir": str(tmp_path / "spool"), "batch_size": 4})
    now = time.time_ns()
    for i in range(old):
        trail.emit(event_at(now - 400 * DAY_NS + i * 10**9, i=i))
    for i in range(new):
        trail.emit(event_at(now - (new - i) * 10**9, i=old + i))
    trail.close()


def kinds(report: Report) -> list[tuple[str, int | None, int | None]]:
    return sorted((p.kind, p.first_seq, p.last_seq) for p in report.all_problems())


def only_chain(report: Report) -> str:
    [chain] = report.chains
    return chain.chain


def test_an_untouched_store_is_valid(store_url: str, store: Store, tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    assert (report.chains[0].first_seq, report.chains[0].last_seq) == (1, OLD + NEW)


def test_delete_a_row_directly(store_url: str, store: Store, tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    chain = only_chain(verify_store(store, KEY))
    sql(store_url, "DELETE FROM events WHERE chain = %s AND seq = %s", chain, 7)
    report = verify_store(store, KEY)
    assert kinds(report) == [("missing", 7, 7)]
    assert report.chains[0].gaps == [(7, 7)]


def test_delete_the_oldest_rows_without_a_purge(store_url: str, store: Store,
                                                tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    sql(store_url, "DELETE FROM events WHERE seq <= %s", 4)
    assert kinds(verify_store(store, KEY)) == [("missing", 1, 4)]


def test_change_a_row_directly(store_url: str, store: Store, tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    chain = only_chain(verify_store(store, KEY))
    # The store refuses UPDATEs (append-only trigger); an intruder who owns the
    # database drops the trigger first.
    sql(store_url, "DROP TRIGGER events_append_only" + (
        " ON events" if store_url.startswith("postgresql") else ""))
    sql(store_url, "UPDATE events SET data = replace(data, '\"outcome\":\"success\"', "
                   "'\"outcome\":\"failure\"') WHERE chain = %s AND seq = %s", chain, 12)
    report = verify_store(store, KEY)
    # Twice: its content fails its hash, and its outcome column no longer agrees.
    assert kinds(report) == [("modified", 12, 12)] * 2
    assert any("column outcome says 'success'" in p.detail for p in report.all_problems())


def test_a_purged_store_still_verifies_and_a_later_deletion_is_caught(
        store_url: str, store: Store, tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    assert store.purge(on_purge=purge_checkpointer(KEY)) == OLD
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    [chain] = report.chains
    assert (chain.purged_through, chain.first_seq, chain.last_seq) == (OLD, OLD + 1, OLD + NEW)
    assert report.checkpoints == 1
    # Deleting the first survivor by hand is not a purge: the checkpoint says it must be
    # there (its prev is the checkpoint's hash).
    sql(store_url, "DELETE FROM events WHERE seq = %s", OLD + 1)
    assert kinds(verify_store(store, KEY)) == [("missing", OLD + 1, OLD + 1)]


def test_a_forged_purge_checkpoint_is_refused(store_url: str, store: Store,
                                              tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    report = verify_store(store, KEY)
    chain = only_chain(report)
    # An intruder deletes the oldest rows and covers it with a checkpoint of their own,
    # signed with a key they have — not the trail's.
    sql(store_url, "DELETE FROM events WHERE seq <= %s", 5)
    store.add_checkpoint(make_checkpoint({chain: {"seq": 5, "hash": "sha256:" + "0" * 64}},
                                         "purge", "not-the-key"))
    assert kinds(verify_store(store, KEY)) == [("bad signature", None, None),
                                               ("missing", 1, 5)]


def test_drop_the_newest_rows_after_a_checkpoint(store_url: str, store: Store,
                                                 tmp_path: Path) -> None:
    write_chain(store_url, tmp_path)
    record = seal_store(store, verify_store(store, KEY), KEY)
    assert record["kind"] == "seal"
    sql(store_url, "DELETE FROM events WHERE seq > %s", OLD + NEW - 3)
    report = verify_store(store, KEY)
    assert kinds(report) == [("truncated tail", OLD + NEW - 2, OLD + NEW)]


def test_the_background_purge_of_a_trail_writes_the_checkpoint(
        store_url: str, tmp_path: Path) -> None:
    trail = AuditTrail(store={"url": store_url}, sinks=[], integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    now = time.time_ns()
    for i in range(6):
        trail.emit(event_at(now - 400 * DAY_NS + i * 10**9, i=i))
    for i in range(4):
        trail.emit(event_at(now - (4 - i) * 10**9, i=6 + i))
    trail.flush()
    trail.sinks[0].purge_now()  # type: ignore[attr-defined]
    trail.close()
    opened = open_store(store_url)
    try:
        report = verify_store(opened, KEY)
    finally:
        opened.close()
    assert report.valid, report.summary()
    assert report.checkpoints >= 1
    [chain] = report.chains
    assert (chain.purged_through, chain.first_seq, chain.last_seq) == (6, 7, 10)


WRITER = textwrap.dedent("""
    import sys, time
    from auditmw.event import AuditEvent
    from auditmw.ids import format_time_ns, uuid7
    from auditmw.trail import AuditTrail
    url, spool, key, name = sys.argv[1:5]
    trail = AuditTrail(store={"url": url, "retention_days": 3650}, sinks=[],
                       integrity={"key": key}, delivery={"spool_dir": spool, "batch_size": 5})
    now, day = time.time_ns(), 86_400 * 10**9
    for i in range(30):
        ns = now - 400 * day + i * 10**9 if i < 15 else now - (30 - i) * 10**6
        trail.emit(AuditEvent("createAssetGroup", "inventory_configuration", "create",
                              details={"writer": name, "i": i}, id=uuid7(ns),
                              time=format_time_ns(ns)))
    trail.close()
""")


@pytest.mark.subprocess
def test_several_processes_then_a_purge(store_url: str, store: Store, tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, store_url,
                               str(tmp_path / f"spool{n}"), KEY, f"w{n}"]) for n in range(3)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    assert [(c.first_seq, c.last_seq) for c in report.chains] == [(1, 30)] * 3
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 45
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    assert [(c.purged_through, c.first_seq) for c in report.chains] == [(15, 16)] * 3
    victim = report.chains[1]
    sql(store_url, "DELETE FROM events WHERE chain = %s AND seq = %s", victim.chain, 22)
    report = verify_store(store, KEY)
    assert [(p.kind, p.chain, p.first_seq) for p in report.all_problems()] == [
        ("missing", victim.chain, 22)]


def test_a_store_added_later_is_not_blamed_for_the_files_older_chain(
        store_url: str, store: Store, tmp_path: Path) -> None:
    """The new writer's `after` names the file's last chain, which the store never
    held: that is no truncation of the store."""
    path = tmp_path / "audit.jsonl"
    spool = {"spool_dir": str(tmp_path / "spool")}
    before = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                        integrity={"key": KEY}, delivery=spool)
    before.record("deleteScope")
    before.close()
    both = AuditTrail(store={"url": store_url}, sinks=[{"type": "file", "path": str(path)}],
                      integrity={"key": KEY}, delivery=spool)
    both.record("deleteScope")
    both.close()
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    assert len(report.chains) == 1
