"""One suite, both backends: every test here runs on SQLite and on real PostgreSQL."""

from __future__ import annotations

import base64
import random
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.store import InvalidCursor, Query, StoreError, open_store
from auditmw.store.rows import datetime_to_us
from auditmw.store.sample import sample_event, sample_events

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from auditmw.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def events(count: int, *, days: float = 10, seed: int = 1, end: datetime = NOW,
           chain: str = "c1") -> list[dict[str, Any]]:
    return list(sample_events(count, end=end, span=timedelta(days=days), seed=seed,
                              actors=20, chain=chain))


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda e: (e["time"], e["id"]), reverse=True)


def test_stores_the_exact_event_and_reads_it_back(store: Store) -> None:
    written = events(5)
    written[0]["details"] = {"note": "line\u2028sep", "big": 2**70, "f": 1.5, "u": "é"}
    store.write(written)
    got = {e["id"]: e for e in store.query(Query()).items}
    for event in written:
        assert codec.dumps(got[event["id"]]) == codec.dumps(event)


def test_write_is_idempotent_on_id(store: Store) -> None:
    batch = events(30)
    store.write(batch)
    store.write(batch[10:] + batch[:5])
    store.write([dict(batch[0])])
    assert store.count(Query()) == 30
    assert sorted(ids(list(store.iter_events(Query())))) == sorted(ids(batch))


def test_a_malformed_event_rejects_the_batch_and_names_the_problem(store: Store) -> None:
    good = events(3)
    with pytest.raises(StoreError, match="not RFC 3339"):
        store.write([*good, {"id": "x", "time": "yesterday"}])
    with pytest.raises(StoreError, match="needs 'id' and 'time'"):
        store.write([{"event": "deleteScope"}])
    assert store.count(Query()) == 0
    store.write(good)
    assert store.count(Query()) == 3


DATA = events(240, days=20, seed=11)
FIRST = DATA[0]


def _match(event: dict[str, Any], query: Query) -> bool:
    when = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    actor, target = event["actor"], event["target"]
    return all((
        query.start is None or when >= query.start,
        query.end is None or when < query.end,
        not query.event or event["event"] in query.event,
        not query.category or event["category"] in query.category,
        not query.outcome or event["outcome"] in query.outcome,
        not query.ip or event["client"]["ip"] in query.ip,
        not query.actor or actor["id"] in query.actor or actor["name"] in query.actor,
        not query.target or target["id"] in query.target or target["name"] in query.target,
    ))


FILTER_CASES = [
    pytest.param(Query(), id="no-filter"),
    pytest.param(Query(event=("createAssetGroup",)), id="event"),
    pytest.param(Query(event=("createAssetGroup", "deleteScope")), id="event-repeated"),
    pytest.param(Query(category=("site_access",)), id="category"),
    pytest.param(Query(outcome=("failure", "denied")), id="outcome-repeated"),
    pytest.param(Query(actor=(FIRST["actor"]["id"],)), id="actor-by-id"),
    pytest.param(Query(actor=(FIRST["actor"]["name"], "u3")), id="actor-by-name-or-id"),
    pytest.param(Query(target=(FIRST["target"]["id"],)), id="target-by-id"),
    pytest.param(Query(target=(FIRST["target"]["name"],)), id="target-by-name"),
    pytest.param(Query(ip=(FIRST["client"]["ip"],)), id="ip"),
    pytest.param(Query(start=NOW - timedelta(days=5)), id="from"),
    pytest.param(Query(end=NOW - timedelta(days=5)), id="to-exclusive"),
    pytest.param(Query(start=NOW - timedelta(days=9), end=NOW - timedelta(days=3),
                       event=("siteAccess", "triggerScan"), outcome=("success",)),
                 id="combined"),
    pytest.param(Query(event=("noSuchEvent",)), id="matches-nothing"),
]


