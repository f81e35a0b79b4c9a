"""Version-5 and version-6 SQLite stores (made by auditmw's code of that schema:
tests/data/make_store.py) upgrade in place at open and keep everything: events in the
order they read them (v5: ties by id), the purge checkpoint, links, hold, cursor key and
cursors — and ``auditmw verify`` still passes (after v5, checking ``k`` too). Both end
with the indexes a new store gets."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from auditmw.integrity import verify_store
from auditmw.store import InvalidCursor, Query, open_store
from auditmw.store.schema import SCHEMA_VERSION

DATA = Path(__file__).parent / "data" / "store_v5"
EXPECTED: dict[str, Any] = json.loads((DATA / "expected.json").read_text())
DATA_V6 = Path(__file__).parent / "data" / "store_v6"
EXPECTED_V6: dict[str, Any] = json.loads((DATA_V6 / "expected.json").read_text())
_SCHEMA = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 2"


@pytest.fixture
def url(tmp_path: Path) -> str:
    shutil.copy(DATA / "audit.db", tmp_path / "audit.db")
    return f"sqlite:///{tmp_path}/audit.db"


@pytest.fixture
def url_v6(tmp_path: Path) -> str:
    shutil.copy(DATA_V6 / "audit.db", tmp_path / "audit.db")
    return f"sqlite:///{tmp_path}/audit.db"


def _pragma(url: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def _fresh_schema(tmp_path: Path) -> list[tuple[Any, ...]]:
    """What a new store's file holds: tables, indexes, trigger (as SQLite keeps them;
    an upgraded table keeps its own CREATE text, so tables are compared by name)."""
    url = f"sqlite:///{tmp_path}/fresh.db"
    store = open_store(url)
    store.count(Query())
    store.close()
    return _schema(url)


def _schema(url: str) -> list[tuple[Any, ...]]:
    return [(kind, name, sql if kind != "table" else None)
            for kind, name, sql in _pragma(url, _SCHEMA)]


def test_the_fixture_is_a_version_5_store(url: str) -> None:
    assert _pragma(url, "PRAGMA user_version") == [(5,)]
    columns = [row[1] for row in _pragma(url, "PRAGMA table_info(events)")]
    assert "k" not in columns


def test_a_v5_store_upgrades_at_open_and_keeps_everything(url: str, tmp_path: Path) -> None:
    store = open_store(url, retention_days=36500)
    try:
        assert [e["id"] for e in store.iter_events(Query())] == EXPECTED["asc_kept"]
        assert _pragma(url, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert _schema(url) == _fresh_schema(tmp_path)
        assert _pragma(url, "SELECT COUNT(*) FROM events WHERE k >> 10 != ts") == [(0,)]
        assert len(store.checkpoints()) == 1
        assert len(list(store.links())) == 1  # type: ignore[attr-defined]
        assert [h.reason for h in store.holds()] == ["fixture hold"]  # type: ignore[attr-defined]
        report = verify_store(store, EXPECTED["key"])
        assert report.valid, report.summary()
        # A v5 cursor (no k) goes on where it was issued: found by its event's id.
        page = store.query(Query(), limit=4, cursor=EXPECTED["desc_next"], with_total=False)
        kept_desc = EXPECTED["asc_kept"][::-1]
        assert [e["id"] for e in page.items] == kept_desc[4:8]
        assert EXPECTED["desc_first_page"] == kept_desc[:4]
        # ...its pages give v6 cursors, and back again reaches the first page.
        back = store.query(Query(), limit=4, cursor=page.prev, with_total=False)
        assert [e["id"] for e in back.items] == kept_desc[:4]
        # One anchored at an event the purge deleted is refused, saying why.
        with pytest.raises(InvalidCursor, match="upgrade to schema 6"):
            store.query(Query(), order="asc", cursor=EXPECTED["cursor_at_purged"])
        # Writes go on after the upgrade: one at the newest event's microsecond takes
        # the next slot (after it ascending, before it descending).
        newest = store.query(Query(), limit=1).items[0]
        store.write([{**newest, "id": "after-upgrade"}])
        assert [e["id"] for e in store.query(Query(), limit=2).items] == [
            "after-upgrade", newest["id"]]
    finally:
        store.close()


def test_ties_keep_the_order_v5_gave_them(url: str) -> None:
    """v5 ordered events of one microsecond by id; the upgrade gives them slots in that
    order, so pages across them are the same."""
    rows = _pragma(url, "SELECT ts, id FROM events ORDER BY ts, id")
    tied = [i for t, i in rows if sum(1 for u, _ in rows if u == t) > 1]
    assert len(tied) == 3
    store = open_store(url, retention_days=36500)
    try:
        store.count(Query())  # opening is lazy: the first use upgrades
        keys = _pragma(url, "SELECT id, k & 1023 FROM events ORDER BY k")
        assert [i for i, slot in keys if i in tied] == tied
        assert [slot for i, slot in keys if i in tied] == [0, 1, 2]
    finally:
        store.close()


def test_the_upgrade_is_one_transaction(url: str) -> None:
    """A failure halfway (here: a 1,025th event in one microsecond would break the key)
    leaves the v5 store as it was."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        ts = conn.execute("SELECT ts FROM events LIMIT 1").fetchone()[0]
        conn.executemany("INSERT INTO events (id, ts, data) VALUES (?, ?, '{}')",
                         [(f"tie-{n}", ts) for n in range(1024)])
    store = open_store(url)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        store.count(Query())
    store.close()
    assert _pragma(url, "PRAGMA user_version") == [(5,)]
    assert _pragma(url, "SELECT COUNT(*) FROM events") == [(21 + 1024,)]


