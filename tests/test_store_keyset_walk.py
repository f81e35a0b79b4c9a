"""The keyset walks over every stored row (``iter_by_chain``, ``iter_stored`` and
verify's ``verify_rows``; one pager, :func:`auditmw.store.verifywalk.keyset_pages`) give
each row once, in the same order, whatever the chunk size: chained rows by
``(chain, seq)``, ties of one ``seq`` and rows without a chain included, expired ones
only when asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditmw.store import open_store
from auditmw.store.sample import sample_events


def _rows(url: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    events = list(sample_events(30, end=now, span=timedelta(days=2), chain="a"))
    events += list(sample_events(9, end=now, span=timedelta(days=2), seed=3, chain="b"))
    # three of chain b share a seq (a writer restarted): the tiebreak orders them
    for event in events[30:33]:
        event["integrity"]["seq"] = 1
    loose = list(sample_events(11, end=now, span=timedelta(days=2), seed=5))
    for event in loose:
        event.pop("integrity", None)
    # two expired: past retention, still stored until a purge
    old = list(sample_events(2, end=now - timedelta(days=400), seed=9, chain="c"))
    return events + loose + old


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_every_row_once_in_one_order_whatever_the_chunk(backend: str, tmp_path: Any,
                                                        request: pytest.FixtureRequest
                                                        ) -> None:
    url = (f"sqlite:///{tmp_path / 'audit.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    store = open_store(url, retention_days=365)
    try:
        events = _rows(url)
        store.write(events)
        whole = [e["id"] for e in store.iter_by_chain(chunk_size=1000)]
        assert sorted(whole) == sorted(e["id"] for e in events)
        chained = [i for i in whole if i in {e["id"] for e in events if "integrity" in e}]
        assert whole[:len(chained)] == chained  # chained rows first
        live = [e["id"] for e in store.iter_by_chain(include_expired=False, chunk_size=1000)]
        assert len(live) == len(events) - 2
        assert set(whole) - set(live) == {e["id"] for e in events[-2:]}
        for size in (1, 2, 3, 7, 30, 52, 53):
            assert [e["id"] for e in store.iter_by_chain(chunk_size=size)] == whole, size
            assert [s.id for s in store.iter_stored(chunk_size=size)] == whole, size
            assert [str(r[0]) for r in store.verify_rows(chunk_size=size)] == whole, size
            assert [e["id"] for e in store.iter_by_chain(include_expired=False,
                                                        chunk_size=size)] == live, size
    finally:
        store.close()
