"""Which rows past the retention cut a purge may delete, and what its checkpoint says.

The purge selects rows by the ``ts`` column, but it deletes (and writes into its signed
checkpoint) only rows that prove they are expired on their own: every column agrees
with the row's JSON — so its *own* signed ``time`` is past the cut — and, when the purge
hook can check signatures (:class:`auditmw.integrity.checkpoint.PurgeCheckpointer`),
its hash verifies. A row backdated in its ``ts`` column, relabelled, or altered is kept,
named in an error on the ``auditmw.store`` logger, and left for ``auditmw verify``:
a purge must never turn tampering into a signed, verifying gap.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from auditmw.ids import format_time
from auditmw.store.base import safe_url
from auditmw.store.rows import column_disagreements, us_to_datetime

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditmw.store.base import PurgeHook

log = logging.getLogger("auditmw.store")

#: Rows looked at per round trip while a purge walks the expired stretch.
CHUNK = 2000
_NAMED = 20  # refused rows named in the log (all are counted)


class PurgePlan:
    """Judge each candidate row (:data:`auditmw.store.schema.COLUMNS`, ``ts`` as
    microseconds); collects the last purged event of each chain for the checkpoint."""

    def __init__(self, cutoff_us: int, on_purge: PurgeHook | None) -> None:
        self.cutoff_us = cutoff_us
        self.on_purge = on_purge
        self._check = getattr(on_purge, "check_event", None)
        self.chains: dict[str, dict[str, Any]] = {}
        self.refused: list[tuple[str, str]] = []
        self.admitted = 0

    def admit(self, row: Sequence[Any]) -> bool:
        ident, time_us = str(row[0]), int(row[1])
        event, disagreements = column_disagreements(row[:-1], row[-1])
        why = disagreements[0] if disagreements else None
        if why is None and time_us >= self.cutoff_us:
            why = "its own time is not past the retention cut"
        if why is None and self._check is not None and event is not None:
            why = self._check(event, row[-1])
        if why is not None:
            self.refused.append((ident, why))
            return False
        self.admitted += 1
        chain, seq, hashed = row[10], row[11], row[12]
        if chain is not None and seq is not None and hashed:
            last = self.chains.get(chain)
            if last is None or int(seq) > last["seq"]:
                self.chains[str(chain)] = {"seq": int(seq), "hash": hashed, "id": ident,
                                           "time": time_us}
        return True

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