@pytest.mark.parametrize("query", FILTER_CASES)
def test_filters_match_the_spec(store: Store, query: Query) -> None:
    store.write(DATA)
    expected = newest_first([e for e in DATA if _match(e, query)])
    page = store.query(query, limit=1000)
    assert ids(page.items) == ids(expected)
    assert page.total == len(expected) == store.count(query)
    assert ids(list(store.iter_events(query, order="desc", chunk_size=7))) == ids(expected)


_values = st.sampled_from
QUERIES = st.builds(
    Query,
    start=st.none() | st.integers(0, 20).map(lambda d: NOW - timedelta(days=d)),
    end=st.none() | st.integers(0, 20).map(lambda d: NOW - timedelta(days=d)),
    event=st.lists(_values(sorted({e["event"] for e in DATA})), max_size=3).map(tuple),
    actor=st.lists(_values(sorted({e["actor"]["id"] for e in DATA}
                                  | {e["actor"]["name"] for e in DATA})),
                   max_size=2).map(tuple),
    outcome=st.lists(_values(["success", "failure", "denied"]), max_size=2).map(tuple),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, limit=st.integers(1, 60), order=_values(["asc", "desc"]))
def test_paging_any_filter_gives_the_filtered_list_in_order(
        store: Store, query: Query, limit: int, order: str) -> None:
    if store.count(Query()) == 0:  # the data is read-only: write it once per store
        store.write(DATA)
    expected = ids(newest_first([e for e in DATA if _match(e, query)]))
    if order == "asc":
        expected.reverse()
    seen: list[str] = []
    page = store.query(query, order=order, limit=limit, with_total=False)  # type: ignore[arg-type]
    pages = 1
    seen += ids(page.items)
    while page.next is not None and pages <= len(DATA):
        page = store.query(query, order=order, limit=limit, cursor=page.next,  # type: ignore[arg-type]
                           with_total=False)
        seen += ids(page.items)
        pages += 1
    assert seen == expected


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_next_and_prev_walk_the_same_pages_both_ways(store: Store, order: Any) -> None:
    store.write(DATA)
    forward = [store.query(Query(), order=order, limit=25)]
    assert forward[0].prev is None
    while forward[-1].next:
        forward.append(store.query(Query(), order=order, limit=25, cursor=forward[-1].next))
    assert len(forward) == 10
    assert forward[-1].next is None
    assert len(forward[-1].items) == 240 - 9 * 25
    back = [forward[-1]]
    while back[-1].prev:
        back.append(store.query(Query(), order=order, limit=25, cursor=back[-1].prev))
    assert [ids(p.items) for p in reversed(back)] == [ids(p.items) for p in forward]
    assert back[-1].prev is None


def test_a_cursor_past_the_end_offers_the_way_back(store: Store) -> None:
    store.write(DATA[:3])
    last = store.query(Query(), limit=3)
    assert last.next is None
    page = store.query(Query(), limit=2)
    beyond = store.query(Query(event=("noSuchEvent",)), limit=2, cursor=page.next)
    assert beyond.items == []
    assert beyond.next is None
    assert beyond.prev is not None
    back = store.query(Query(), limit=2, cursor=beyond.prev)
    assert ids(back.items) == ids(page.items)


@pytest.mark.parametrize("cursor", [
    pytest.param("garbage!", id="not-base64"),
    pytest.param("MXxkZXNjfG58eHx4", id="base64-not-a-cursor"),
    pytest.param("", id="empty-is-no-cursor"),
])
def test_foreign_cursors_are_refused_clearly(store: Store, cursor: str) -> None:
    store.write(DATA[:5])
    if cursor == "":
        assert len(store.query(Query(), cursor=cursor).items) == 5
        return
    with pytest.raises(InvalidCursor, match="invalid cursor"):
        store.query(Query(), cursor=cursor)


