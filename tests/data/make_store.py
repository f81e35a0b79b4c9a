"""Makes ``store_vN/audit.db`` beside this file: a SQLite store exactly as auditmw's
schema N wrote it, for ``tests/test_store_upgrade.py``. Run it with the auditmw of that
schema version (N is its ``SCHEMA_VERSION``), e.g. ``PYTHONPATH=<a checkout of the
commit before the schema changed>/src python tests/data/make_store.py``.

One chain of 24 events of two tenants over 400 days, three of them at one microsecond;
a purge (default 365 days, ``site_access`` 90) that deleted the oldest (a checkpoint) and
some from the middle (links); a legal hold; and ``expected.json``: the order the store
read the events in, and cursors it issued (one anchored at an event the purge then
deleted).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import purge_checkpointer
from auditmw.store import Query, open_store
from auditmw.store.schema import SCHEMA_VERSION
from auditmw.trail import AuditTrail

KEY = f"store-v{SCHEMA_VERSION}-key"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAY_NS = 86_400 * 10**9
HERE = Path(__file__).parent / f"store_v{SCHEMA_VERSION}"


def main() -> None:
    HERE.mkdir(exist_ok=True)
    db = HERE / "audit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    now_ns = int(NOW.timestamp()) * 10**9
    ages = [400, 390, 200, 150, 120, 100, 95, 80, 60, 50, 40, 30, 20, 10, 5, 5, 5, 4, 3, 2,
            1, 1, 1, 0]
    with tempfile.TemporaryDirectory() as spool:
        trail = AuditTrail(store={"url": url, "retention_days": 36500}, sinks=[],
                           integrity={"key": KEY},
                           delivery={"spool_dir": spool, "batch_size": 4})
        for i, age in enumerate(ages):
            # Three events at one microsecond (ages 5): ties v5 ordered by id.
            ns = now_ns - age * DAY_NS + (0 if age == 5 else i * 10**6)
            category = "site_access" if i % 3 == 1 else "inventory_configuration"
            name = "siteAccess" if category == "site_access" else "createAssetGroup"
            trail.emit(AuditEvent(name, category, "other", details={"i": i},
                                  tenant="acme" if i % 2 else "globex",
                                  id=uuid7(ns + (len(ages) - i)), time=format_time_ns(ns)))
        trail.close()
    reader = open_store(url, retention_days=36500)  # sees every event, whatever the date
    oldest = reader.query(Query(), order="asc", limit=1, with_total=False)
    order = [e["id"] for e in reader.iter_events(Query())]
    store = open_store(url, retention={"default": 365, "categories": {"site_access": 90}})
    store.purge(now=NOW, on_purge=purge_checkpointer(KEY))
    store.add_hold("acme", reason="fixture hold", now=NOW)
    store.close()
    kept = [e["id"] for e in reader.iter_events(Query())]
    desc = reader.query(Query(), limit=4, with_total=False)
    reader.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (HERE / "expected.json").write_text(json.dumps({
        "key": KEY, "asc_before_purge": order, "asc_kept": kept,
        "desc_first_page": [e["id"] for e in desc.items], "desc_next": desc.next,
        "cursor_at_purged": oldest.next, "purged_id": oldest.items[0]["id"],
    }, indent=1) + "\n")


if __name__ == "__main__":
    main()
