"""SQLite's order key ``k``: the ``INTEGER PRIMARY KEY`` that puts ``events`` in time order.

``k = (ts << SLOT_BITS) | slot``: the event's time in microseconds, then a slot that
tells apart events of the same microsecond. A write takes the next free slot of its
microsecond (the insert asks the table, under the write lock), so **events of one
microsecond are in the order they were stored** — and a late-arriving old event still
lands at its own time, after those already stored for that microsecond. An upgraded
version-5 store gives ties their old order (by ``id``).

Because the table *is* the B-tree on ``k``, time ranges and keyset pages are rowid
ranges, and no index carries a time column or the text ``id``: each index entry is its
value plus the 8-byte ``k``. The high-cardinality filters (actor, target, IP; and
tenant, whose index is ``(bucket, tenant, event)`` since schema 7) are indexed as
``(k >> BUCKET_SHIFT, value)``: a batch of events of the same few days
inserts into one small, cached stretch of each such index instead of pages all over a
big one, and a reader walks the buckets newest first (one seek per bucket and value).

``k >> SLOT_BITS == ts`` always (a ``CHECK`` constraint; ``auditmw verify`` and every
purge check it too, since reads select time ranges on ``k``). The shift leaves event
times from 1685 to 2255 representable (a write takes up to :data:`MAX_WRITE_TS`), and
at most 1,024 events per microsecond.
"""

from __future__ import annotations

SLOT_BITS = 10
SLOTS = 1 << SLOT_BITS
#: A bucket of the high-cardinality indexes: 2**(49 - 10) µs ≈ 6.4 days.
BUCKET_SHIFT = 49
BUCKET = f"(k >> {BUCKET_SHIFT})"

#: The event times (µs) a key can hold: ``ts << SLOT_BITS`` must fit in 63 bits.
MIN_TS = -(1 << (63 - SLOT_BITS))
MAX_TS = (1 << (63 - SLOT_BITS)) - 1
#: The last event time a write takes: one microsecond before :data:`MAX_TS`. A 1,025th
#: event of a microsecond asks for the key after its last slot and fails the ``CHECK``
#: on ``k`` (a clear "more than 1,024 events"); in ``MAX_TS`` itself that key would be
#: 2**63, which SQLite's integer cannot hold (``MAX(k) + 1`` turns REAL: a raw
#: "datatype mismatch"). Reads still take every key up to ``MAX_TS``.
MAX_WRITE_TS = MAX_TS - 1


def floor_key(ts: int) -> int:
    """The smallest key of microsecond ``ts`` (``k >= floor_key(t)`` ⇔ ``ts >= t``)."""
    return ts << SLOT_BITS


def key_time(k: int) -> int:
    return k >> SLOT_BITS


def bucket(k: int) -> int:
    return k >> BUCKET_SHIFT


def key_disagreement(k: object, ts: object) -> str | None:
    """Why a row's key does not match its ``ts`` (``None`` when it does)."""
    if isinstance(k, int) and isinstance(ts, int) and k >> SLOT_BITS == ts:
        return None
    return (f"column k says {k!r:.40} (time {key_time(k) if isinstance(k, int) else '?'}"
            f" µs), column ts says {ts!r:.40}: time reads would misplace it")


def bucket_groups(first: int, last: int, descending: bool) -> list[list[int]]:
    """Buckets ``first..last`` in scan order, in groups of 1, 2, 4, ... (a rare value
    costs a few queries over a year, a common one stops after the first)."""
    order = list(range(last, first - 1, -1)) if descending else list(range(first, last + 1))
    groups, size, at = [], 1, 0
    while at < len(order):
        groups.append(order[at:at + size])
        at += size
        size *= 2
    return groups
