"""Legal holds and purge links, as both SQL backends keep them (tables in
:mod:`auditmw.store.schema`, version 5).

A hold is plain data here; *recording* one (the audit event, the checkpoint) is
:mod:`auditmw.holds`' job, so the store never needs the integrity key.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.ids import format_time, uuid7
from auditmw.store.base import StoreError
from auditmw.store.purging import PurgePlan
from auditmw.store.retention import Hold, RetentionPolicy, expired, live_clause
from auditmw.store.rows import datetime_to_us, us_to_datetime

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from auditmw.store.base import PurgeHook

#: Reads see a hold added by another process within this many seconds (a purge always
#: reads the table afresh).
HOLDS_CACHE_S = 5.0


class HoldsAndLinks:
    """Mixin for :class:`auditmw.store.reader.SqlReader`: the ``holds`` and ``links``
    tables."""

    placeholder: str = "?"
    retention: RetentionPolicy
    _holds_cache: tuple[float, list[Hold]] | None = None

    def _time_param(self, time_us: int) -> Any:
        raise NotImplementedError

    def _time_value(self, value: Any) -> int:
        raise NotImplementedError

    def _fetch(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        raise NotImplementedError

    # -- holds ----------------------------------------------------------------------

    def holds(self, *, include_removed: bool = False) -> list[Hold]:
        """Every active hold (and the lifted ones too with ``include_removed``),
        oldest first."""
        where = "" if include_removed else " WHERE removed_us IS NULL"
        rows = self._fetch("SELECT id, tenant, category, reason, created_us, removed_us "
                           f"FROM holds{where} ORDER BY created_us, id", ())
        return [Hold(str(r[0]), str(r[1]), None if r[2] is None else str(r[2]), str(r[3]),
                     format_time(us_to_datetime(int(r[4]))),
                     None if r[5] is None else format_time(us_to_datetime(int(r[5]))))
                for r in rows]

    def active_holds(self, *, fresh: bool = False) -> list[Hold]:
        """The active holds, read at most every :data:`HOLDS_CACHE_S` unless ``fresh``."""
        cached = self._holds_cache
        now = time.monotonic()
        if fresh or cached is None or now - cached[0] > HOLDS_CACHE_S:
            cached = (now, self.holds())
            self._holds_cache = cached
        return cached[1]

    def add_hold(self, tenant: str, category: str | None = None, reason: str = "",
                 now: datetime | None = None) -> Hold:
        if not tenant:
            raise StoreError("a legal hold needs a tenant")
        moment = now or datetime.now(UTC)
        hold = Hold(uuid7(), tenant, category or None, reason, format_time(moment))
        ph = self.placeholder
        self._execute("INSERT INTO holds (id, tenant, category, reason, created_us) "
                      f"VALUES ({ph}, {ph}, {ph}, {ph}, {ph})",
                      (hold.id, hold.tenant, hold.category, hold.reason,
                       datetime_to_us(moment)))
        self._holds_cache = None
        return hold

    def remove_hold(self, hold_id: str, now: datetime | None = None) -> Hold:
        """Lift an active hold; :class:`StoreError` if there is none with that id."""
        ph = self.placeholder
        found = [h for h in self.holds() if h.id == hold_id]
        if not found:
            raise StoreError(f"no active legal hold with id {hold_id!r}")
        moment = now or datetime.now(UTC)
        self._execute(f"UPDATE holds SET removed_us = {ph} WHERE id = {ph} "
                      "AND removed_us IS NULL", (datetime_to_us(moment), hold_id))
        self._holds_cache = None
        held = found[0]
        return Hold(held.id, held.tenant, held.category, held.reason, held.created,
                    format_time(moment))

    # -- the purge's side -------------------------------------------------------------

    def purge_plan(self, now: datetime | None, on_purge: PurgeHook | None
                   ) -> tuple[PurgePlan, str, list[Any]]:
        """A plan for purging at ``now``, and the SQL condition (with parameters) that
        picks its candidates: past the shortest retention and not kept by the rule
        the reads use (:func:`auditmw.store.retention.live_clause`), read afresh."""
        ph = self.placeholder
        holds = self.active_holds(fresh=True)
        live, params = live_clause(self.retention, holds, now, ph, self._time_param)

        def first_live(chain: str) -> int | None:
            rows = self._fetch(f"SELECT seq FROM events WHERE chain = {ph} AND seq IS NOT "
                               f"NULL AND {live} ORDER BY seq LIMIT 1", [chain, *params])
            return int(rows[0][0]) if rows else None

        plan = PurgePlan(self.retention, on_purge, holds=holds, now=now,
                         first_live=first_live)
        return plan, f"ts < {ph} AND NOT ({live})", [self._time_param(plan.cutoff_us),
                                                      *params]

    def _store_links(self, execute: Any, plan: PurgePlan, with_checkpoint: bool) -> None:
        """Store the plan's new links (``execute(sql, params)`` on the purge's
        transaction), and with the checkpoint drop the links its prefix covers."""
        ph = self.placeholder
        for row in link_rows(plan.take_links()):
            execute(LINK_INSERT.format(ph=ph), row)
        if with_checkpoint:
            for chain, last in plan.chains.items():
                execute(f"DELETE FROM links WHERE chain = {ph} AND seq <= {ph}",
                        (chain, last["seq"]))

    # -- a tenant's export (auditmw.integrity.excerpt) ----------------------------------

    def tenant_chain_starts(self, tenant: str) -> dict[str, int]:
        """Per chain, the ``seq`` of ``tenant``'s first event still kept in it."""
        ph = self.placeholder
        live, params = live_clause(self.retention, self.active_holds(fresh=True), None, ph,
                                   self._time_param)
        rows = self._fetch(f"SELECT chain, MIN(seq) FROM events WHERE tenant = {ph} AND "
                           f"chain IS NOT NULL AND seq IS NOT NULL AND {live} "
                           "GROUP BY chain", [tenant, *params])
        return {str(r[0]): int(r[1]) for r in rows}

    def chain_rows(self, chain: str, first_seq: int, chunk_size: int = 1000
                   ) -> Iterator[tuple[int, str, str | None, bool, str]]:
        """``(seq, hash, tenant, kept, data)`` of each event of ``chain`` from
        ``first_seq`` on, by ``seq`` (``kept``: a read would return it)."""
        ph = self.placeholder
        holds = self.active_holds()
        after: tuple[Any, ...] = (first_seq, "")
        while True:
            rows = self._fetch(
                f"SELECT seq, id, hash, tenant, category, ts, data FROM events WHERE chain "
                f"= {ph} AND (seq, id) > ({ph}, {ph}) ORDER BY seq, id "
                f"LIMIT {int(chunk_size)}", [chain, *after])
            for seq, _, hashed, tenant, category, ts, data in rows:
                live = not expired(self.retention, holds, None, self._time_value(ts),
                                   tenant=tenant, category=category)
                yield int(seq), str(hashed), tenant, live, str(data)
            if len(rows) < chunk_size:
                return
            after = (rows[-1][0], rows[-1][1])

    # -- links ----------------------------------------------------------------------

    def links(self, chain: str | None = None, first_seq: int = 0,
              chunk_size: int = 1000) -> Iterator[dict[str, Any]]:
        """The link records purges left, by ``(chain, seq)`` (one chain's from
        ``first_seq`` on, with ``chain``)."""
        ph = self.placeholder
        position: tuple[Any, ...] | None = None
        while True:
            clauses = [f"chain = {ph} AND seq >= {ph}"] if chain is not None else []
            params: list[Any] = [chain, first_seq] if chain is not None else []
            if position is not None:
                clauses.append(f"(chain, seq) > ({ph}, {ph})")
                params.extend(position)
            where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
            rows = self._fetch(f"SELECT chain, seq, record FROM links{where} "
                               f"ORDER BY chain, seq LIMIT {int(chunk_size)}", params)
            for row in rows:
                yield codec.loads(row[2])
            if len(rows) < chunk_size:
                return
            position = (rows[-1][0], rows[-1][1])


def link_rows(records: Sequence[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """``links`` rows for link records (as :mod:`auditmw.integrity.links` makes them)."""
    return [(str(r["chain"]), int(r["seq"]), codec.dumps_str(r)) for r in records]


LINK_INSERT = "INSERT INTO links (chain, seq, record) VALUES ({ph}, {ph}, {ph}) " \
              "ON CONFLICT (chain, seq) DO NOTHING"
