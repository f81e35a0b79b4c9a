"""The SQLite store's batch insert (statements of many rows, keys given by the store)
against the plain way (one statement a row, the slot asked of the table): for many
generated histories of batches — ties in one microsecond, ids sent again, ids sent again
at another time, batches out of time order, batches bigger and smaller than a statement,
stretches of time already written — both leave the same rows with the same keys."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw.store import Query, sqlite_insert
from auditmw.store.base import UnstorableEvent
from auditmw.store.rows import event_to_row
from auditmw.store.sqlite import SQLiteStore
from auditmw.store.sqlite_insert import ROW_INSERT

if TYPE_CHECKING:
    from pathlib import Path

_BASE_US = 1_790_000_000_000_000  # 2026-09
_ROWS = "SELECT k, id, ts, event, data FROM events ORDER BY k"


class PlainStore(SQLiteStore):
    """The reference: every batch one statement a row, each asking for its slot."""

    def write(self, events: Any) -> None:
        rows = [event_to_row(event) for event in events]
        with self._transaction() as conn:
            conn.executemany(ROW_INSERT, rows)


def _event(ident: str, offset_us: int) -> dict[str, Any]:
    us = _BASE_US + offset_us
    seconds, micro = divmod(us, 1_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {"id": ident, "time": f"{stamp}.{micro:06d}Z", "event": "e" + ident,
            "details": {"n": offset_us}}


# An event: (id drawn from a small pool, so ids come again; a time from a small span,
# so microseconds are shared). A history: batches of them.
_events = st.tuples(st.integers(0, 60), st.integers(0, 40))
_histories = st.lists(st.lists(_events, min_size=1, max_size=150), min_size=1, max_size=5)


def _rows(store: SQLiteStore) -> list[tuple[Any, ...]]:
    return store._fetch(_ROWS, ())


def _run(history: list[list[tuple[int, int]]], tmp_path: Path, name: str
         ) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    fast = SQLiteStore(f"sqlite:///{tmp_path}/{name}-fast.db")
    plain = PlainStore(f"sqlite:///{tmp_path}/{name}-plain.db")
    try:
        for batch in history:
            events = [_event(f"id{ident}", offset) for ident, offset in batch]
            fast.write(events)
            plain.write(events)
        return _rows(fast), _rows(plain)
    finally:
        fast.close()
        plain.close()


_SETTINGS = settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(history=_histories)
def test_the_batch_insert_gives_the_plain_way_s_rows_and_keys(
        history: list[list[tuple[int, int]]], tmp_path_factory: pytest.TempPathFactory
        ) -> None:
    fast, plain = _run(history, tmp_path_factory.mktemp("h"), "a")
    assert fast == plain


@_SETTINGS
@given(history=_histories)
def test_the_same_with_a_crowded_range_going_row_by_row(
        history: list[list[tuple[int, int]]], tmp_path_factory: pytest.TempPathFactory
        ) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sqlite_insert, "MOST_STORED", 3)
        patch.setattr(sqlite_insert, "_STORED",
                      "SELECT k, id FROM events WHERE k BETWEEN ? AND ? LIMIT 4")
        fast, plain = _run(history, tmp_path_factory.mktemp("h"), "b")
    assert fast == plain


def test_an_id_stored_at_another_time_writes_the_batch_the_plain_way(tmp_path: Path
                                                                     ) -> None:
    """Its row takes no slot, so the next event of the same microsecond takes slot 0."""
    store = SQLiteStore(f"sqlite:///{tmp_path}/a.db")
    try:
        store.write([_event("old", 900_000_000)])
        again_elsewhere = _event("old", 5)
        store.write([again_elsewhere, _event("new", 5)])
        rows = _rows(store)
        assert [(row[1], row[0] & 1023) for row in rows] == [("new", 0), ("old", 0)]
        assert [row[2] for row in rows] == [_BASE_US + 5, _BASE_US + 900_000_000]
    finally:
        store.close()


def test_ties_take_slots_in_batch_order_after_those_stored(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/a.db")
    try:
        store.write([_event("a", 7), _event("b", 7)])
        store.write([_event("c", 7), _event("b", 7), _event("d", 7), _event("c", 7)])
        assert [(row[1], row[0] & 1023) for row in _rows(store)] == [
            ("a", 0), ("b", 1), ("c", 2), ("d", 3)]
    finally:
        store.close()


def test_a_1025th_event_in_one_microsecond_is_refused_whole(tmp_path: Path) -> None:
    store = SQLiteStore(f"sqlite:///{tmp_path}/a.db")
    try:
        store.write([_event(f"t{n}", 3) for n in range(1000)])
        with pytest.raises(UnstorableEvent, match="more than 1024 events"):
            store.write([_event("x", 1), *[_event(f"u{n}", 3) for n in range(25)]])
        assert len(_rows(store)) == 1000
        store.write([_event(f"u{n}", 3) for n in range(24)])
        assert len(_rows(store)) == 1024
    finally:
        store.close()


def test_statements_of_many_rows_are_what_runs(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is taken (a batch of 300: statements of 128, 128, 32, 8 and 4 rows), not the
    plain one."""
    sizes: list[int] = []
    made = sqlite_insert.values_insert
    monkeypatch.setattr(sqlite_insert, "values_insert",
                        lambda rows: sizes.append(rows) or made(rows))
    seen: list[str] = []
    store = SQLiteStore(f"sqlite:///{tmp_path}/a.db")
    try:
        store.count(Query())
        conn = store._connection()
        conn.set_trace_callback(seen.append)
        store.write([_event(f"e{n}", n) for n in range(300)])
        conn.set_trace_callback(None)
        assert len(_rows(store)) == 300
    finally:
        store.close()
    assert sizes == [128, 128, 32, 8, 4]
    assert sum(sql.startswith("INSERT") for sql in seen) == 5


def test_values_insert_holds_sixteen_parameters_a_row() -> None:
    conn = sqlite3.connect(":memory:")
    sql = sqlite_insert.values_insert(3)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        conn.execute(sql, [None] * 48)


def test_a_batch_sent_again_is_left_out_without_the_plain_way(tmp_path: Path) -> None:
    """Ids stored in the range, or twice in one statement, are dropped before the
    statement runs: a replayed batch does not fall back to a row at a time."""
    seen: list[str] = []
    store = SQLiteStore(f"sqlite:///{tmp_path}/a.db")
    try:
        batch = [_event(f"e{n}", n // 3) for n in range(90)]
        store.write(batch)
        conn = store._connection()
        conn.set_trace_callback(seen.append)
        store.write([*batch[40:], _event("late", 5), _event("late", 5), *batch[:50]])
        conn.set_trace_callback(None)
        assert len(_rows(store)) == 91
    finally:
        store.close()
    assert not [sql for sql in seen if "COALESCE(MAX(k)" in sql]
