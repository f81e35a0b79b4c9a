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

__all__ = ["keyset_pages", "postgres_rows", "walk"]

Row = tuple[Any, ...]
Fetch = Callable[[str, Sequence[Any]], list[Row]]
After = Callable[[Row], Sequence[Any]]


def walk(fetch: Fetch, select: str, ph: str, chunk_size: int, *, tiebreak: str,
         chained_after: After, loose_order: str, loose_after: After) -> Iterator[list[Row]]:
    """Chunks of ``select`` (``SELECT ... FROM events``, no clauses) over every row.
    ``tiebreak`` orders a chain's ties and ``loose_order`` the chainless rows;
    ``*_after`` give a row's keyset values (``chain, seq, tiebreak`` / ``loose_order``)."""
    size = int(chunk_size)
    yield from keyset_pages(fetch, select, where="chain IS NOT NULL AND seq IS NOT NULL",
                            params=(), order=f"chain, seq, {tiebreak}", ph=ph, size=size,
                            after=chained_after)
    yield from keyset_pages(fetch, select, where="(chain IS NULL OR seq IS NULL)",
                            params=(), order=loose_order, ph=ph, size=size,
                            after=loose_after)


def keyset_pages(fetch: Fetch, select: str, *, where: str, params: Sequence[Any],
                 order: str, ph: str, size: int, after: After) -> Iterator[list[Row]]:
    """Pages of ``select ... WHERE where`` (``params`` for its placeholders) by ``order``
    (a comma-separated column list), ``size`` rows each, each page after the last row of
    the one before: ``after(row)`` gives that row's values of the ``order`` columns.
    Verify's walk and :meth:`~auditmw.store.reader.SqlReader.iter_stored` both page so."""
    by_order = f" ORDER BY {order} LIMIT {size}"
    marks = ", ".join([ph] * (order.count(",") + 1))
    rows = fetch(f"{select} WHERE {where}{by_order}", params)
    while True:
        yield rows
        if len(rows) < size:
            return
        rows = fetch(f"{select} WHERE {where} AND ({order}) > ({marks}){by_order}",
                     [*params, *after(rows[-1])])


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
