"""The read side both SQL backends share: filters, keyset pages, streaming.

A backend supplies ``_fetch(sql, params)`` and two time conversions; the SQL here is
plain enough for SQLite and PostgreSQL alike (row-value comparisons, ``IN`` lists).
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
        if lower is not None:
            clauses.insert(0, f"ts >= {ph}")
            params.insert(0, self._time_param(lower))
        if query.end is not None:
            clauses.append(f"ts < {ph}")
            params.append(self._time_param(datetime_to_us(query.end)))
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
        return clauses, params

    @staticmethod
    def _sql_where(clauses: Sequence[str]) -> str:
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""

    # -- the read API ------------------------------------------------------------------

    def count(self, query: Query) -> int:
        clauses, params = self._where(query)
        rows = self._fetch(f"SELECT COUNT(*) FROM events{self._sql_where(clauses)}", params)
        return int(rows[0][0])

    def _slice(self, query: Query, *, descending: bool, after: tuple[int, str] | None,
               inclusive: bool, limit: int) -> list[tuple[Any, ...]]:
        """Rows ``(ts, id, data)`` from position ``after`` (exclusive unless
        ``inclusive``) in scan direction ``descending``."""
        clauses, params = self._where(query)
        if after is not None:
            ph = self.placeholder
            op = ("<" if descending else ">") + ("=" if inclusive else "")
            clauses.append(f"(ts, id) {op} ({ph}, {ph})")
            params.extend((self._time_param(after[0]), after[1]))
        direction = "DESC" if descending else "ASC"
        sql = (f"SELECT ts, id, data FROM events{self._sql_where(clauses)} "
               f"ORDER BY ts {direction}, id {direction} LIMIT {int(limit)}")
        return self._fetch(sql, params)

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
            after=None if anchor is None else (anchor.time_us, anchor.id),
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
                next_cursor = self.encode_cursor(
                    Cursor(self._time_value(last[0]), last[1], order, True))
            if has_prev:
                prev_cursor = self.encode_cursor(
                    Cursor(self._time_value(first[0]), first[1], order, False))
        elif anchor is not None:
            # An empty page reached by a cursor: offer the way back to the anchor row.
            back = Cursor(anchor.time_us, anchor.id, order, not forward, inclusive=True)
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
        after: tuple[int, str] | None = None
        while True:
            rows = self._slice(query, descending=order == "desc", after=after,
                               inclusive=False, limit=chunk_size)
            for row in rows:
                yield codec.loads(row[2])
            if len(rows) < chunk_size:
                return
            after = (self._time_value(rows[-1][0]), rows[-1][1])

    def iter_by_chain(self, include_expired: bool = True,
                      chunk_size: int = 1000) -> Iterator[EventDict]:
        for row in self._rows_by_chain("data", include_expired, chunk_size):
            yield codec.loads(row[-1])

    def iter_stored(self, include_expired: bool = True,
                    chunk_size: int = 1000) -> Iterator[StoredEvent]:
        for row in self._rows_by_chain(COLUMN_LIST, include_expired, chunk_size):
            stored = list(row[:-1])
            stored[1] = self._time_value(stored[1])
            event, disagreements = column_disagreements(stored, row[-1])
            yield StoredEvent(str(row[0]), event, disagreements)

    def _rows_by_chain(self, columns: str, include_expired: bool,
                       chunk_size: int) -> Iterator[tuple[Any, ...]]:
        """Rows (``columns``, led by the keyset columns) by ``(chain, seq, id)``, then
        the rows without a chain by ``(ts, id)``; the keyset columns are cut off."""
        ph = self.placeholder
        clauses, base_params = self._where(Query(), include_expired=include_expired)
        chained = [*clauses, "chain IS NOT NULL", "seq IS NOT NULL"]
        position: tuple[Any, ...] | None = None
        while True:  # chained events by (chain, seq, id), a chunk at a time
            extra = [f"(chain, seq, id) > ({ph}, {ph}, {ph})"] if position else []
            rows = self._fetch(
                f"SELECT chain, seq, id, {columns} FROM events"
                f"{self._sql_where(chained + extra)} ORDER BY chain, seq, id "
                f"LIMIT {chunk_size}", [*base_params, *(position or ())])
            for row in rows:
                yield row[3:]
            if len(rows) < chunk_size:
                break
            position = rows[-1][:3]
        loose = [*clauses, "(chain IS NULL OR seq IS NULL)"]
        after: tuple[Any, ...] | None = None
        while True:  # then events that carry no chain, by (time, id)
            extra = [f"(ts, id) > ({ph}, {ph})"] if after else []
            rows = self._fetch(
                f"SELECT ts, id, {columns} FROM events{self._sql_where(loose + extra)}"
                f" ORDER BY ts, id LIMIT {chunk_size}", [*base_params, *(after or ())])
            for row in rows:
                yield row[2:]
            if len(rows) < chunk_size:
                return
            after = rows[-1][:2]
