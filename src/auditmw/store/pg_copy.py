"""One batch into PostgreSQL's ``events`` by binary ``COPY``: rows built as they are sent,
over one connection or, for a batch big enough, two at once.

Why two: the server process spends two to three times the CPU an event that this
process does (docs/store.md, "Writing, and what it costs"), so one ``COPY`` stream keeps
one core busy on the server side while the client waits. Two streams, each to its own
server process, put both cores to work. Each half is its own transaction; the first half
commits first, and the second only after it, so whatever a crash leaves is a *prefix*
of the batch — what two smaller batches would have left — and a retry completes it (the
store is idempotent on ``(ts, id)``). Anything that fails before the commits (a bad
event, an event stored already) rolls both back: nothing of the batch is written.

A row is built from its event just before it is sent, so the servers work while the
rest of the batch is still being serialised; a bad event raises :class:`StoreError`
from inside the ``COPY``, which aborts it.
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
#: Batches smaller than this go over one connection: two would not pay for themselves.
TWO_STREAMS_FROM = 64
# A half waiting on a row lock held by another writer's transaction must not wait for
# ever: that writer may itself be waiting on this batch's other half, a cycle through
# two clients the server cannot see. Timed out, the batch goes the one-connection way.
_LOCK_TIMEOUT = b"SET LOCAL lock_timeout = '5s'"


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


def distinct_ids(events: Sequence[EventDict]) -> bool:
    """Whether no two events of the batch share an id (two streams need that: a half
    inserting an id the other half holds uncommitted would wait on it)."""
    ids = {event.get("id") if isinstance(event, dict) else None for event in events}
    return len(ids) == len(events) and None not in ids


def copy_events(connections: Sequence[psycopg.Connection[Any]],
                events: Sequence[EventDict]) -> None:
    """All of ``events`` into ``events``, or none (but for the crash window above), over
    the first connection or, given two and a batch of :data:`TWO_STREAMS_FROM` or more,
    half on each."""
    if len(connections) == 1 or len(events) < TWO_STREAMS_FROM:
        conn = connections[0]
        with conn.transaction(), conn.cursor().copy(COPY_EVENTS) as copy:
            copy.set_types(TYPES)
            for event in events:
                copy.write_row(staged(event))
        return
    first, second = connections[0], connections[1]
    half = (len(events) + 1) // 2
    # Entered second, first: left first, second, so the first half commits first and a
    # failed commit of it rolls the second back.
    with second.transaction(), first.transaction():
        first.execute(_LOCK_TIMEOUT)
        second.execute(_LOCK_TIMEOUT)
        with first.cursor().copy(COPY_EVENTS) as head, \
                second.cursor().copy(COPY_EVENTS) as tail:
            head.set_types(TYPES)
            tail.set_types(TYPES)
            rest = events[half:]
            for index, event in enumerate(events[:half]):
                head.write_row(staged(event))  # both streams fed turn by turn
                if index < len(rest):
                    tail.write_row(staged(rest[index]))
