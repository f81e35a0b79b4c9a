"""SQLite's pages against a brute-force filter over every row, for many query shapes.

The store orders by its order key ``k`` (ties of one microsecond in the order they were
stored), reads bucketed indexes a group of buckets at a time, and carries ``k`` in its
cursors: every page, walked forward to the end and back again, must be exactly the
slice of the brute-force list, whatever the filters, order, limit or time range. The
events span many buckets, include ties written in separate batches (ids against arrival
order) and old events arriving after newer ones.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from auditmw.store import Query, open_store
from auditmw.store.cursors import Cursor
from auditmw.store.orderkey import BUCKET_SHIFT, SLOT_BITS
from auditmw.store.rows import datetime_to_us, time_text_to_us, us_to_datetime
from auditmw.store.sample import sample_event

if TYPE_CHECKING:
    from collections.abc import Iterator

    from auditmw.store.sqlite import SQLiteStore

NOW = datetime.now(UTC).replace(microsecond=0)
SPAN_DAYS = 200  # ~31 buckets of the high-cardinality indexes


def _events() -> list[dict[str, Any]]:
    """In arrival order: mostly time order, a late stretch of old events, and ties."""
    rng = random.Random(21)
    end = datetime_to_us(NOW)
    start = end - SPAN_DAYS * 86_400_000_000
    times = sorted(rng.randrange(start, end) for _ in range(900))
    late = [times.pop(rng.randrange(len(times))) for _ in range(120)]  # arrive at the end
    tie_times = [times[100], times[400], times[700], late[5]]
    out = []
    for position, time_us in enumerate([*times, *late]):
        out.append(sample_event(rng, time_us, actors=12, tenants=4, seq=position + 1))
    for round_ in range(3):  # ties: one more event at the same µs in each later round
        for time_us in tie_times:
            out.append(sample_event(rng, time_us, counter=9 - round_, actors=12, tenants=4))
    return out


EVENTS = _events()
ARRIVAL = {event["id"]: index for index, event in enumerate(EVENTS)}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    path: Path = tmp_path_factory.mktemp("paging") / "audit.db"
    opened = open_store(f"sqlite:///{path}", retention_days=3650)
    rng = random.Random(5)
    at = 0
    while at < len(EVENTS):  # batches of varying size, as the lane gives them
        size = rng.choice((1, 7, 50, 130))
        opened.write(EVENTS[at:at + size])
        at += size
    yield opened  # type: ignore[misc]
    opened.close()


def _matches(event: dict[str, Any], query: Query) -> bool:
    time_us = time_text_to_us(event["time"])
    if query.start is not None and time_us < datetime_to_us(query.start):
        return False
    if query.end is not None and time_us >= datetime_to_us(query.end):
        return False
    fields = {
        "event": (event.get("event"),), "category": (event.get("category"),),
        "outcome": (event.get("outcome"),), "tenant": (event.get("tenant"),),
        "ip": (event["client"]["ip"],),
        "actor": (event["actor"]["id"], event["actor"]["name"]),
        "target": (event["target"]["id"], event["target"]["name"]),
    }
    return all(not getattr(query, name) or set(values) & set(getattr(query, name))
               for name, values in fields.items())


def _expected(query: Query, order: str) -> list[str]:
    """Brute force: time, then ties in the order they were stored."""
    found = [e for e in EVENTS if _matches(e, query)]
    found.sort(key=lambda e: (time_text_to_us(e["time"]), ARRIVAL[e["id"]]),
               reverse=order == "desc")
    return [e["id"] for e in found]


def _day(days: float) -> datetime:
    return NOW - timedelta(days=days)


E = EVENTS
SHAPES: list[Query] = [
    Query(),
    Query(event=("deleteScope",)),
    Query(event=("siteAccess", "siteAccess", "triggerScan")),
    Query(category=("site_access",), outcome=("failure", "denied")),
    Query(actor=("u1",)),
    Query(actor=("u3", "user5@example.com", "u3")),
    Query(actor=("nobody",)),
    Query(target=(E[10]["target"]["id"], E[500]["target"]["name"])),
    Query(ip=(E[3]["client"]["ip"], E[800]["client"]["ip"])),
    Query(tenant=("site2",)),
    Query(tenant=("site1",), event=("siteAccess",)),
    Query(tenant=("site0",), actor=("u0", "u2")),
    Query(actor=("u1",), event=("siteAccess", "createAssetGroup"), outcome=("success",)),
    Query(start=_day(30)),
    Query(start=_day(120), end=_day(40)),
    Query(start=_day(90), end=_day(60), actor=("u0",)),
    Query(end=_day(150), target=(E[20]["target"]["id"],)),
    Query(start=_day(30), event=("triggerScan", "siteAccess"), outcome=("failure",)),
    # exactly at a tie's microsecond: start inclusive, end exclusive
    Query(start=us_to_datetime(time_text_to_us(E[-1]["time"]))),
    Query(end=us_to_datetime(time_text_to_us(E[-1]["time"])), actor=("u1", "u2")),
    Query(start=us_to_datetime(time_text_to_us(E[-1]["time"])),
          end=us_to_datetime(time_text_to_us(E[-1]["time"]) + 1)),
]


def _walk(store: SQLiteStore, query: Query, order: str, limit: int) -> list[list[str]]:
    """Every page forward; each page's ``prev`` must give back the page before it."""
    pages: list[list[str]] = []
    prevs: list[str | None] = []
    cursor = None
    while True:
        page = store.query(query, order=order, limit=limit, cursor=cursor,  # type: ignore[arg-type]
                           with_total=False)
        pages.append([e["id"] for e in page.items])
        prevs.append(page.prev)
        if page.next is None:
            break
        cursor = page.next
        assert len(pages) < 2000
    for index in range(1, len(pages)):
        back = store.query(query, order=order, limit=limit,  # type: ignore[arg-type]
                           cursor=prevs[index], with_total=False)
        assert [e["id"] for e in back.items] == pages[index - 1][-limit:]
    return pages


