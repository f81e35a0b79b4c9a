"""``/openapi.json``: the HTTP API of the audit server as an OpenAPI 3.1 document."""

from __future__ import annotations

from typing import Any

from auditmw import __version__
from auditmw.event import ACTOR_TYPES, OUTCOMES
from auditmw.server.params import FORMATS, MAX_LIMIT, VERIFIABLE

_NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _message(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Message")}}}


_ERRORS: dict[str, Any] = {
    "400": _message("A parameter is missing or not valid; the message says which."),
    "401": _message("`Incorrect Accesskey`: missing, unknown, revoked or expired key."),
    "403": _message("`AccessKey does not have the relevant scope permission`."),
    "500": _message("Internal Server Error (no internals are shown)."),
}


def _list_param(name: str, description: str, items: dict[str, Any] | None = None
                ) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": True,
            "schema": {"type": "array", "items": items or {"type": "string"}}}


def _filter_params(paged: bool) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": "from", "in": "query", "required": False,
         "description": "Events at or after this RFC 3339 date-time (with an offset).",
         "schema": {"type": "string", "format": "date-time"}},
        {"name": "to", "in": "query", "required": False,
         "description": "Events at or before this RFC 3339 date-time (with an offset).",
         "schema": {"type": "string", "format": "date-time"}},
        _list_param("event", "Catalogue event name (repeatable: any of them)."),
        _list_param("category", "Category id (repeatable)."),
        _list_param("actor", "Actor id or name (repeatable)."),
        _list_param("outcome", "Outcome (repeatable).", {"type": "string", "enum": list(OUTCOMES)}),
        _list_param("target", "Target id or name (repeatable)."),
        _list_param("ip", "Client IP address (repeatable)."),
        _list_param("tenant", "Tenant (repeatable; an operator key). A tenant-scoped key "
                    "always reads its own tenant alone; asking it for another is a 403."),
        {"name": "order", "in": "query", "required": False,
         "description": "`desc` (newest first, the default) or `asc`.",
         "schema": {"type": "string", "enum": ["asc", "desc"], "default": "desc"}},
    ]
    if paged:
        params += [
            {"name": "limit", "in": "query", "required": False,
             "description": f"Events per page, 1 to {MAX_LIMIT}.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                        "default": 100}},
            {"name": "cursor", "in": "query", "required": False,
             "description": "A `pagination.next` or `pagination.prev` of an earlier page "
                            "with the same `order`.",
             "schema": {"type": "string"}},
        ]
    return params


def _leapwork_date(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string"}, "examples": {
                "minute": {"value": "2022-04-18 17:15"}, "day": {"value": "2022-04-18"}}}


