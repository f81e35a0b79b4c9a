"""``auditmw demo``: record a few events on the embedded defaults and show where they went.

This is the Python-API tour; the config-only launcher (``auditmw run``) replaces it with
the example app and the Audit trail page when that lands.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
from typing import Any

from auditmw.cli import add_config_option
from auditmw.event import Actor


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="record a few example events and show where they went",
        description="Record a handful of asset-inventory events through the Python API "
                    "on the embedded defaults (./auditmw-audit.jsonl and "
                    "sqlite:///./auditmw.db, or your config) and print them back.")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from auditmw.store import Query, open_store
    from auditmw.trail import AuditTrail

    trail = AuditTrail.from_config(args.config)
    ann = Actor(id="u-1001", name="Ann Example", type="user", team="IT Ops")

    @trail.audited("createAssetGroup")
    def create_asset_group(name: str, owner_password: str) -> dict[str, Any]:
        return {"id": "ag-42", "name": name}

    @trail.audited("deleteScope", target="scope_id")
    async def delete_scope(scope_id: str) -> None:
        raise PermissionError("only owners can delete scopes")

    trail.record("siteAccess", actor=ann, client_ip="203.0.113.7", channel="ui")
    with trail.acting_as(ann):
        create_asset_group("Servers in Brussels", owner_password="not-recorded")
        with contextlib.suppress(PermissionError):
            asyncio.run(delete_scope("scope-7"))
    with trail.acting_as(Actor(id="nightly", name="Nightly scan", type="scheduler")):
        trail.record("triggerScanNowByFilter", details={"filter": "os = 'Windows'"})
    trail.record("exportView", actor=ann, target={"type": "View", "name": "All servers"})
    trail.close()

    print(f"recorded {trail.stats()['recorded']} events through service "
          f"{trail.config.service!r}:")
    for sink in trail.sinks:
        print(f"  -> {sink.name}")
    for sink_cfg in trail.config.sinks:
        path = getattr(sink_cfg, "path", None)
        if path:
            print(f"     JSON lines: {Path(path).resolve()}")
    if trail.config.store.enabled:
        store = open_store(trail.config.store.url,
                           retention_days=trail.config.store.retention_days)
        page = store.query(Query(), order="desc", limit=5)
        print(f"\nthe store {trail.config.store.url} holds {page.total} events; newest:")
        for item in page.items:
            actor = item["actor"].get("name") or item["actor"]["type"]
            print(f"  {item['time']}  {item['event']:<24} {item['outcome']:<8} {actor}")
        store.close()
    return 0