def test_the_fixture_is_a_version_6_store(url_v6: str) -> None:
    assert _pragma(url_v6, "PRAGMA user_version") == [(6,)]
    names = {row[0] for row in _pragma(url_v6, "SELECT name FROM sqlite_master")}
    assert {"events_tenant", "events_tenant_event"} <= names
    assert "events_tenant_bucket" not in names


def test_a_v6_store_upgrades_at_open_and_keeps_everything(url_v6: str, tmp_path: Path
                                                          ) -> None:
    keys_before = _pragma(url_v6, "SELECT k, id FROM events ORDER BY k")
    store = open_store(url_v6, retention_days=36500)
    try:
        assert [e["id"] for e in store.iter_events(Query())] == EXPECTED_V6["asc_kept"]
        assert _pragma(url_v6, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert _schema(url_v6) == _fresh_schema(tmp_path)
        assert _pragma(url_v6, "SELECT k, id FROM events ORDER BY k") == keys_before
        assert len(store.checkpoints()) == 1
        assert len(list(store.links())) == 1  # type: ignore[attr-defined]
        assert [h.reason for h in store.holds()] == ["fixture hold"]  # type: ignore[attr-defined]
        report = verify_store(store, EXPECTED_V6["key"])
        assert report.valid, report.summary()
        # A v6 cursor goes on where it was issued.
        kept_desc = EXPECTED_V6["asc_kept"][::-1]
        page = store.query(Query(), limit=4, cursor=EXPECTED_V6["desc_next"], with_total=False)
        assert [e["id"] for e in page.items] == kept_desc[4:8]
        # A tenant's pages now come from the bucketed index: every event of the tenant,
        # newest first, as a brute-force filter of all of them says.
        every = list(store.iter_events(Query(), order="desc"))
        for tenant in ("acme", "globex"):
            want = [e["id"] for e in every if e.get("tenant") == tenant]
            got: list[str] = []
            cursor = None
            while True:
                page = store.query(Query(tenant=(tenant,)), limit=3, cursor=cursor)
                got += [e["id"] for e in page.items]
                assert page.total == len(want)
                if page.next is None:
                    break
                cursor = page.next
            assert want
            assert got == want
        store.write([{**every[0], "id": "after-upgrade"}])
        assert [e["id"] for e in store.query(Query(tenant=(every[0]["tenant"],)), limit=2
                                             ).items] == ["after-upgrade", every[0]["id"]]
    finally:
        store.close()
