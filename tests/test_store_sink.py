"""The store as the trail's sink: AuditTrail() with the default config writes to SQLite."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditmw.config import StoreConfig
from auditmw.store import Query, open_store, open_store_sink
from auditmw.trail import AuditTrail

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


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
