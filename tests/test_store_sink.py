"""The store as the trail's sink: AuditTrail() with the default config writes to SQLite."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from auditmw.config import StoreConfig
from auditmw.store import Query, open_store, open_store_sink, purge_store
from auditmw.store.sample import sample_events
from auditmw.trail import AuditTrail

if TYPE_CHECKING:
    from pathlib import Path


def test_default_trail_writes_to_the_default_sqlite_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    trail = AuditTrail()
    trail.record("deleteScope", target="scope-7")
    trail.flush()
    trail.close()
    store = open_store("sqlite:///./auditmw.db")
    try:
        (stored,) = store.query(Query()).items
    finally:
        store.close()
    assert stored["event"] == "deleteScope"
    assert stored["target"] == {"id": "scope-7"}


def test_store_sink_is_durable_and_idempotent(tmp_path: Path) -> None:
    sink = open_store_sink(StoreConfig(url=f"sqlite:///{tmp_path}/a.db"))
    event = {"id": "0190c0de-0000-7000-8000-000000000001",
             "time": "2099-01-01T00:00:00.000000Z", "event": "deleteScope"}
    assert sink.durable is True
    sink.write([event])
    sink.write([event, dict(event)])
    sink.flush()
    assert sink.store.count(Query()) == 1
    sink.close()


def _old_events(count: int) -> list[dict[str, Any]]:
    end = datetime.now(UTC) - timedelta(days=400)
    return list(sample_events(count, end=end, span=timedelta(days=2), chain="old"))


def test_the_background_purge_runs_once_the_sink_is_used(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    seen: list[dict[str, Any]] = []
    sink = open_store_sink(StoreConfig(url=url, purge_interval_s=3600),
                           on_purge=lambda chains: seen.append(chains) or {"chains": chains})
    sink.store.write(_old_events(6))
    sink.write(list(sample_events(2, span=timedelta(hours=1), chain="new")))
    for _ in range(500):  # the purge thread's first pass starts at once; bounded wait
        if sink.purges:
            break
        time.sleep(0.01)
    assert sink.purges == 1
    assert sink.purged == 6
    assert [c["integrity"]["chain"] for c in sink.store.iter_by_chain()] == ["new", "new"]
    assert seen[0]["old"]["seq"] == 6
    assert sink.store.checkpoints() == [{"chains": seen[0]}]
    sink.close()
    assert sink._thread is not None
    assert not sink._thread.is_alive()


def test_a_failing_purge_is_logged_not_raised(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    def refuse(chains: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("signer down")

    sink = open_store_sink(StoreConfig(url=f"sqlite:///{tmp_path}/a.db"), on_purge=refuse)
    sink.store.write(_old_events(3))
    with caplog.at_level(logging.ERROR, logger="auditmw.store"):
        assert sink.purge_now() == 0
    assert "retention purge" in caplog.text
    assert len(list(sink.store.iter_by_chain())) == 3
    sink.close()


def test_purge_store_is_the_cli_entry_point(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/a.db"
    store = open_store(url)
    store.write(_old_events(5) + list(sample_events(2, span=timedelta(hours=1))))
    store.close()
    assert purge_store(url, retention_days=365) == 5
    assert purge_store(url, retention_days=365) == 0
    # a shorter retention, and a "now" in the future, purge more
    assert purge_store(url, retention_days=1, now=datetime.now(UTC) + timedelta(days=3)) == 2


@pytest.mark.postgres
def test_a_trail_writes_to_a_postgres_store(postgres_url: str, tmp_path: Path) -> None:
    trail = AuditTrail(store=postgres_url, sinks=[])
    trail.record("deleteScope", target="s1")
    trail.record("createScope", target="s2")
    trail.close()
    store = open_store(postgres_url)
    assert [e["event"] for e in store.query(Query()).items] == ["createScope", "deleteScope"]
    store.close()
