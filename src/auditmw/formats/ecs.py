"""``format = "ecs"``: an event as an Elastic Common Schema document (ECS 9.x).

Mapped (see docs/formats.md for the whole table): ``@timestamp``, ``message``,
``ecs.version``; ``event.*`` (``id`` = the event id, ``action`` = the event name,
``outcome`` success | failure | unknown — denied is a failure —, ``kind`` event,
``category`` ["api"], ``type`` from the action, plus "denied" when denied, ``duration`` in
nanoseconds, ``reason``, ``dataset``, ``provider``); ``user.*`` (id, name, group.name),
``source.*`` (ip, domain, address), ``user_agent.original``, ``url.path``,
``http.request.method``/``id``, ``http.response.status_code``, ``error.*``, ``service.*``,
``host.hostname``, ``trace.id``/``span.id``, ``related.user``/``related.ip``. Everything ECS
has no field for is kept under the custom ``auditmw`` object (category, action, channel,
source, target, details, the actor's type, the GraphQL operation, tenant, integrity).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from auditmw.formats import EventDict, summary

ECS_VERSION = "9.4.0"
EVENT_TYPE = {  # auditmw action -> ECS event.type (all expected with category "api")
    "create": "creation", "update": "change", "merge": "change", "delete": "deletion",
    "export": "access", "access": "access", "trigger": "start", "other": "info",
}
OUTCOME = {"success": "success", "failure": "failure", "denied": "failure"}


def _drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and v not in ({}, [])}


def _is_ip(value: Any) -> bool:
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        return False
    return True


def to_ecs(event: EventDict) -> EventDict:
    outcome = str(event.get("outcome", ""))
    actor = event.get("actor") or {}
    client = event.get("client") or {}
    request = event.get("request") or {}
    service = event.get("service") or {}
    error = event.get("error") or {}
    trace = event.get("trace") or {}
    ip = client.get("ip") if _is_ip(client.get("ip")) else None
    types = [EVENT_TYPE.get(str(event.get("action")), "info")]
    if outcome == "denied":
        types.append("denied")
    user_id = None if actor.get("id") is None else str(actor["id"])
    user_name = None if actor.get("name") is None else str(actor["name"])

    out: dict[str, Any] = {
        "@timestamp": event.get("time"),
        "message": summary(event),
        "ecs": {"version": ECS_VERSION},
        "event": _drop_empty({
            "id": event.get("id"),
            "kind": "event",
            "category": ["api"],
            "type": types,
            "action": event.get("event"),
            "outcome": OUTCOME.get(outcome, "unknown"),
            "duration": round(float(event.get("duration_ms") or 0) * 1_000_000),
            "reason": error.get("message") or ("denied" if outcome == "denied" else None),
            "dataset": "auditmw.audit",
            "provider": service.get("name"),
            "module": "auditmw",
        }),
        "user": _drop_empty({
            "id": user_id, "name": user_name,
            "group": {"name": str(actor["team"])} if actor.get("team") else None,
        }),
        "source": _drop_empty({
            "ip": ip, "address": ip or client.get("hostname"),
            "domain": client.get("hostname"),
        }),
        "user_agent": _drop_empty({"original": client.get("user_agent")}),
        "url": _drop_empty({"path": request.get("path")}),
        "http": _drop_empty({
            "request": _drop_empty({"method": request.get("method"),
                                    "id": None if request.get("id") is None
                                    else str(request["id"])}),
            "response": _drop_empty({"status_code": request.get("status")}),
        }),
        "error": _drop_empty({"type": error.get("type"), "message": error.get("message")}),
        "service": _drop_empty({"name": service.get("name")}),
        "host": _drop_empty({"hostname": service.get("host")}),
        "trace": _drop_empty({"id": trace.get("trace_id")}),
        "span": _drop_empty({"id": trace.get("span_id")}),
        "related": _drop_empty({
            "user": [v for v in dict.fromkeys((user_id, user_name)) if v] or None,
            "ip": [ip] if ip else None,
        }),
        "auditmw": _custom(event),
    }
    return _drop_empty(out)


def _custom(event: EventDict) -> dict[str, Any]:
    actor = event.get("actor") or {}
    request = event.get("request") or {}
    kept: dict[str, Any] = {
        "schema": event.get("schema"), "category": event.get("category"),
        "action": event.get("action"), "outcome": event.get("outcome"),
        "channel": event.get("channel"), "source": event.get("source"),
        "target": event.get("target") or None, "details": event.get("details"),
        "actor": _drop_empty({"type": actor.get("type")}),
        "request": _drop_empty({"operation": request.get("operation")}),
        "tenant": event.get("tenant"), "integrity": event.get("integrity"),
    }
    known = {"schema", "id", "time", "event", "category", "action", "outcome", "actor",
             "client", "channel", "source", "target", "details", "request", "trace",
             "duration_ms", "error", "service", "integrity", "tenant"}
    for key, value in event.items():  # fields a later schema adds are kept, not lost
        if key not in known:
            kept[key] = value
    return _drop_empty(kept)
