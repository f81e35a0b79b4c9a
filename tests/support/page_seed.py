"""Realistic events for the Audit trail page's tests and screenshot.

The events are what a store behind an asset-inventory console holds after a few days:
sign-ins, asset-group and scope changes, scans, exports, a refused delete, a failed
credential update (its values redacted), plus one hostile event whose strings are markup.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from auditmw.event import Actor, AuditEvent, Client, ErrorInfo, RequestInfo, Target
from auditmw.ids import format_time, uuid7
from auditmw.trail import AuditTrail

ANN = Actor(id="u-1001", name="Ann Peeters", type="user", team="IT Ops")
BRAM = Actor(id="u-1002", name="Bram De Smet", type="user", team="Security")
CHLOE = Actor(id="u-1003", name="Chloé Martin", type="user", team="Service desk")
NIGHTLY = Actor(id="nightly-scan", name="Nightly scan", type="scheduler")
SYNC = Actor(id="key-7f3a", name="CMDB sync", type="api")
IPS = {ANN: "203.0.113.24", BRAM: "198.51.100.7", CHLOE: "2001:db8:4::19",
       NIGHTLY: "10.20.0.5", SYNC: "192.0.2.44"}

# (event, actor, outcome, target (type, id, name), details)
SCENES: list[tuple[str, Actor, str, tuple[str, str, str], dict[str, Any]]] = [
    ("siteAccess", ANN, "success", ("Site", "site-eu", "Brussels HQ"), {}),
    ("createAssetGroup", ANN, "success", ("AssetGroup", "ag-42", "Servers in Brussels"),
     {"name": "Servers in Brussels", "filter": {"os": "Windows Server", "site": "BRU"}}),
    ("updateAssetGroup", BRAM, "success", ("AssetGroup", "ag-42", "Servers in Brussels"),
     {"name": "Servers in Brussels", "owner": "Security"}),
    ("deleteScope", CHLOE, "denied", ("Scope", "scope-7", "Legacy printers"),
     {"id": "scope-7"}),
    ("triggerScanNowByFilter", NIGHTLY, "success", ("ScanningTarget", "st-12", "HQ subnets"),
     {"filter": "os = 'Windows'"}),
    ("exportView", CHLOE, "success", ("View", "v-9", "All laptops"), {"format": "xlsx"}),
    ("addRole", BRAM, "success", ("Role", "role-31", "Auditors"),
     {"name": "Auditors", "permissions": ["audit_logs:read", "assets:read"]}),
    ("updateCredential", ANN, "failure", ("Credential", "cred-3", "vCenter service account"),
     {"username": "[REDACTED]", "password": "[REDACTED]"}),
    ("assetsResync", SYNC, "success", ("Asset", "a-88120", "LAP-BRU-0192"),
     {"source": "cmdb"}),
    ("createIpRangeScanningTarget", BRAM, "success",
     ("ScanningTarget", "st-19", "10.20.0.0/16"), {"range": "10.20.0.0/16", "schedule": "daily"}),
    ("deleteAssets", ANN, "success", ("Asset", "a-10233", "OLD-PRINT-04"),
     {"ids": ["a-10233", "a-10234"]}),
    ("exportFilteredAssets", SYNC, "success", ("View", "v-2", "Servers"), {"rows": 1842}),
]
HOSTILE_SCRIPT = "<script>alert('xss')</script>"
HOSTILE_IMG = '<img src=x onerror="alert(1)">'
COUNT = 60
STEP = timedelta(minutes=47)


def base_time() -> datetime:
    """The newest seeded event's time: a whole minute, a little before now."""
    return datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)


def _event(index: int, moment: datetime, scene: tuple[Any, ...], trail: AuditTrail
           ) -> dict[str, Any]:
    name, actor, outcome, (ttype, tid, tname), details = scene
    entry = trail.entry(name)
    error = None
    if outcome == "denied":
        error = ErrorInfo("PermissionError", "only owners can delete scopes")
    elif outcome == "failure":
        error = ErrorInfo("ValidationError", "the vCenter host did not answer")
    built = AuditEvent(
        name, entry.category, entry.action, outcome=outcome, actor=actor,
        client=Client(ip=IPS[actor], hostname=f"ws-{actor.id}.corp.example",
                      user_agent="Mozilla/5.0 (X11; Linux x86_64)"),
        channel="api" if actor.type == "api" else "ui" if actor.type == "user" else "system",
        source="graphql", target=Target(type=ttype, id=tid, name=tname),
        details={**details, "seq": index},
        request=RequestInfo(method="POST", path="/graphql", status=200, operation=name),
        duration_ms=round(3.5 + (index * 7) % 40, 1), error=error,
        id=uuid7(int(moment.timestamp()) * 1_000_000_000 + index * 1000),
        time=format_time(moment),
        service={"name": "inventory-api", "host": "app-1"})
    return built.to_dict()


def seed_events(trail: AuditTrail, *, count: int = COUNT, hostile: bool = True
                ) -> list[dict[str, Any]]:
    """``count`` events, oldest first, one every 47 minutes up to :func:`base_time`; the
    newest but two is the hostile one when ``hostile``."""
    newest = base_time()
    out = []
    for index in range(count):
        moment = newest - STEP * (count - 1 - index)
        out.append(_event(index, moment, SCENES[index % len(SCENES)], trail))
    if hostile:
        evil = out[-3]
        evil["actor"] = {"id": "u-666", "name": HOSTILE_SCRIPT, "type": "user",
                         "on_behalf_of": {"id": "adm-1", "name": HOSTILE_IMG, "type": "user"}}
        evil["target"] = {"type": "AssetGroup", "id": "ag-666", "name": HOSTILE_IMG}
        evil["details"] = {"name": HOSTILE_SCRIPT, "note": HOSTILE_IMG}
    return out