def _schemas() -> dict[str, Any]:
    event_props: dict[str, Any] = {
        "schema": {"type": "string", "const": "auditmw/1"},
        "id": {"type": "string"}, "time": {"type": "string", "format": "date-time"},
        "event": {"type": "string"}, "category": {"type": "string"},
        "action": {"type": "string"},
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "actor": {"type": "object", "required": ["id", "name", "type"], "properties": {
            "id": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]},
            "team": {"type": "string"},
            "type": {"type": "string", "enum": list(ACTOR_TYPES)}}},
        "client": {"type": "object", "required": ["ip"], "properties": {
            "ip": {"type": ["string", "null"]}, "hostname": {"type": "string"},
            "user_agent": {"type": "string"}, "forwarded": {"type": "string"}}},
        "channel": {"type": "string"},
        "source": {"type": "string"}, "target": {"type": "object"},
        "details": {"type": "object"}, "request": {"type": "object"},
        "trace": {"type": "object"}, "duration_ms": {"type": "number"},
        "error": {"type": "object"}, "service": {"type": "object"},
        "integrity": {"type": "object"},
    }
    return {
        "Message": {"type": "object", "required": ["message"],
                    "properties": {"message": {"type": "string"}}},
        "LeapworkRecord": {
            "type": "object",
            "required": ["Date", "IPAddress", "Hostname", "UserOrSystem", "Event", "Asset",
                         "Details"],
            "properties": {
                "Date": {"type": "string", "pattern":
                         r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
                         "description": "Local time of the configured zone."},
                **{name: {"type": "string"} for name in (
                    "IPAddress", "Hostname", "UserOrSystem", "Event", "Asset", "Details")},
                "Team": {"type": "string",
                         "description": "Absent when server.edition = platform."},
            },
            "additionalProperties": False,
        },
        "AuditEvent": {"type": "object", "properties": event_props,
                       "required": ["schema", "id", "time", "event", "category", "action",
                                    "outcome", "actor", "client", "channel", "source"]},
        "AuditTrailPage": {
            "type": "object", "required": ["items", "pagination", "total"],
            "properties": {
                "items": {"type": "array", "items": _ref("AuditEvent")},
                "pagination": {
                    "type": "object", "required": ["limit", "next", "prev"],
                    "properties": {"limit": {"type": "integer"}, "next": _NULLABLE_STRING,
                                   "prev": _NULLABLE_STRING}},
                "total": {"type": ["integer", "null"]},
            },
        },
        "GraphQLRequest": {
            "type": "object", "required": ["query"],
            "properties": {"query": {"type": "string"},
                           "variables": {"type": ["object", "null"]},
                           "operationName": _NULLABLE_STRING},
        },
        "GraphQLResponse": {
            "type": "object",
            "properties": {"data": {"type": ["object", "null"]},
                           "errors": {"type": "array", "items": {"type": "object"}},
                           "message": {"type": "string"}},
        },
    }


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The document; ``server_url`` is where the app is mounted."""
    graphql_response = {"content": {"application/json": {"schema": _ref("GraphQLResponse")}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "auditmw audit trail", "version": __version__,
                 "description": "Read and export the audit trail. Every call needs the "
                                "`accessKey` header of a key with the `audit_logs` scope "
                                "(`auditmw keys create`), and is itself audited."},
        "servers": [{"url": server_url or "/"}],
        "security": [{"accessKey": []}],
        "paths": {
            "/api/v4/auditlogs/export": {"get": {
                "operationId": "exportAuditLogs",
                "summary": "Leapwork-compatible export of audit log entries, oldest first.",
                "parameters": [
                    _leapwork_date("fromDate", "Mandatory. `yyyy-MM-dd HH:mm` or `yyyy-MM-dd` "
                                   "in the server's time zone."),
                    _leapwork_date("toDate", "Optional (default: now); inclusive to its "
                                   "minute or day."),
                ],
                "responses": {
                    "200": {"description": "The entries.", "content": {"application/json": {
                        "schema": {"type": "array", "items": _ref("LeapworkRecord")}}}},
                    **_ERRORS,
                },
            }},
            "/api/audit-trail": {"get": {
                "operationId": "listAuditTrail",
                "summary": "One page of audit events (the Data API).",
                "parameters": _filter_params(paged=True),
                "responses": {
                    "200": {"description": "A page.", "content": {"application/json": {
                        "schema": _ref("AuditTrailPage")}}},
                    **_ERRORS,
                },
            }},
            "/api/audit-trail/export": {"get": {
                "operationId": "exportAuditTrail",
                "summary": "Every matching event as a download (streamed).",
                "parameters": [
                    {"name": "format", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": [*FORMATS, VERIFIABLE],
                                "default": "csv"}},
                    *_filter_params(paged=False),
                ],
                "responses": {
                    "200": {"description": "The file (Content-Disposition: attachment).",
                            "content": {
                                "text/csv": {"schema": {"type": "string"}},
                                "application/json": {"schema": {
                                    "type": "array", "items": _ref("AuditEvent")}},
                                "application/x-ndjson": {"schema": {"type": "string"}},
                                "application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet": {"schema": {
                                    "type": "string", "format": "binary"}},
                            }},
                    **_ERRORS,
                },
            }},
            "/graphql": {"post": {
                "operationId": "graphql",
                "summary": "The trail as GraphQL: `auditTrail(...)` of type `AuditTrail`.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": _ref("GraphQLRequest")}}},
                "responses": {
                    "200": {"description": "A GraphQL result.", **graphql_response},
                    "400": {"description": "The document cannot run.", **graphql_response},
                    "401": {"description": "Incorrect Accesskey.", **graphql_response},
                    "403": {"description": "Scope missing.", **graphql_response},
                    "500": {"description": "Internal Server Error.", **graphql_response},
                },
            }},
        },
        "components": {
            "securitySchemes": {"accessKey": {"type": "apiKey", "in": "header",
                                              "name": "accessKey"}},
            "schemas": _schemas(),
        },
    }
