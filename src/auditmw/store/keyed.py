"""SQLite's reads on its order key ``k`` (:mod:`auditmw.store.orderkey`).

The hooks of :class:`auditmw.store.reader.SqlReader`, SQLite's way: time bounds are
``k`` ranges (``k >= t << 10`` exactly when ``ts >= t``), a keyset position is a ``k``
(a cursor carries it), pages are ``ORDER BY k``, and a filter on a bucketed column
(actor, target, IP, tenant) is read one group of buckets at a time in scan order — the
rows of one group all come before the next group's, so the pages are the ones a single
ordered query would give. A cursor issued before schema 6 has no ``k``: its event's
``k`` is looked up by ``id`` (the upgrade gave ties their (ts, id) order, so it names the
same place); if that event is gone the cursor is refused, saying so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from auditmw.store.base import InvalidCursor, Query, StoredEvent
from auditmw.store.cursors import Cursor
from auditmw.store.orderkey import (
    BUCKET,
    MAX_TS,
    MIN_TS,
    SLOT_BITS,
    bucket,
    bucket_groups,
    floor_key,
    key_disagreement,
)
from auditmw.store.reader import Position, SqlReader
from auditmw.store.schema import COLUMN_LIST

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Filters SQLite indexes by ``(bucket, value)``: reads loop over the buckets. A tenant
#: (schema 7) is ``(bucket, tenant, event)``: its prefix serves a tenant alone.
_BUCKETED = ("ip", "actor", "target", "tenant")
_BUCKETED_TEST = re.compile(r"\b(?:actor_id|actor_name|target_id|target_name|client_ip|"
                            r"tenant) IN \([?, ]*\)")
_LOWEST, _HIGHEST = -(1 << 63), (1 << 63) - 1
_GONE = ("invalid cursor: it was issued before this store's upgrade to schema 6 and its "
         "event is no longer stored; start again from the first page")


def _clamped_floor(time_us: int) -> int:
    """``floor_key`` of a time clamped to what a key can hold (may be 2**63: beyond)."""
    return max(MIN_TS, min(time_us, MAX_TS + 1)) << SLOT_BITS


class KeyedReader(SqlReader):
    """``SqlReader`` over a table whose rowid ``k`` is the time order."""

    def _time_clause(self, op: str, time_us: int) -> tuple[str, Any] | None:
        if op == ">=":
            if time_us <= MIN_TS:
                return None
            return ("k > ?", _HIGHEST) if time_us > MAX_TS else ("k >= ?", floor_key(time_us))
        if time_us > MAX_TS:
            return None
        return ("k < ?", _LOWEST) if time_us <= MIN_TS else ("k < ?", floor_key(time_us))

    def _buckets(self, query: Query, span: tuple[int | None, int | None],
                 after: Position | None, descending: bool) -> list[list[int]] | None:
        if not any(getattr(query, name) for name in _BUCKETED):
            return None
        edges = self._fetch("SELECT (SELECT MIN(k) FROM events), (SELECT MAX(k) FROM events)",
                            ())[0]
        if edges[0] is None:
            return []
        low, high = int(edges[0]), int(edges[1])
        lower, end = span
        if lower is not None:
            low = max(low, _clamped_floor(lower))
        if end is not None:
            high = min(high, _clamped_floor(end) - 1)
        if after is not None:  # the cursor's own bucket is the first one visited
            at = max(_LOWEST, min(int(after[0]), _HIGHEST))
            if descending:
                high = min(high, at)
            else:
                low = max(low, at)
        return [] if low > high else bucket_groups(bucket(low), bucket(high), descending)

    def _in_buckets(self, clauses: Sequence[str], group: Sequence[int]) -> list[str]:
        # Each bucketed column's test gets the bucket list beside it — ``(k >> 49 IN
        # (..) AND actor_id IN (..)) OR (.. actor_name ..)`` — so every arm of an OR is
        # one seek per bucket and value in its own index (the planner does not carry a
        # bucket test from outside an OR into its arms).
        buckets = f"{BUCKET} IN ({', '.join(str(int(b)) for b in group)})"
        return [_BUCKETED_TEST.sub(lambda m: f"({buckets} AND {m.group(0)})", clause)
                for clause in clauses]

    def _count_sql(self, query: Query, clauses: list[str]) -> str:
        if query == Query() and clauses == ["k >= ?"]:
            # Everything within retention = the whole table less what is older than the
            # cutoff: SQLite counts a whole table from its smallest index at once, and
            # the older rows (what the next purge deletes) are a short rowid range.
            # 1M events: ~9 ms, against ~70 ms counting every index entry past the cut.
            return ("SELECT (SELECT COUNT(*) FROM events) - "
                    "(SELECT COUNT(*) FROM events WHERE k < ?)")
        if query == Query():
            # Retention per category or tenant: count the entries of the smallest index
            # (``+k``: the bound filters, not drives), a fraction of the pages a walk of
            # the table's k range reads.
            clauses = [("+" + c) if c.startswith("k ") else c for c in clauses]
        return super()._count_sql(query, clauses)

    def _after_clause(self, after: Position, descending: bool, inclusive: bool
                      ) -> tuple[str, list[Any]]:
        k, exact = int(after[0]), bool(after[1])
        if exact:
            op = ("<" if descending else ">") + ("=" if inclusive else "")
            return f"k {op} ?", [k]
        # Just below k (no row there): rows below k descending, from k on ascending.
        if k > _HIGHEST:
            return ("k <= ?", [_HIGHEST]) if descending else ("k > ?", [_HIGHEST])
        return ("k < ?", [k]) if descending else ("k >= ?", [k])

    def _position(self, anchor: Cursor) -> Position:
        if anchor.k is not None:
            if anchor.k >> SLOT_BITS != anchor.time_us:
                raise InvalidCursor(_GONE)
            return (anchor.k, True)
        if not anchor.id:  # an edge (the last page's backward cursor): no event there
            return (_clamped_floor(anchor.time_us), False)
        rows = self._fetch("SELECT k FROM events WHERE id = ?", (anchor.id,))
        if not rows or int(rows[0][0]) >> SLOT_BITS != anchor.time_us:
            raise InvalidCursor(_GONE)
        return (int(rows[0][0]), True)

    def _row_position(self, row: Sequence[Any]) -> Position:
        return (int(row[3]), True)

    def _cursor(self, row: Sequence[Any], order: str, forward: bool) -> Cursor:
        return Cursor(int(row[0]), row[1], order, forward, k=int(row[3]))

    def _slice_sql(self, where: str, direction: str, limit: int, *,
                   bucketed: bool = False) -> str:
        if bucketed:
            # Matches come unordered from several seeks: sort keys, not rows. ``+k``: the
            # order is never taken from walking another index in time order, which the
            # planner prefers for a group of many buckets and which reads every entry of
            # that value (1M events, a tenant's rare event: 0.5 → 24 ms through
            # ``(event)`` instead of seeking ``(bucket, tenant, event)``).
            return (f"SELECT ts, id, data, k FROM events WHERE k IN (SELECT k FROM events"
                    f"{where} ORDER BY +k {direction} LIMIT {int(limit)}) ORDER BY k "
                    f"{direction}")
        return (f"SELECT ts, id, data, k FROM events{where} ORDER BY k {direction} "
                f"LIMIT {int(limit)}")

    # -- verify's walk: the key is checked against ts too ------------------------------

    _stored_columns = f"k, {COLUMN_LIST}"

    def _stored(self, row: Sequence[Any]) -> StoredEvent:
        found = super()._stored(row[1:])
        why = key_disagreement(row[0], row[2])
        if why is None:
            return found
        return StoredEvent(found.id, found.event, [*found.disagreements, why])

    _chain_tiebreak = "k"
    _loose_order = ("k",)
