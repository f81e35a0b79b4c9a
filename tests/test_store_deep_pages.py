"""A page far into the store costs what the first page costs (SQLite, schema 6): the
scan starts at the position, not at the retention cutoff. Measured in SQLite's own
virtual-machine steps (a progress handler), not in time: the count does not move with
the machine's load. Before, every ascending page — the Data API's ``order=asc``, every
export — walked from the cutoff up to its position, so an export was quadratic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from auditmw.store import Query, open_store
from auditmw.store.sample import sample_events

N = 6000
CHUNK = 200


def steps_per_chunk(store: Any, query: Query, order: str) -> list[int]:
    """SQLite VM steps spent fetching each chunk of ``iter_events``."""
    conn = store._connection()
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0  # go on

    conn.set_progress_handler(tick, 100)
    try:
        per_chunk: list[int] = []
        seen = 0
        for _ in store.iter_events(query, order=order, chunk_size=CHUNK):
            seen += 1
            if seen % CHUNK == 0:
                per_chunk.append(counted[0])
        assert seen >= N // 2
    finally:
        conn.set_progress_handler(None, 0)
    return [b - a for a, b in pairwise(per_chunk)]


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("bounded", [False, True])
def test_a_deep_chunk_costs_what_the_first_costs(tmp_path: Path, order: str,
                                                 bounded: bool) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        events = list(sample_events(N, tenants=10))
        for start in range(0, N, 500):
            store.write(events[start:start + 500])
        # ``to`` puts an upper bound first on the descending side, as retention does on
        # the ascending one
        query = Query()
        if bounded:
            query = Query(end=datetime.now(UTC) + timedelta(days=1))
        steps = steps_per_chunk(store, query, order)
    finally:
        store.close()
    assert len(steps) >= 10
    first, last = steps[0], steps[-1]
    assert first > 0
    assert last < 2 * first, steps  # quadratic: the last chunk cost ~14x the first


def test_the_total_of_everything_leaves_out_what_retention_expired(tmp_path: Path) -> None:
    """``count(Query())`` is the whole table less the rows past the cutoff (SQLite's quick
    whole-table count); rows written long ago and not purged yet are not in it."""
    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}", retention_days=30)
    try:
        now = datetime.now(UTC)
        old = list(sample_events(40, end=now - timedelta(days=45), span=timedelta(days=10),
                                 chain="old"))
        new = list(sample_events(25, end=now, span=timedelta(days=10), chain="new"))
        store.write(old + new)
        assert store.count(Query()) == 25
        assert sum(1 for _ in store.iter_events(Query())) == 25
        assert store.count(Query(event=(new[0]["event"],))) == sum(
            1 for e in new if e["event"] == new[0]["event"])
    finally:
        store.close()
