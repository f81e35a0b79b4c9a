"""``format = "ocsf"``: an event as an OCSF 1.x API Activity (class 6003).

Mapped (see docs/formats.md for the whole table):

- classification: ``class_uid`` 6003, ``category_uid`` 6, ``activity_id`` from the action
  (create 1; export and access are reads, 2; update and merge 3; delete 4; trigger and
  other 99), ``type_uid`` = 6003 * 100 + ``activity_id``, with their captions;
- ``time`` (epoch milliseconds), ``duration`` (ms), ``status_id`` (success 1, failure and
  denied 2), ``status``, ``status_code`` (the HTTP status), ``status_detail``,
  ``severity_id`` (success 1 Informational, failure 2 Low, denied 3 Medium), ``message``;
- ``metadata``: ``uid`` = the event id, ``version`` = the OCSF version, ``product``
  (auditmw and its version), ``original_time``, ``tenant_uid``, ``log_name``;
- ``actor`` (``user`` from the actor, ``app_name`` = the service), ``src_endpoint``
  (client IP and host name), ``api`` (``operation`` = the event name, ``service``,
  ``request.uid``, ``response`` with the error), ``http_request``/``http_response``,
  ``resources`` (the target), ``dst_endpoint`` (the service's host), ``trace``;
- ``unmapped``: everything OCSF has no attribute for (category, action, channel, source,
  details, the actor's type, the GraphQL operation, the span id, the integrity block),
  so nothing of the audit event is lost.
"""

from __future__ import annotations

from typing import Any

from auditmw.formats import EventDict, epoch_ms, summary

OCSF_VERSION = "1.8.0"
CLASS_UID = 6003
CATEGORY_UID = 6
ACTIVITY = {  # auditmw action -> OCSF API Activity activity_id
    "create": 1, "access": 2, "export": 2, "update": 3, "merge": 3, "delete": 4,
    "trigger": 99, "other": 99,
}
ACTIVITY_NAMES = {1: "Create", 2: "Read", 3: "Update", 4: "Delete", 99: "Other"}
STATUS = {"success": (1, "Success"), "failure": (2, "Failure"), "denied": (2, "Failure")}
SEVERITY = {"success": (1, "Informational"), "failure": (2, "Low"), "denied": (3, "Medium")}
USER_TYPE = {"user": (1, "User"), "api": (4, "Service"), "system": (3, "System"),
             "scheduler": (3, "System"), "anonymous": (0, "Unknown")}


def _product_version() -> str:
    from auditmw import __version__
    return __version__


def _drop_empty(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if v is not None and v not in ({}, [])}


def _user(actor: dict[str, Any]) -> dict[str, Any] | None:
    type_id, type_name = USER_TYPE.get(str(actor.get("type")), (99, "Other"))
    user = _drop_empty({
        "uid": _text(actor.get("id")), "name": _text(actor.get("name")),
        "groups": [{"name": str(actor["team"])}] if actor.get("team") else None,
    })
    if not user:  # OCSF needs a uid or a name; an anonymous caller has neither
        return None
    return {**user, "type_id": type_id, "type": type_name}


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def to_ocsf(event: EventDict) -> EventDict:
    outcome = str(event.get("outcome", "success"))
    action = str(event.get("action", "other"))
    activity_id = ACTIVITY.get(action, 99)
    status_id, status = STATUS.get(outcome, (0, "Unknown"))
    severity_id, severity = SEVERITY.get(outcome, (1, "Informational"))
    actor = event.get("actor") or {}
    client = event.get("client") or {}
    request = event.get("request") or {}
    service = event.get("service") or {}
    target = event.get("target") or {}
    error = event.get("error") or {}
    trace = event.get("trace") or {}
    service_name = _text(service.get("name")) or "auditmw"

    actor_out = _drop_empty({"user": _user(actor), "app_name": service_name})
    src = _drop_empty({"ip": client.get("ip"), "hostname": client.get("hostname")})
    if not src:  # OCSF requires src_endpoint with at least one identifying attribute
        src = {"name": "unknown"}
    http_request = _drop_empty({
        "http_method": request.get("method"),
        "url": {"path": request["path"]} if request.get("path") else None,
        "user_agent": client.get("user_agent"), "uid": request.get("id")})
    status_detail = error.get("message") or ("denied" if outcome == "denied" else None)
    out: dict[str, Any] = {
        "class_uid": CLASS_UID, "class_name": "API Activity",
        "category_uid": CATEGORY_UID, "category_name": "Application Activity",
        "activity_id": activity_id, "activity_name": ACTIVITY_NAMES[activity_id],
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"API Activity: {ACTIVITY_NAMES[activity_id]}",
        "time": epoch_ms(event.get("time")),
        "duration": round(float(event.get("duration_ms") or 0)),
        "severity_id": severity_id, "severity": severity,
        "status_id": status_id, "status": status,
        "message": summary(event),
        "metadata": _drop_empty({
            "uid": event.get("id"), "version": OCSF_VERSION,
            "product": {"name": "auditmw", "vendor_name": "auditmw",
                        "version": _product_version()},
            "original_time": event.get("time"), "log_name": "audit",
            "tenant_uid": _text(event.get("tenant")),
        }),
        "actor": actor_out,
        "src_endpoint": src,
        "api": _drop_empty({
            "operation": str(event.get("event", "")),
            "service": {"name": service_name},
            "request": {"uid": str(request["id"])} if request.get("id") else None,
            "response": _drop_empty({"error": error.get("type"),
                                     "error_message": error.get("message")}) or None,
        }),
    }
    if request.get("status") is not None:
        out["status_code"] = str(request["status"])
        out["http_response"] = {"code": int(request["status"])}
    if status_detail:
        out["status_detail"] = str(status_detail)
    if http_request:
        out["http_request"] = http_request
    resource = _drop_empty({"uid": _text(target.get("id")), "name": _text(target.get("name")),
                            "type": _text(target.get("type"))})
    if resource.get("uid") or resource.get("name"):
        out["resources"] = [resource]
    if service.get("host"):
        out["dst_endpoint"] = {"hostname": str(service["host"]), "svc_name": service_name}
    if trace.get("trace_id"):
        out["trace"] = {"uid": str(trace["trace_id"])}
    out["unmapped"] = _unmapped(event, resource)
    return out


_MAPPED_TOP = frozenset({"id", "time", "event", "outcome", "duration_ms", "tenant",
                         "schema"})


def _unmapped(event: EventDict, resource: dict[str, Any]) -> dict[str, Any]:
    """Everything of the audit event the mapped attributes do not already carry."""
    actor = event.get("actor") or {}
    request = event.get("request") or {}
    trace = event.get("trace") or {}
    target = event.get("target") or {}
    kept: dict[str, Any] = {"schema": event.get("schema")}
    for key, value in event.items():
        if key in _MAPPED_TOP or key in ("actor", "client", "request", "service", "target",
                                         "error", "trace"):
            continue
        kept[key] = value
    kept["actor"] = _drop_empty({"type": actor.get("type")})
    kept["request"] = _drop_empty({"operation": request.get("operation")})
    kept["trace"] = _drop_empty({"span_id": trace.get("span_id")})
    if target and not (resource.get("uid") or resource.get("name")):
        kept["target"] = target  # a target with only a type has no OCSF resource
    return _drop_empty(kept)
