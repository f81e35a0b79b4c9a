"""How the SQLite store inserts a batch: statements of many rows, order keys given.

The plain way is one prepared ``INSERT`` run per row (:data:`ROW_INSERT`), each asking
the table for the next free slot of its microsecond. Every run of a statement opens a
cursor on the table and on each of its indexes, sets the VM up and closes it all again:
about a third of what SQLite spends on an event (callgrind, 1M rows: 113,000 → 78,000
instructions an event with 100 rows a statement). So the store inserts up to
:data:`ROWS_PER_STATEMENT` rows with one statement, and gives each row its key ``k``
itself, from the rows already stored in the statement's time range (one range read of
the table under the write lock), exactly as the plain way would have chosen it:

- a row whose ``id`` is already stored there, or came earlier in the statement, is left
  out (the plain way's ``ON CONFLICT (id) DO NOTHING``);
- every other row takes the next free slot of its microsecond, after the rows already
  stored and those before it in the batch.

The key is the same as the plain way's in every case; where it could not be told from
the range alone, the plain way runs instead:

- more than :data:`MOST_STORED` rows already stored in the range (another process wrote
  the same stretch of time, a replay of old events): that statement's rows go one by
  one through :data:`ROW_INSERT`;
- a row the statement skipped although it was not left out (its ``id`` is stored at
  another time): :class:`NotAsPlanned`, and the store writes the batch again the plain
  way in a new transaction (the plain way gives that row no slot; here the rows after
  it in its microsecond would sit one slot later).

``tests/test_store_sqlite_insert.py`` compares both ways on many generated batches.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from auditmw.store.orderkey import SLOT_BITS
from auditmw.store.schema import COLUMN_LIST

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Sequence

    from auditmw.store.rows import Row

#: Rows one statement takes at most (16 parameters each; SQLite allows 32,766).
ROWS_PER_STATEMENT = 128
#: Stored rows in a statement's time range past which that statement goes row by row.
MOST_STORED = 256

# The plain way: the next free slot of the event's microsecond (read under the write
# lock), then the row; an id already stored is skipped. Not OR IGNORE: that would also
# skip, silently, a row failing the CHECK on k (a 1,025th event in one microsecond).
ROW_INSERT = (f"INSERT INTO events (k, {COLUMN_LIST}) VALUES ((SELECT COALESCE(MAX(k) + 1, "
              "?2 << 10) FROM events WHERE k BETWEEN ?2 << 10 AND (?2 << 10) | 1023), "
              + ", ".join(f"?{n}" for n in range(1, 16)) + ") ON CONFLICT (id) DO NOTHING")

_STORED = f"SELECT k, id FROM events WHERE k BETWEEN ? AND ? LIMIT {MOST_STORED + 1}"


class NotAsPlanned(Exception):
    """A statement stored fewer rows than it was given keys for: write the batch the
    plain way."""


@lru_cache(maxsize=ROWS_PER_STATEMENT)
def values_insert(rows: int) -> str:
    """The ``INSERT`` of ``rows`` rows, each ``(k, *row)``.

    ``OR FAIL``: a failing constraint (the ``CHECK`` on ``k``) ends the statement and
    keeps the rows it had inserted, where the default ``ABORT`` takes them back. The
    store rolls the whole transaction back on any error anyway, and ``ABORT`` on a
    statement of many rows makes SQLite copy every page the statement changes into a
    statement journal first: that cost more than the statements saved (1M rows, writer
    CPU an event, same run: one row a statement 24.7 µs, 100 rows with ABORT 36.6, with
    FAIL 22.1)."""
    one = "(" + ", ".join(["?"] * 16) + ")"
    return (f"INSERT OR FAIL INTO events (k, {COLUMN_LIST}) VALUES "
            + ", ".join([one] * rows) + " ON CONFLICT (id) DO NOTHING")


def keyed_params(rows: Sequence[Row], stored: Sequence[tuple[int, str]]
                 ) -> tuple[list[Any], int]:
    """The parameters of :func:`values_insert` for ``rows`` (``k`` before each row), and
    how many rows they hold: those left after dropping the ones whose ``id`` is in
    ``stored`` (the ``(k, id)`` of every row stored in the rows' time range) or came
    before. Each row's ``k`` is the next free slot of its microsecond."""
    seen = {ident for _, ident in stored}
    top: dict[int, int] = {}
    for k, _ in stored:
        ts = k >> SLOT_BITS
        if k > top.get(ts, k - 1):
            top[ts] = k
    params: list[Any] = []
    count = 0
    for row in rows:
        ident = row[0]
        if ident in seen:
            continue
        seen.add(ident)
        ts = row[1]
        last = top.get(ts)
        k = top[ts] = (ts << SLOT_BITS) if last is None else last + 1
        params.append(k)
        params.extend(row)
        count += 1
    return params, count


def insert_rows(conn: sqlite3.Connection, rows: Sequence[Row]) -> None:
    """Insert ``rows`` inside the caller's write transaction, :data:`ROWS_PER_STATEMENT`
    at a time. Raises :class:`NotAsPlanned` (the caller rolls back and writes the batch
    with :data:`ROW_INSERT`) and ``sqlite3.IntegrityError`` as the plain way does."""
    at, total = 0, len(rows)
    while at < total:
        size = min(ROWS_PER_STATEMENT, 1 << ((total - at).bit_length() - 1))
        chunk = rows[at:at + size]
        at += size
        low = min(row[1] for row in chunk) << SLOT_BITS
        high = (max(row[1] for row in chunk) << SLOT_BITS) | ((1 << SLOT_BITS) - 1)
        stored = conn.execute(_STORED, (low, high)).fetchall()
        if len(stored) > MOST_STORED:
            conn.executemany(ROW_INSERT, chunk)
            continue
        params, count = keyed_params(chunk, stored)
        if count and conn.execute(values_insert(count), params).rowcount != count:
            raise NotAsPlanned