@pytest.mark.parametrize("order", ["desc", "asc"])
@pytest.mark.parametrize("shape", range(len(SHAPES)))
def test_pages_are_the_brute_force_slices(store: SQLiteStore, shape: int,
                                          order: str) -> None:
    query = SHAPES[shape]
    expected = _expected(query, order)
    for limit in (1, 7, 100) if len(expected) < 60 else (7, 100):
        pages = _walk(store, query, order, limit)
        assert [i for page in pages for i in page] == expected
        assert all(len(page) == limit for page in pages[:-1])
    assert store.count(query) == len(expected)
    assert [e["id"] for e in store.iter_events(query, order=order,  # type: ignore[arg-type]
                                               chunk_size=13)] == expected


def test_the_shapes_cover_ties_late_events_and_many_buckets() -> None:
    """The data set is what the paging test needs to be able to fail."""
    times = [time_text_to_us(e["time"]) for e in EVENTS]
    assert len(times) - len(set(times)) >= 12  # ties
    assert any(b < a for a, b in itertools.pairwise(times))  # late arrivals
    buckets = {(t << SLOT_BITS) >> BUCKET_SHIFT for t in times}
    assert len(buckets) >= 25
    tied = [e for e in EVENTS if e["time"] == EVENTS[-1]["time"]]
    assert sorted(e["id"] for e in tied) != [e["id"] for e in tied]  # ids against arrival
    assert all(_expected(q, "desc") for q in SHAPES if q.actor != ("nobody",))


def test_ties_page_in_the_order_they_were_stored(store: SQLiteStore) -> None:
    moment = us_to_datetime(time_text_to_us(EVENTS[-1]["time"]))
    query = Query(start=moment, end=moment + timedelta(microseconds=1))
    tied = [e["id"] for e in EVENTS if e["time"] == EVENTS[-1]["time"]]
    assert [e["id"] for e in store.iter_events(query)] == tied
    first = store.query(query, order="asc", limit=1, with_total=False)
    second = store.query(query, order="asc", limit=1, cursor=first.next, with_total=False)
    assert [first.items[0]["id"], second.items[0]["id"]] == tied[:2]


@pytest.mark.parametrize("order", ["desc", "asc"])
def test_an_edge_cursor_gives_the_last_page(store: SQLiteStore, order: str) -> None:
    """The GraphQL API's ``page: LAST``: a backward cursor anchored beyond every event
    (no ``k``, no id)."""
    edge = datetime(1, 1, 2, tzinfo=UTC) if order == "desc" else \
        datetime(9999, 12, 30, tzinfo=UTC)
    cursor = store.encode_cursor(Cursor(datetime_to_us(edge), "", order, forward=False))
    for query in (Query(), Query(actor=("u1",))):
        page = store.query(query, order=order, limit=9, cursor=cursor,  # type: ignore[arg-type]
                           with_total=False)
        assert [e["id"] for e in page.items] == _expected(query, order)[-9:]
        assert page.prev is not None


def test_a_cursor_without_its_key_is_found_by_id_or_refused(store: SQLiteStore) -> None:
    """A cursor of the version-5 store (``(time, id)``, no ``k``) goes on from its event;
    one whose event is gone is refused, saying why."""
    from auditmw.store.base import InvalidCursor

    expected = _expected(Query(), "desc")
    anchor = next(e for e in EVENTS if e["id"] == expected[40])
    old = store.encode_cursor(Cursor(time_text_to_us(anchor["time"]), anchor["id"], "desc",
                                     True))
    page = store.query(Query(), limit=5, cursor=old, with_total=False)
    assert [e["id"] for e in page.items] == expected[41:46]
    gone = store.encode_cursor(Cursor(time_text_to_us(anchor["time"]), "no-such-id", "desc",
                                      True))
    with pytest.raises(InvalidCursor, match="upgrade"):
        store.query(Query(), limit=5, cursor=gone)
