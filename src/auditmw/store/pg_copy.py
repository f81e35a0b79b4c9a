"""One batch into PostgreSQL's ``events`` by binary ``COPY``, each row built from its
event just before it is sent: the server process works on the first rows while the rest
of the batch is still being serialised here. A bad event raises :class:`StoreError` from
inside the ``COPY``, which aborts it and its transaction: nothing of the batch is
written, as when every row was checked first.

Tried and not kept (issue 21, docs/store.md): the batch split over two connections, two
server processes at once. Under the shared box's load it cost more CPU an event (client
+1.8 µs, server +1.5 µs) and gave less wall throughput (5,713 against 6,718 events/s,
interleaved blocks of one run), and it would have made a batch two transactions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditmw.store.rows import event_to_row, time_text_to_us, us_to_datetime
from auditmw.store.schema import COLUMN_LIST

if TYPE_CHECKING:
    from collections.abc import Sequence

    import psycopg

    from auditmw.store.base import EventDict

COPY_EVENTS = f"COPY events ({COLUMN_LIST}) FROM STDIN (FORMAT BINARY)".encode()
#: How :data:`~auditmw.store.schema.COLUMNS` are sent. ``ts`` goes as the ``int8`` it is
#: on the wire (a binary ``timestamptz`` is microseconds since 2000-01-01, range-checked
#: by the server): no ``datetime`` is made per event.
TYPES = ("text", "int8", *("text",) * 9, "int8", "text", "text", "text")
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since the Unix epoch


# The slow way, for a batch holding an id already stored: COPY into a per-connection
# temporary table (made once per connection), then one INSERT that skips the ids there.
STAGING = b"""
CREATE TEMP TABLE IF NOT EXISTS auditmw_staging (
    id text, ts timestamptz, event text, category text, outcome text, actor_id text,
    actor_name text, target_id text, target_name text, client_ip text, chain text,
    seq bigint, hash text, tenant text, data text
) ON COMMIT DELETE ROWS
"""
_COPY_STAGING = f"COPY auditmw_staging ({COLUMN_LIST}) FROM STDIN (FORMAT BINARY)".encode()
_MOVE = (f"INSERT INTO events ({COLUMN_LIST}) SELECT {COLUMN_LIST} FROM auditmw_staging "
         "ON CONFLICT DO NOTHING").encode()


def staged(event: EventDict) -> tuple[Any, ...]:
    """The ``COPY`` row of ``event``; raises :class:`StoreError` if it cannot be stored."""
    row = event_to_row(event)
    return (row[0], row[1] - PG_EPOCH_US, *row[2:])


def months_of(events: Sequence[EventDict]) -> set[tuple[int, int]]:
    """The (year, month) partitions ``events`` go to, read off the canonical time text
    (``YYYY-MM-…Z``) without parsing it; another form is parsed. An event whose time is
    not valid is left to :func:`staged` to refuse."""
    canonical: set[str] = set()
    others: list[Any] = []
    for event in events:
        when = event.get("time") if isinstance(event, dict) else None
        if isinstance(when, str) and len(when) == 27 and when[26] == "Z":
            canonical.add(when[:7])
        else:
            others.append(when)
    months = {(int(text[:4]), int(text[5:7])) for text in canonical
              if text[:4].isdigit() and text[4] == "-" and text[5:7].isdigit()}
    for when in others:
        try:
            moment = us_to_datetime(time_text_to_us(when))
        except (TypeError, ValueError, AttributeError, OverflowError):
            continue
        months.add((moment.year, moment.month))
    return months


def copy_events(conn: psycopg.Connection[Any], events: Sequence[EventDict]) -> None:
    """All of ``events`` into ``events`` in one transaction, or none."""
    with conn.transaction(), conn.cursor().copy(COPY_EVENTS) as copy:
        copy.set_types(TYPES)
        for event in events:
            copy.write_row(staged(event))


def copy_skipping_stored(conn: psycopg.Connection[Any], rows: list[tuple[Any, ...]]) -> None:
    """``rows`` (:func:`staged`) into ``events`` in one transaction, skipping every id
    already stored (:data:`STAGING` made on ``conn`` first)."""
    with conn.transaction():
        with conn.cursor().copy(_COPY_STAGING) as copy:
            copy.set_types(TYPES)
            for row in rows:
                copy.write_row(row)
        conn.execute(_MOVE)
