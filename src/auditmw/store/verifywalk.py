"""The walk ``auditmw verify`` takes over a store's ``events``: every row, in chunks.

Chained rows come by ``(chain, seq, tiebreak)``, then the rows without a chain in the
table's order — the order :meth:`~auditmw.store.reader.SqlReader.iter_stored` reads
them in. Each backend's select holds the keyset values among the columns verify reads
anyway, so a chunk is handed over as fetched (no per-row slicing or re-yielding):
verify reads every row, and a few hundred nanoseconds a row is a good part of its time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from auditmw.store.schema import COLUMN_LIST

if TYPE_CHECKING:
    import psycopg

__all__ = ["postgres_rows", "walk"]

Row = tuple[Any, ...]
Fetch = Callable[[str, Sequence[Any]], list[Row]]
After = Callable[[Row], Sequence[Any]]


def walk(fetch: Fetch, select: str, ph: str, chunk_size: int, *, tiebreak: str,
         chained_after: After, loose_order: str, loose_after: After) -> Iterator[list[Row]]:
    """Chunks of ``select`` (``SELECT ... FROM events``, no clauses) over every row.
    ``tiebreak`` orders a chain's ties and ``loose_order`` the chainless rows;
    ``*_after`` give a row's keyset values (``chain, seq, tiebreak`` / ``loose_order``)."""
    size = int(chunk_size)
    marks = ", ".join([ph] * 3)
    chained = f"{select} WHERE chain IS NOT NULL AND seq IS NOT NULL"
    by_chain = f" ORDER BY chain, seq, {tiebreak} LIMIT {size}"
    rows = fetch(chained + by_chain, ())
    while True:
        yield rows
        if len(rows) < size:
            break
        rows = fetch(f"{chained} AND (chain, seq, {tiebreak}) > ({marks}){by_chain}",
                     chained_after(rows[-1]))
    unchained = f"{select} WHERE (chain IS NULL OR seq IS NULL)"
    by_order = f" ORDER BY {loose_order} LIMIT {size}"
    marks = ", ".join([ph] * (loose_order.count(",") + 1))
    rows = fetch(unchained + by_order, ())
    while True:
        yield rows
        if len(rows) < size:
            return
        rows = fetch(f"{unchained} AND ({loose_order}) > ({marks}){by_order}",
                     loose_after(rows[-1]))


_POSTGRES_SELECT = ("SELECT " + COLUMN_LIST.removesuffix("data")
                    + "convert_to(data, 'UTF8') FROM events")


def postgres_rows(conn: psycopg.Connection[Any], chunk_size: int) -> Iterator[Row]:
    """PostgreSQL's rows for verify: the :data:`~auditmw.store.schema.COLUMNS`, read in
    binary (no text parsed into numbers and times), ``data`` as its UTF-8 bytes."""
    cursor = conn.cursor(binary=True)

    def fetch(sql: str, params: Sequence[Any]) -> list[Row]:
        return cursor.execute(sql.encode(), params).fetchall()

    for rows in walk(fetch, _POSTGRES_SELECT, "%s", chunk_size, tiebreak="id",
                     chained_after=lambda row: (row[10], row[11], row[0]),
                     loose_order="ts, id", loose_after=lambda row: (row[1], row[0])):
        yield from rows
