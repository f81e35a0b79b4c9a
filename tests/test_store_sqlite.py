"""What only the SQLite store does: WAL, several processes on one file, URL checks."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from auditmw.ids import format_time
from auditmw.store import Query, StoreError, open_store
from auditmw.store.base import UnstorableEvent
from auditmw.store.orderkey import MAX_TS
from auditmw.store.rows import us_to_datetime
from auditmw.store.sample import sample_events
from auditmw.store.schema import SCHEMA_VERSION
from auditmw.store.sqlite import PAGE_SIZE, SQLiteStore

if TYPE_CHECKING:
    from pathlib import Path

WRITER = """
import sys
from datetime import timedelta
from auditmw.store import open_store
from auditmw.store.sample import sample_events
store = open_store(sys.argv[1])
events = list(sample_events(400, span=timedelta(days=3), seed=int(sys.argv[2]),
                            chain="p" + sys.argv[2]))
for start in range(0, len(events), 20):
    store.write(events[start:start + 20])
    store.query(__import__("auditmw.store").store.Query(), limit=3)
store.close()
"""


@pytest.mark.subprocess
def test_several_processes_write_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/shared.db"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(seed)],
                              stderr=subprocess.PIPE) for seed in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = open_store(url)
    assert store.count(Query()) == 1600
    chains = {e["integrity"]["chain"] for e in store.iter_by_chain()}
    assert chains == {"p0", "p1", "p2", "p3"}
    store.close()


def test_the_file_is_in_wal_mode_with_a_schema_version(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/a.db")
    assert store.count(Query()) == 0
    store.close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)


def test_an_existing_file_keeps_its_page_size(tmp_path: Path) -> None:
    """A store made with 4 KiB pages (before auditmw chose its own) is used as it is."""
    with sqlite3.connect(tmp_path / "old.db") as conn:
        conn.execute("PRAGMA page_size = 4096")
        conn.execute("CREATE TABLE other (x)")
    store = open_store(f"sqlite:///{tmp_path}/old.db")
    store.write(list(sample_events(50)))
    assert store.count(Query()) == 50
    assert isinstance(store, SQLiteStore)
    store_conn_checkpoint = store._connection().execute("PRAGMA wal_autocheckpoint"
                                                        ).fetchone()[0]
    store.close()
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (4096,)
        assert store_conn_checkpoint == 20_000
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "new.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    store = open_store(f"sqlite:///{tmp_path}/new.db")
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1}"):
        store.count(Query())
    store.close()


@pytest.mark.parametrize(("url", "message"), [
    pytest.param("sqlite:///:memory:", "needs a file path", id="memory"),
    pytest.param("sqlite:///", "needs a file path", id="empty"),
    pytest.param("mysql://db/x", "must start with sqlite:/// or postgresql://", id="scheme"),
])
def test_bad_urls_fail_at_open_naming_the_key(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        open_store(url)
    assert "store.url" in str(info.value)


def test_a_missing_directory_fails_on_use_naming_it(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/nope/a.db")
    with pytest.raises(StoreError, match="does not exist"):
        store.count(Query())
    store.close()


def test_retention_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="retention_days"):
        open_store(f"sqlite:///{tmp_path}/a.db", retention_days=0)


@pytest.mark.parametrize(("url", "level"), [
    pytest.param("sqlite:///{}/a.db", 1, id="default-normal"),
    pytest.param("sqlite:///{}/a.db?synchronous=full", 2, id="full"),
])
def test_synchronous_level_follows_the_url(tmp_path: Path, url: str, level: int) -> None:
    from auditmw.store.sqlite import SQLiteStore

    store = open_store(url.format(tmp_path))
    assert isinstance(store, SQLiteStore)
    assert store._connection().execute("PRAGMA synchronous").fetchone() == (level,)
    store.close()


def test_unknown_url_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unknown option 'journal'"):
        open_store(f"sqlite:///{tmp_path}/a.db?journal=off")
    with pytest.raises(StoreError, match="normal or full"):
        open_store(f"sqlite:///{tmp_path}/a.db?synchronous=off")


def test_the_wal_is_checkpointed_in_large_steps_and_readers_see_every_commit(
        tmp_path: Path) -> None:
    from auditmw.store.sqlite import WAL_CHECKPOINT_BYTES

    url = f"sqlite:///{tmp_path}/audit.db"
    writer, reader = open_store(url), open_store(url)
    try:
        assert isinstance(writer, SQLiteStore)
        writer.write(list(sample_events(300, seed=3)))
        conn = writer._connection()
        # ~80 MB in the file's pages (a 16 KiB page: 5,000 of them, not 20,000)
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone() == (
            WAL_CHECKPOINT_BYTES // PAGE_SIZE,)
        # Not yet checkpointed (the WAL holds the commits), yet another connection reads them.
        assert (tmp_path / "audit.db-wal").stat().st_size > 0
        assert reader.count(Query()) == 300
    finally:
        writer.close()
        reader.close()




def test_a_thread_of_its_own_checkpoints_the_wal_and_stops_at_close(tmp_path: Path) -> None:
    """The writer's commits do not copy the WAL into the file: the store's checkpoint
    thread does, on its own connection; close() ends it."""
    import time

    store = open_store(f"sqlite:///{tmp_path}/audit.db")
    assert isinstance(store, SQLiteStore)
    store.write(list(sample_events(50, seed=4)))
    checkpointer = store._checkpointer
    assert checkpointer is not None
    deadline = time.monotonic() + 120  # it looks every second; a loaded box is slow
    while checkpointer.rounds == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert checkpointer.rounds >= 1
    store.close()
    assert not checkpointer._thread.is_alive()
    assert open_store(f"sqlite:///{tmp_path}/audit.db").count(Query()) == 50


def test_ties_take_the_next_slot_and_a_full_microsecond_fails_the_batch(
        tmp_path: Path) -> None:
    """1,024 events of one microsecond are stored in arrival order; a 1,025th fails its
    whole batch loudly (never dropped in silence)."""
    store = open_store(f"sqlite:///{tmp_path}/audit.db", retention_days=3650)
    [base] = sample_events(1, seed=9)
    events = [{**base, "id": f"e{n:04d}"} for n in range(1025)]
    store.write(events[:1000][::-1])
    store.write(events[1000:1024])
    assert [e["id"] for e in store.iter_events(Query())] == \
        [e["id"] for e in events[:1000][::-1] + events[1000:1024]]
    with pytest.raises(StoreError, match="more than 1024 events in one microsecond"):
        store.write([{**base, "id": "other"}, events[1024]])
    assert store.count(Query()) == 1024
    store.close()


def test_times_the_order_key_cannot_hold_are_refused(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/audit.db")
    [base] = sample_events(1, seed=9)
    with pytest.raises(StoreError, match="years 1685 to 2255"):
        store.write([base, {**base, "id": "far", "time": "2300-01-01T00:00:00.000000Z"}])
    assert store.count(Query()) == 0
    store.close()


@pytest.mark.parametrize("one_by_one", [False, True])
def test_a_full_microsecond_at_the_end_of_the_key_range_fails_clearly(
        tmp_path: Path, one_by_one: bool) -> None:
    """The last microsecond a key can hold (June 2255) is one a write no longer takes:
    its 1,025th event's key would be 2**63, which SQLite's integer cannot hold, and the
    store raised a raw ``IntegrityError`` ("datatype mismatch") that the lane retried
    forever. The last microsecond written is the one before; its 1,025th event fails the
    CHECK on ``k`` like any other microsecond's, the 1,024 before it kept."""
    store = open_store(f"sqlite:///{tmp_path}/audit.db", retention_days=3650)
    [base] = sample_events(1, seed=9)
    last = format_time(us_to_datetime(MAX_TS))
    with pytest.raises(UnstorableEvent, match="years 1685 to 2255"):
        store.write([base, {**base, "id": "at-the-edge", "time": last}])
    before = {**base, "time": format_time(us_to_datetime(MAX_TS - 1))}
    events = [{**before, "id": f"e{n:04d}"} for n in range(1025)]
    if one_by_one:  # the one-row statement: the table gives each its slot
        for event in events[:1024]:
            store.write([event])
    else:  # the batch's statements of many rows, keys given by the store
        store.write(events[:1024])
    with pytest.raises(UnstorableEvent, match="more than 1024 events in one microsecond"):
        store.write([events[1024]])
    with pytest.raises(UnstorableEvent, match="more than 1024 events in one microsecond"):
        store.write([{**base, "id": "other"}, events[1024]])
    assert [e["id"] for e in store.iter_events(Query())] == [e["id"] for e in events[:1024]]
    assert store.count(Query(start=us_to_datetime(MAX_TS - 1))) == 1024
    store.close()


