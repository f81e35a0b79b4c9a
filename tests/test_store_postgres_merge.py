"""The GIN pending lists merged by the store's own thread (auditmw.store.pg_merge)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from auditmw.store import Query, pg_merge
from auditmw.store.pg_merge import PendingMerger
from auditmw.store.postgres import PostgresStore
from auditmw.store.sample import sample_events

pytestmark = pytest.mark.postgres

END = datetime.now(UTC).replace(day=20, hour=12)


def events(count: int, seed: int) -> list[dict[str, Any]]:
    return list(sample_events(count, end=END - timedelta(minutes=seed),
                              span=timedelta(minutes=1), seed=seed, chain=f"c{seed}"))


def pending_tuples(url: str) -> int:
    """Unmerged entries in the GIN index of this month's partition."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        row = conn.execute(
            "SELECT (pgstatginindex(i.indexrelid)).pending_tuples FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE i.indrelid = %s::regclass AND a.amname = 'gin'",
            (f"events_p{END.year:04d}{END.month:02d}",)).fetchone()
        assert row is not None
        return int(row[0])


def wait_for(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not check():
        assert time.monotonic() < deadline, "the merge thread did not run"
        time.sleep(0.05)


def test_the_thread_merges_the_partitions_written(pg: PostgresStore, postgres_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_merge, "EVERY_EVENTS", 20)
    first = events(10, 1)
    pg.write(first)
    assert pending_tuples(postgres_url) == 10  # below the threshold: left to the list
    assert pg._merger is not None
    assert pg._merger.rounds == 0
    second = events(10, 2)
    pg.write(second)
    merger = pg._merger
    wait_for(lambda: merger.rounds == 1)
    assert pending_tuples(postgres_url) == 0
    # The same answers from the merged index as from the list.
    for event in first + second:
        page = pg.query(Query(actor=(event["actor"]["id"],), target=(event["target"]["id"],)))
        assert event["id"] in {e["id"] for e in page.items}
    pg.close()
    assert not merger._thread.is_alive()


def test_a_failed_round_is_logged_and_the_next_one_runs(
        pg: PostgresStore, postgres_url: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(pg_merge, "EVERY_EVENTS", 5)
    pg.write(events(4, 3))  # the schema and this month's partition
    attempts: list[int] = []
    made: list[psycopg.Connection[Any]] = []  # the store closes its own; here, the test

    def connect() -> psycopg.Connection[Any]:
        attempts.append(1)
        if len(attempts) == 1:
            raise psycopg.OperationalError("server down")
        made.append(psycopg.connect(postgres_url, autocommit=True))
        return made[-1]

    merger = PendingMerger(connect, "here")
    try:
        with caplog.at_level(logging.WARNING, logger="auditmw.store"):
            merger.wrote({"events_p202001"}, 5)  # no connection: logged
            wait_for(lambda: "no connection" in caplog.text)
            merger.wrote({"events_p202001"}, 5)  # no such partition: logged
            wait_for(lambda: "merging the GIN pending lists failed" in caplog.text)
            assert merger.rounds == 0
            partition = f"events_p{END.year:04d}{END.month:02d}"
            assert pending_tuples(postgres_url) == 4
            merger.wrote({partition}, 5)
            wait_for(lambda: merger.rounds == 1)
        assert pending_tuples(postgres_url) == 0
    finally:
        merger.close()
        for conn in made:
            conn.close()
    assert not merger._thread.is_alive()


@pytest.mark.subprocess
def test_a_forked_child_merges_on_its_own_and_leaves_the_parents_merger_alone(
        pg: PostgresStore, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setattr(pg_merge, "EVERY_EVENTS", 5)
    pg.write(events(5, 4))
    parent = pg._merger
    assert parent is not None
    wait_for(lambda: parent.rounds == 1)  # its connection is open before the fork
    pid = os.fork()
    if pid == 0:  # the child: a merger of its own, then vanish without closing anything
        code = 1
        try:
            pg.write(events(5, 5))
            child = pg._merger
            if child is not None and child is not parent:
                wait_for(lambda: child.rounds == 1)
                code = 0
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    pg.write(events(5, 6))  # the parent's merger and its connection still work
    wait_for(lambda: parent.rounds == 2)
    assert pending_tuples(postgres_url) == 0
