"""The SQLite store's batch insert with two processes writing one file at once: the
same stretch of time, the same microseconds, the same events sent by both (a replay),
and ids sent again at another time. Whatever the interleaving, every event is stored
once, at its own time, and each microsecond's slots are 0, 1, 2… in the order the rows
came (what the one-row statement, asking the table under the write lock, gives): the
keys a statement of many rows is given must come from the table, never from what this
process remembers it wrote."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from typing import TYPE_CHECKING

from auditmw.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from pathlib import Path

_BASE_US = 1_790_000_000_000_000
_IDS = 400  # ids 0..399; id n at microsecond n % 23 (ties), moved ones also at +500

# One writer: batches of events drawn from the shared pool, in its own order.
_WRITER = r"""
import random, sys
from datetime import UTC, datetime
from auditmw.store.sqlite import SQLiteStore

path, seed, base, ids = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)

def event(n, moved):
    us = base + n % 23 + (500 if moved else 0)
    seconds, micro = divmod(us, 1_000_000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return {"id": f"id{n}", "time": f"{stamp}.{micro:06d}Z", "event": "e",
            "details": {"n": n}}

store = SQLiteStore(f"sqlite:///{path}", busy_timeout_s=60)
try:
    for _ in range(40):
        batch = []
        for _ in range(rng.randint(1, 300)):
            n = rng.randrange(ids)
            batch.append(event(n, moved=n % 17 == 0 and rng.random() < 0.5))
        store.write(batch)
finally:
    store.close()
print("done")
"""


def _write_at_once(path: Path, seeds: tuple[int, ...]) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(seed),
                                 str(_BASE_US), str(_IDS)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for seed in seeds]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert out.strip() == "done"


def test_two_processes_writing_one_file_store_each_event_once_in_free_slots(
        tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    SQLiteStore(f"sqlite:///{path}").close()  # the schema made before both start
    _write_at_once(path, (1, 2))
    store = SQLiteStore(f"sqlite:///{path}")
    try:
        rows = store._fetch("SELECT k, id, ts FROM events ORDER BY k", ())
    finally:
        store.close()
    ids = [row[1] for row in rows]
    assert len(ids) == len(set(ids))
    slots: dict[int, list[int]] = defaultdict(list)
    for k, ident, ts in rows:
        n = int(ident.removeprefix("id"))
        own = _BASE_US + n % 23
        # at its own time (or, for an id sent at two times, one of them)
        assert ts == own or (n % 17 == 0 and ts == own + 500), (ident, ts)
        assert k >> 10 == ts
        slots[ts].append(k & 1023)
    for ts, taken in slots.items():
        assert taken == list(range(len(taken))), ts  # no slot skipped, none twice
    assert len(ids) > _IDS // 2  # both wrote: most of the pool is there