def _first_use_by_six_threads(path: Path) -> tuple[list[str], list[str]]:
    """(errors, threads that set the schema up) when six threads use a new store at once."""
    import threading

    from auditmw.store.base import Query
    from auditmw.store.sqlite import SQLiteStore

    store = SQLiteStore(f"sqlite:///{path}")
    setups: list[str] = []
    real_setup = store._ensure_schema

    def counted_setup(conn: sqlite3.Connection) -> None:
        setups.append(threading.current_thread().name)
        real_setup(conn)

    store._ensure_schema = counted_setup  # type: ignore[method-assign]
    gate = threading.Barrier(6)
    errors: list[str] = []

    def first_use() -> None:
        gate.wait()
        try:
            store.count(Query())
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=first_use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    return errors, setups


def test_threads_first_using_one_new_store_set_its_schema_up_once(tmp_path: Path) -> None:
    # The store sink's writer and its background purge open their connections at the same
    # moment on a new file. Two connections switching a new file to WAL at once can
    # deadlock, and SQLite then refuses one at once ("database is locked", seen in CI):
    # one thread sets the schema up, the others wait for it and all succeed.
    for round_ in range(10):
        errors, setups = _first_use_by_six_threads(tmp_path / f"r{round_}.db")
        assert errors == [], (round_, errors)
        assert len(setups) == 1, (round_, setups)
