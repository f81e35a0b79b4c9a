"""A batch is one transaction on both backends, whichever way it goes in.

PostgreSQL writes a batch with one binary COPY into ``events`` and, when an event of the
batch is stored already, writes it again through a staging table that skips the stored
ids. These tests hold both paths (and SQLite's one) to the same promises: a batch that
fails in the database leaves no row behind, a retry of the whole batch stores each event
once, and every character a JSON string can hold (NUL aside: PostgreSQL text cannot)
comes back exactly, in the JSON and in the columns the filters read.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from auditmw import codec
from auditmw.store import Query, open_store
from auditmw.store.sample import sample_events

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from auditmw.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)

# Characters COPY's text format escapes, JSON escapes, or that only look harmless.
ODD = ["tab\there", "new\nline", "cr\rreturn", "back\\slash", "\\N", "\\.", "quote\"'",
       "semi;colon,comma", "\u2028\u2029\u0085", "e\u0301 combining", "\U0001f600 emoji",
       "\u202eright-to-left", "\ufeffbom", "\x01\x1f controls", "\U0010ffff max"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/audit.db"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    yield opened
    opened.close()


def batch(count: int, seed: int) -> list[dict[str, Any]]:
    return list(sample_events(count, end=NOW, span=timedelta(days=3), seed=seed, actors=20))


def _refuse_inserts_of(store: Store, ident: str) -> None:
    """A trigger in the database itself that fails the insert of one event: the batch
    breaks in the middle of its transaction, as a full disk or a lost server would."""
    if store.url.startswith("sqlite"):
        conn = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute(f"CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.id = '{ident}' "
                     "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        conn.close()
        return
    import psycopg

    with psycopg.connect(store.url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id = '{ident}' THEN RAISE EXCEPTION 'refused by the test'; END IF; "
            "RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW "
                     "EXECUTE FUNCTION refuse()")


def _allow_inserts_again(store: Store) -> None:
    if store.url.startswith("sqlite"):
        conn = sqlite3.connect(store.url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("DROP TRIGGER refuse")
        conn.close()
        return
    import psycopg

    with psycopg.connect(store.url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse ON events")


@pytest.mark.parametrize("stored_before", [0, 5], ids=["new batch", "batch with stored ids"])
def test_a_batch_failing_in_the_database_leaves_nothing_and_its_retry_stores_it_once(
        store: Store, stored_before: int) -> None:
    events = batch(40, seed=3)
    assert store.count(Query()) == 0  # the schema exists before the trigger goes in
    store.write(events[:stored_before])  # with some stored: PostgreSQL's staging path
    _refuse_inserts_of(store, events[30]["id"])
    with pytest.raises(Exception, match="refused by the test"):
        store.write(events)
    assert store.count(Query()) == stored_before, "a failed batch left rows behind"
    _allow_inserts_again(store)
    store.write(events)  # the delivery engine retries the whole batch
    store.write(events)  # and a second delivery of it changes nothing
    stored = sorted(e["id"] for e in store.iter_events(Query()))
    assert stored == sorted(e["id"] for e in events)


def test_odd_characters_and_big_details_come_back_exactly(store: Store) -> None:
    events = batch(len(ODD) + 1, seed=4)
    for event, text in zip(events, ODD, strict=False):
        event["actor"]["name"] = text
        event["target"]["id"] = text
        event["details"] = {"text": text, text: [text]}
    events[-1]["details"] = {"blob": "x\\y\t" * 300_000, "list": list(range(20_000))}
    store.write(events[:3])
    store.write(events)  # mixed: three stored already
    got = {e["id"]: e for e in store.iter_events(Query())}
    assert len(got) == len(events)
    for event in events:
        assert codec.dumps(got[event["id"]]) == codec.dumps(event)
    for text in ODD:
        by_actor = store.query(Query(actor=(text,)), with_total=True)
        assert [e["actor"]["name"] for e in by_actor.items] == [text], repr(text)
        assert by_actor.total == 1
        assert store.count(Query(target=(text,))) == 1, repr(text)


def test_a_batch_spanning_months_lands_in_each_month(store: Store) -> None:
    events = [*batch(5, seed=5),
              *sample_events(5, end=NOW - timedelta(days=62), span=timedelta(days=2),
                             seed=6, actors=20)]
    store.write(events)
    assert store.count(Query()) == 10
    assert store.count(Query(end=NOW - timedelta(days=50))) == 5