def _reforged(cursor: str, change: Callable[[str], str]) -> str:
    """``cursor`` with its payload edited and its signature kept."""
    body, _, mac = cursor.partition(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    edited = base64.urlsafe_b64encode(change(payload).encode()).decode().rstrip("=")
    return f"{edited}.{mac}"


def test_cursors_are_signed_by_the_store_that_issued_them(store: Store, tmp_path: Path
                                                          ) -> None:
    store.write(DATA[:6])
    page = store.query(Query(), limit=2)
    assert page.next is not None
    assert len(store.query(Query(), limit=2, cursor=page.next).items) == 2
    # An edited position (a later time), the old unsigned format, a signature cut off:
    forged = [_reforged(page.next, lambda p: p.replace("|n", "|p")),
              _reforged(page.next, lambda p: p.rsplit("|", 1)[0] + "|other-id"),
              page.next.partition(".")[0], page.next[:-2]]
    for cursor in forged:
        with pytest.raises(InvalidCursor, match="invalid cursor"):
            store.query(Query(), limit=2, cursor=cursor)
    # Another store (another key) issued it: refused too, though well formed.
    other = open_store(f"sqlite:///{tmp_path}/other.db")
    try:
        other.write(DATA[:6])
        foreign = other.query(Query(), limit=2).next
        assert foreign is not None
        with pytest.raises(InvalidCursor, match="invalid cursor"):
            store.query(Query(), limit=2, cursor=foreign)
    finally:
        other.close()
    # The key is the store's own: a second handle on the same store reads the cursor.
    again = open_store(store.url)
    try:
        assert ids(again.query(Query(), limit=2, cursor=page.next).items) == ids(
            store.query(Query(), limit=2, cursor=page.next).items)
    finally:
        again.close()


def test_a_cursor_of_the_other_order_is_refused(store: Store) -> None:
    store.write(DATA[:5])
    page = store.query(Query(), order="desc", limit=2)
    with pytest.raises(InvalidCursor, match="order=desc"):
        store.query(Query(), order="asc", cursor=page.next)
    with pytest.raises(StoreError, match="limit"):
        store.query(Query(), limit=0)


def test_paging_sees_every_event_once_while_another_writer_inserts(store: Store) -> None:
    before = events(300, days=2, seed=3)
    store.write(before)
    stop = threading.Event()
    written: list[str] = []
    writer_store = open_store(store.url)

    def writer() -> None:
        rng = random.Random(5)
        for batch in range(200):  # bounded; stops early when the reader is done
            if stop.is_set():
                return
            # new events both newer than the walk and inside the range already walked
            fresh = [sample_event(rng, datetime_to_us(NOW - timedelta(hours=rng.random() * 48)),
                                  chain="c2", seq=batch * 10 + i) for i in range(10)]
            writer_store.write(fresh)
            written.extend(ids(fresh))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        seen: list[tuple[str, str]] = []
        page = store.query(Query(), limit=7, with_total=False)
        seen += [(e["time"], e["id"]) for e in page.items]
        for _ in range(10_000):
            if page.next is None:
                break
            page = store.query(Query(), limit=7, cursor=page.next, with_total=False)
            seen += [(e["time"], e["id"]) for e in page.items]
    finally:
        stop.set()
        thread.join(timeout=60)
        writer_store.close()
    seen_ids = [i for _, i in seen]
    assert len(seen_ids) == len(set(seen_ids)), "an event was returned twice"
    assert set(ids(before)) <= set(seen_ids), "an event present all along was skipped"
    assert seen == sorted(seen, reverse=True)
    assert set(seen_ids) <= set(ids(before)) | set(written)


def test_expired_events_are_never_returned_and_purge_deletes_them(store: Store) -> None:
    old = events(40, days=60, end=NOW - timedelta(days=400), seed=4)
    fresh = events(30, days=60, seed=5)
    store.write(old + fresh)
    assert store.count(Query()) == 30
    assert set(ids(store.query(Query(), limit=1000).items)) == set(ids(fresh))
    assert set(ids(list(store.iter_events(Query())))) == set(ids(fresh))
    assert store.query(Query(start=NOW - timedelta(days=1000)), limit=1000).total == 30
    assert len(list(store.iter_by_chain(include_expired=True))) == 70
    assert len(list(store.iter_by_chain(include_expired=False))) == 30
    assert store.purge() == 40
    assert len(list(store.iter_by_chain(include_expired=True))) == 30
    assert store.purge() == 0
    assert store.count(Query()) == 30


def test_purge_asks_for_a_checkpoint_and_keeps_it_with_the_delete(store: Store) -> None:
    chain_a = events(20, days=30, end=NOW - timedelta(days=340), seed=6, chain="a")
    chain_b = events(5, days=3, end=NOW - timedelta(days=300), seed=7, chain="b")
    store.write(chain_a + chain_b)
    seen: list[dict[str, dict[str, Any]]] = []

    def on_purge(chains: dict[str, dict[str, Any]]) -> dict[str, Any]:
        seen.append(chains)
        return {"kind": "purge", "chains": chains, "signature": "sig"}

    cutoff_moment = NOW + timedelta(days=10)  # 365 days before is NOW - 355 days
    cutoff = NOW - timedelta(days=355)
    purged = [e for e in chain_a
              if datetime.fromisoformat(e["time"].replace("Z", "+00:00")) < cutoff]
    assert 0 < len(purged) < len(chain_a)
    assert store.purge(now=cutoff_moment, on_purge=on_purge) == len(purged)
    last = purged[-1]
    assert seen == [{"a": {"seq": last["integrity"]["seq"], "hash": last["integrity"]["hash"],
                           "id": last["id"], "time": last["time"]}}]
    assert store.checkpoints() == [{"kind": "purge", "chains": seen[0], "signature": "sig"}]
    store.add_checkpoint({"kind": "manual"})
    assert [c["kind"] for c in store.checkpoints()] == ["purge", "manual"]


def test_a_failing_purge_hook_deletes_nothing(store: Store) -> None:
    store.write(events(10, end=NOW - timedelta(days=500)))

    def broken(chains: dict[str, dict[str, Any]]) -> dict[str, Any]:
        raise RuntimeError("no signing key")

    with pytest.raises(RuntimeError, match="no signing key"):
        store.purge(on_purge=broken)
    assert len(list(store.iter_by_chain())) == 10
    assert store.checkpoints() == []
    assert store.purge(on_purge=lambda chains: None) == 10
    assert store.checkpoints() == []


def test_iter_by_chain_orders_by_chain_then_seq_and_unchained_last(store: Store) -> None:
    rng = random.Random(9)
    mixed = []
    for chain, seqs in (("zeta", [3, 1, 2]), ("alpha", [2, 10, 1])):
        for seq in seqs:
            mixed.append(sample_event(rng, datetime_to_us(NOW - timedelta(seconds=seq)),
                                      chain=chain, seq=seq))
    loose = sample_event(rng, datetime_to_us(NOW), chain="x")
    del loose["integrity"]
    store.write([*mixed, loose])
    order = [(e.get("integrity", {}).get("chain"), e.get("integrity", {}).get("seq"))
             for e in store.iter_by_chain()]
    assert order == [("alpha", 1), ("alpha", 2), ("alpha", 10),
                     ("zeta", 1), ("zeta", 2), ("zeta", 3), (None, None)]


def test_writers_and_readers_in_many_threads(store: Store) -> None:
    batches = [events(50, seed=20 + n, chain=f"t{n}") for n in range(4)]
    errors: list[BaseException] = []

    def work(batch: list[dict[str, Any]]) -> None:
        try:
            for start in range(0, len(batch), 10):
                store.write(batch[start:start + 10])
                store.query(Query(), limit=5)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.count(Query()) == len({i for b in batches for i in ids(b)})


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.write(events(1))


@pytest.mark.subprocess
def test_a_forked_child_gets_its_own_connection_and_leaves_the_parents_alone(
        store: Store) -> None:
    import os

    store.write(events(5, seed=40))  # the parent's connection is open before the fork
    child_events = events(5, seed=41, chain="child")
    pid = os.fork()
    if pid == 0:  # the child: write through the inherited store object, then vanish
        code = 0
        try:
            store.write(child_events)
        except BaseException:
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.write(events(5, seed=42, chain="after"))  # the parent's session still works
    assert store.count(Query()) == 15
