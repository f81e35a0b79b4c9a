"""Which rows past the retention cut a purge may delete, and what its checkpoint says.

The purge selects rows by the ``ts`` column, but it deletes (and writes into its signed
checkpoint) only rows that prove they are expired on their own: every column agrees
with the row's JSON — so its *own* signed ``time`` is past the cut — and, when the purge
hook can check signatures (:class:`auditmw.integrity.checkpoint.PurgeCheckpointer`),
its hash verifies. A row backdated in its ``ts`` column, relabelled, or altered is kept,
named in an error on the ``auditmw.store`` logger, and left for ``auditmw verify``:
a purge must never turn tampering into a signed, verifying gap.

Retention differs per category and tenant, and legal holds keep events however old
(:mod:`auditmw.store.retention`), so a purge may delete events from the *middle* of a
chain. Per chain, rows below the first event that stays are the checkpoint's "purged
through" prefix, as before; each deleted row above it leaves a signed **link** (its
``chain``, ``seq``, ``prev`` and ``hash``, no content; ``links`` table), written in
the same transaction as its delete, so the chain still links across the hole and
``auditmw verify`` can tell that hole from a deletion. Each checkpoint drops the links
its prefix now covers.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from auditmw.ids import format_time
from auditmw.store.base import safe_url
from auditmw.store.retention import RetentionPolicy, cut_us, expired
from auditmw.store.rows import column_disagreements, us_to_datetime

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import datetime

    from auditmw.store.base import PurgeHook
    from auditmw.store.retention import Hold

    #: ``first_live(chain)``: the lowest ``seq`` of that chain the purge keeps (``None``
    #: when it keeps none), asked once per chain the purge touches.
    FirstLive = Callable[[str], "int | None"]

log = logging.getLogger("auditmw.store")

#: Rows looked at per round trip while a purge walks the expired stretch.
CHUNK = 2000
_NAMED = 20  # refused rows named in the log (all are counted)


class PurgePlan:
    """Judge each candidate row (:data:`auditmw.store.schema.COLUMNS`, ``ts`` as
    microseconds); collects, per chain, the last event of the purged prefix for the
    checkpoint, and the links of rows purged above it."""

    def __init__(self, policy: RetentionPolicy | int, on_purge: PurgeHook | None, *,
                 holds: Sequence[Hold] = (), now: datetime | None = None,
                 first_live: FirstLive | None = None) -> None:
        self.policy = RetentionPolicy.of(policy)
        self.holds = list(holds)
        self.now = now
        #: Rows past this cut (the shortest retention) are the purge's candidates.
        self.cutoff_us = cut_us(now, self.policy.shortest())
        self.on_purge = on_purge
        self._check = getattr(on_purge, "check_event", None)
        self._link = getattr(on_purge, "link", None)
        self._first_live = first_live
        self._firsts: dict[str, int | None] = {}
        self.chains: dict[str, dict[str, Any]] = {}
        self.links: list[dict[str, Any]] = []  # made, not yet stored
        self.refused: list[tuple[str, str]] = []
        self.admitted = 0

    def admit(self, row: Sequence[Any]) -> bool:
        ident, time_us = str(row[0]), int(row[1])
        event, disagreements = column_disagreements(row[:-1], row[-1])
        why = disagreements[0] if disagreements else None
        # The columns agree with the JSON here, so tenant and category are the signed ones.
        if why is None and not expired(self.policy, self.holds, self.now, time_us,
                                       tenant=row[13], category=row[3]):
            why = "its own time is not past its retention (or a legal hold keeps it)"
        if why is None and self._check is not None and event is not None:
            why = self._check(event, row[-1])
        if why is not None:
            self.refused.append((ident, why))
            return False
        self.admitted += 1
        if row[10] is not None and row[11] is not None and row[12]:
            self._note_chained(row, event)
        return True

    def _note_chained(self, row: Sequence[Any], event: dict[str, Any] | None) -> None:
        ident, time_us = str(row[0]), int(row[1])
        chain, seq, hashed = str(row[10]), int(row[11]), str(row[12])
        if chain not in self._firsts:
            self._firsts[chain] = (self._first_live(chain) if self._first_live is not None
                                   else None)
        first = self._firsts[chain]
        if first is not None and seq > first:  # from the middle: it leaves a link
            integrity = (event or {}).get("integrity") or {}
            if self._link is not None:
                self.links.append(self._link(chain, seq, str(integrity.get("prev")),
                                             hashed))
            return
        last = self.chains.get(chain)
        if last is None or seq > last["seq"]:
            self.chains[chain] = {"seq": seq, "hash": hashed, "id": ident, "time": time_us}

    def refuse(self, ident: str, why: str) -> None:
        """Keep a candidate for a reason found outside :meth:`admit` (SQLite: its order
        key does not match its ``ts``)."""
        self.refused.append((ident, why))

    def take_links(self) -> list[dict[str, Any]]:
        """The links made since the last call, to store with the deletes."""
        links, self.links = self.links, []
        return links

    def checkpoint(self) -> dict[str, Any] | None:
        """The record to store with the deletes (``None``: nothing to checkpoint)."""
        if self.on_purge is None or not self.chains:
            return None
        return self.on_purge({chain: {**last, "time": format_time(us_to_datetime(last["time"]))}
                              for chain, last in self.chains.items()})

    def report(self, url: str) -> None:
        """Say loudly which rows were kept although past the cut by their ``ts``."""
        if not self.refused:
            return
        named = "; ".join(f"{ident}: {why}" for ident, why in self.refused[:_NAMED])
        more = (f" (and {len(self.refused) - _NAMED} more)"
                if len(self.refused) > _NAMED else "")
        log.error("auditmw: the purge of %s kept %d event(s) past the retention cut that "
                  "do not prove it on their own — tampering? run `auditmw verify --store`: "
                  "%s%s", safe_url(url), len(self.refused), named, more)


def judged(plan: PurgePlan, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """The rows of one chunk the plan admits."""
    return [row for row in rows if plan.admit(row)]

