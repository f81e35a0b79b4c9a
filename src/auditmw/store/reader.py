"""The read side both SQL backends share: filters, keyset pages, streaming.

A backend supplies ``_fetch(sql, params)`` and two time conversions; the SQL here is
plain enough for SQLite and PostgreSQL alike (row-value comparisons, ``IN`` lists).
Positions are ``(ts, id)``; SQLite's :class:`auditmw.store.keyed.KeyedReader` overrides
the few hooks that put them (and time ranges) on its order key ``k`` instead.
Every read adds the retention rule (``ts >= now - retention_days``, or per category and
tenant with legal holds: :func:`auditmw.store.retention.live_clause`), so expired events
are never returned whether or not the purge has run.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.store.base import (
    ORDERS,
    EventDict,
    Order,
    Page,
    Query,
    StoredEvent,
    StoreError,
)
from auditmw.store.cursors import Cursor
from auditmw.store.holds import HoldsAndLinks
from auditmw.store.retention import RetentionPolicy, live_clause
from auditmw.store.rows import column_disagreements, column_text, datetime_to_us
from auditmw.store.schema import COLUMN_LIST, CURSOR_KEY
from auditmw.store.verifywalk import keyset_pages

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("event", ("event",)),
    ("category", ("category",)),
    ("outcome", ("outcome",)),
    ("ip", ("client_ip",)),
    ("actor", ("actor_id", "actor_name")),
    ("target", ("target_id", "target_name")),
    ("tenant", ("tenant",)),
)
#: A keyset position: ``(ts, id)`` here (SQLite: ``(k, exact)``, :mod:`.keyed`).
Position = tuple[Any, ...]


class SqlReader(HoldsAndLinks):
    """Mixin: ``query``/``count``/``iter_events``/``iter_by_chain`` over table ``events``."""

    retention_days: int
    retention: RetentionPolicy
    placeholder: str = "?"
    #: Rows the last purge kept although past the cut by ``ts`` (they did not prove it:
    #: see :mod:`auditmw.store.purging`); ``auditmw purge`` exits 1 when there are any.
    last_purge_kept: int = 0

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        raise NotImplementedError

    # -- cursors ------------------------------------------------------------------------

    def _cursor_key(self) -> bytes:
        """The key this store signs its cursors with, made the first time it is needed
        (by whichever process gets there first; every other one reads that one)."""
        key: bytes | None = getattr(self, "_cursor_secret", None)
        if key is None:
            ph = self.placeholder
            select = f"SELECT value FROM auditmw_meta WHERE key = {ph}"
            rows = self._fetch(select, (CURSOR_KEY,))
            if not rows:
                self._execute(f"INSERT INTO auditmw_meta (key, value) VALUES ({ph}, {ph}) "
                              "ON CONFLICT (key) DO NOTHING",
                              (CURSOR_KEY, secrets.token_hex(32)))
                rows = self._fetch(select, (CURSOR_KEY,))
            key = bytes.fromhex(str(rows[0][0]))
            self._cursor_secret = key
        return key

    def encode_cursor(self, cursor: Cursor) -> str:
        """``cursor`` as the opaque text clients pass back, signed by this store."""
        return cursor.encode(self._cursor_key())

    def decode_cursor(self, text: str, order: str) -> Cursor:
        """The position ``text`` names; :class:`InvalidCursor` unless this store issued
        it for ``order``."""
        return Cursor.decode(text, order, self._cursor_key())

    def _time_param(self, time_us: int) -> Any:
        return time_us

    def _time_value(self, value: Any) -> int:
        return int(value)

    # -- building blocks ------------------------------------------------------------

    def cutoff_us(self, now: datetime | None = None) -> int:
        """Events older than this (microseconds since the epoch) are expired under the
        default retention (categories and tenants may differ: :meth:`live_clause`)."""
        moment = now or datetime.now(UTC)
        return datetime_to_us(moment - timedelta(days=self.retention_days))

    def live_clause(self, now: datetime | None = None, *, fresh: bool = False
                    ) -> tuple[str, list[Any]]:
        """SQL true for events still kept (retention per category and tenant, legal
        holds), with its parameters."""
        return live_clause(self.retention, self.active_holds(fresh=fresh), now,
                           self.placeholder, self._time_param)

    def _where(self, query: Query, *, include_expired: bool = False
               ) -> tuple[list[str], list[Any]]:
        clauses, params, _ = self._bounds(query, include_expired=include_expired)
        return clauses, params

    def _time_clause(self, op: str, time_us: int) -> tuple[str, Any] | None:
        """``ts >= t`` / ``ts < t`` as SQL on this backend (``None``: always true)."""
        return f"ts {op} {self.placeholder}", self._time_param(time_us)

    def _bounds(self, query: Query, *, include_expired: bool = False
                ) -> tuple[list[str], list[Any], tuple[int | None, int | None]]:
        """The WHERE clauses and parameters of ``query``, and its time range (µs,
        ``[lower, end)``, ``None`` when open)."""
        ph = self.placeholder
        clauses: list[str] = []
        params: list[Any] = []
        lower = None
        if not include_expired:
            holds = self.active_holds()
            if self.retention.simple and not holds:  # one period for all: one bound
                lower = self.cutoff_us()
            else:
                live, live_params = self.live_clause()
                clauses.append(live)
                params.extend(live_params)
        if query.start is not None:
            start = datetime_to_us(query.start)
            lower = start if lower is None else max(lower, start)
        bound = None if lower is None else self._time_clause(">=", lower)
        if bound is not None:
            clauses.insert(0, bound[0])
            params.insert(0, bound[1])
        end = None if query.end is None else datetime_to_us(query.end)
        bound = None if end is None else self._time_clause("<", end)
        if bound is not None:
            clauses.append(bound[0])
            params.append(bound[1])
        for attribute, columns in _FILTERS:
            # compared as the columns hold them (NUL, lone surrogates: rows.column_text)
            values = tuple(dict.fromkeys(map(column_text, getattr(query, attribute))))
            if not values:
                continue
            marks = ", ".join([ph] * len(values))
            ors = [f"{column} IN ({marks})" for column in columns]
            clauses.append(ors[0] if len(ors) == 1 else "(" + " OR ".join(ors) + ")")
            for _ in columns:
                params.extend(values)
            clauses.extend(self._implied(attribute, values))
        return clauses, params, (lower, end)

    def _implied(self, attribute: str, values: tuple[str | None, ...]) -> list[str]:
        """Clauses (no parameters) that the filter ``attribute IN values`` implies, said
        in the SQL so the planner may use a partial index whose predicate a parameter
        cannot prove: they never change which rows match."""
        return []

    # Positions: ``(ts, id)`` here; SQLite's :class:`auditmw.store.keyed.KeyedReader`
    # puts them on its order key and reads bucketed indexes a group at a time.

    def _buckets(self, query: Query, span: tuple[int | None, int | None],
                 after: Position | None, descending: bool) -> list[list[int]] | None:
        """The groups of index buckets a read visits in turn; ``None``: one query."""
        return None

    def _in_buckets(self, clauses: Sequence[str], group: Sequence[int]) -> list[str]:
        """``clauses`` restricted to the buckets of ``group``."""
        raise NotImplementedError

    def _count_sql(self, query: Query, clauses: list[str]) -> str:
        """The statement ``count`` runs over ``clauses`` (a backend may steer the plan)."""
        return f"SELECT COUNT(*) FROM events{self._sql_where(clauses)}"

    def _after_clause(self, after: Position, descending: bool, inclusive: bool
                      ) -> tuple[str, list[Any]]:
        ph = self.placeholder
        op = ("<" if descending else ">") + ("=" if inclusive else "")
        return f"(ts, id) {op} ({ph}, {ph})", [self._time_param(after[0]), after[1]]

    def _position(self, anchor: Cursor) -> Position:
        """Where a cursor points, on this backend."""
        return (anchor.time_us, anchor.id)

    def _row_position(self, row: Sequence[Any]) -> Position:
        """The position of a ``_slice`` row."""
        return (self._time_value(row[0]), row[1])

    def _cursor(self, row: Sequence[Any], order: str, forward: bool) -> Cursor:
        return Cursor(self._time_value(row[0]), row[1], order, forward)

    def _slice_sql(self, where: str, direction: str, limit: int, *,
                   bucketed: bool = False) -> str:
        return (f"SELECT ts, id, data FROM events{where} "
                f"ORDER BY ts {direction}, id {direction} LIMIT {int(limit)}")

    @staticmethod
    def _sql_where(clauses: Sequence[str]) -> str:
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""

    # -- the read API ------------------------------------------------------------------

    def count(self, query: Query) -> int:
        clauses, params, span = self._bounds(query)
        groups = self._buckets(query, span, None, False)
        if groups is not None:
            if not groups:
                return 0
            clauses = self._in_buckets(clauses, [b for group in groups for b in group])
        rows = self._fetch(self._count_sql(query, clauses), params)
        return int(rows[0][0])

    def _slice(self, query: Query, *, descending: bool, after: Position | None,
               inclusive: bool, limit: int) -> list[tuple[Any, ...]]:
        """Rows ``(ts, id, data)`` (SQLite: ``(ts, id, data, k)``) from position
        ``after`` (exclusive unless ``inclusive``) in scan direction ``descending``."""
        clauses, params, span = self._bounds(query)
        if after is not None:
            # First: SQLite starts a rowid range at the *first* bound on that side and
            # filters by the rest, and the position is the tight one (appended after the
            # retention bound, every ascending page scanned from the cutoff: an export
            # was quadratic). PostgreSQL combines bounds whatever their order.
            clause, values = self._after_clause(after, descending, inclusive)
            clauses.insert(0, clause)
            params[0:0] = values
        direction = "DESC" if descending else "ASC"
        groups = self._buckets(query, span, after, descending)
        if groups is None:
            return self._fetch(self._slice_sql(self._sql_where(clauses), direction, limit),
                               params)
        rows: list[tuple[Any, ...]] = []
        for group in groups:  # in scan order: each group's rows follow the previous one's
            where = self._sql_where(self._in_buckets(clauses, group))
            rows += self._fetch(self._slice_sql(where, direction, limit - len(rows),
                                                bucketed=True), params)
            if len(rows) >= limit:
                break
        return rows

    def query(self, query: Query, *, order: Order = "desc", limit: int = 100,
              cursor: str | None = None, with_total: bool = True) -> Page:
        if order not in ORDERS:
            raise StoreError(f"order must be 'asc' or 'desc', not {order!r}")
        if limit < 1:
            raise StoreError(f"limit must be at least 1, not {limit}")
        anchor = self.decode_cursor(cursor, order) if cursor else None
        forward = anchor is None or anchor.forward
        descending = (order == "desc") == forward
        rows = self._slice(
            query, descending=descending,
            after=None if anchor is None else self._position(anchor),
            inclusive=bool(anchor and anchor.inclusive), limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        if not forward:
            rows.reverse()
        has_next, has_prev = (more, anchor is not None) if forward else (True, more)
        items = [codec.loads(row[2]) for row in rows]
        next_cursor = prev_cursor = None
        if rows:
            first, last = rows[0], rows[-1]
            if has_next:
                next_cursor = self.encode_cursor(self._cursor(last, order, True))
            if has_prev:
                prev_cursor = self.encode_cursor(self._cursor(first, order, False))
        elif anchor is not None:
            # An empty page reached by a cursor: offer the way back to the anchor row.
            back = Cursor(anchor.time_us, anchor.id, order, not forward, inclusive=True,
                          k=anchor.k)
            if forward:
                prev_cursor = self.encode_cursor(back)
            else:
                next_cursor = self.encode_cursor(back)
        total = self.count(query) if with_total else None
        return Page(items=items, next=next_cursor, prev=prev_cursor, total=total,
                    limit=limit)

    def iter_events(self, query: Query, *, order: Order = "asc",
                    chunk_size: int = 1000) -> Iterator[EventDict]:
        if order not in ORDERS:
            raise StoreError(f"order must be 'asc' or 'desc', not {order!r}")
        chunk_size = max(1, int(chunk_size))
        after: Position | None = None
        while True:
            rows = self._slice(query, descending=order == "desc", after=after,
                               inclusive=False, limit=chunk_size)
            for row in rows:
                yield codec.loads(row[2])
            if len(rows) < chunk_size:
                return
            after = self._row_position(rows[-1])

    def iter_by_chain(self, include_expired: bool = True,
                      chunk_size: int = 1000) -> Iterator[EventDict]:
        for row in self._rows_by_chain("data", include_expired, chunk_size):
            yield codec.loads(row[-1])

    def iter_stored(self, include_expired: bool = True,
                    chunk_size: int = 1000) -> Iterator[StoredEvent]:
        for row in self._rows_by_chain(self._stored_columns, include_expired, chunk_size):
            yield self._stored(row)

    #: What :meth:`iter_stored` reads of each row (SQLite adds its order key).
    _stored_columns = COLUMN_LIST

    def _stored(self, row: Sequence[Any]) -> StoredEvent:
        stored = list(row[:-1])
        stored[1] = self._time_value(stored[1])
        event, disagreements = column_disagreements(stored, row[-1])
        return StoredEvent(str(row[0]), event, disagreements)

    #: The tiebreak after ``(chain, seq)``, and the order of the rows without a chain
    #: (SQLite's :class:`auditmw.store.keyed.KeyedReader`: its order key ``k``).
    _chain_tiebreak = "id"
    _loose_order: tuple[str, ...] = ("ts", "id")

    def _rows_by_chain(self, columns: str, include_expired: bool,
                       chunk_size: int) -> Iterator[tuple[Any, ...]]:
        """Rows (``columns``, led by the keyset columns) by ``(chain, seq, tiebreak)``,
        then the rows without a chain in the table's order; the keyset columns are cut
        off."""
        ph, size = self.placeholder, int(chunk_size)
        clauses, params = self._where(Query(), include_expired=include_expired)
        where = "".join(f"{clause} AND " for clause in clauses)
        chain_key = f"chain, seq, {self._chain_tiebreak}"
        for rows in keyset_pages(  # chained events by (chain, seq, tiebreak)
                self._fetch, f"SELECT {chain_key}, {columns} FROM events",
                where=f"{where}chain IS NOT NULL AND seq IS NOT NULL", params=params,
                order=chain_key, ph=ph, size=size, after=lambda row: row[:3]):
            for row in rows:
                yield row[3:]
        order = ", ".join(self._loose_order)
        width = len(self._loose_order)
        for rows in keyset_pages(  # then events that carry no chain, in the table's order
                self._fetch, f"SELECT {order}, {columns} FROM events",
                where=f"{where}(chain IS NULL OR seq IS NULL)", params=params,
                order=order, ph=ph, size=size, after=lambda row: row[:width]):
            for row in rows:
                yield row[width:]
