"""The audit event (schema ``auditmw/1``) and its parts.

Frozen, slotted dataclasses: cheap to build on the request path and safe to share with
the background worker. ``to_dict`` gives the one shape every sink and API returns;
``from_dict`` reads it back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields, make_dataclass, replace
from typing import Any, Literal

from auditmw.ids import format_time_ns, uuid7

SCHEMA = "auditmw/1"

Outcome = Literal["success", "failure", "denied"]
Action = Literal["create", "update", "delete", "merge", "trigger", "export", "access", "other"]
ActorType = Literal["user", "api", "system", "scheduler", "anonymous"]
Channel = Literal["ui", "api", "system"]
Source = Literal["graphql", "rest", "function", "manual"]

OUTCOMES: tuple[str, ...] = ("success", "failure", "denied")
ACTIONS: tuple[str, ...] = (
    "create", "update", "delete", "merge", "trigger", "export", "access", "other",
)
ACTOR_TYPES: tuple[str, ...] = ("user", "api", "system", "scheduler", "anonymous")
CHANNELS: tuple[str, ...] = ("ui", "api", "system")
SOURCES: tuple[str, ...] = ("graphql", "rest", "function", "manual")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted. ``type`` says what kind of principal it is. ``on_behalf_of`` names an
    impersonator: the admin (or support agent, or delegating service) who acted as this
    user — the SPEC's ``actor.on_behalf_of``."""

    id: str | None = None
    name: str | None = None
    type: ActorType = "user"
    team: str | None = None
    on_behalf_of: Actor | None = None

    def to_dict(self) -> dict[str, Any]:
        # id and name are always there (null when unknown), as the schema has them; team
        # and on_behalf_of only when known.
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type}
        if self.team is not None:
            out["team"] = self.team
        if self.on_behalf_of is not None:
            out["on_behalf_of"] = self.on_behalf_of.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        behalf = data.get("on_behalf_of")
        return cls(data.get("id"), data.get("name"), data.get("type", "user"), data.get("team"),
                   cls.from_dict(dict(behalf)) if isinstance(behalf, dict) else None)


ANONYMOUS = Actor(type="anonymous")


@dataclass(frozen=True, slots=True)
class Client:
    """Where the call came from. ``forwarded`` keeps the raw proxy chain when trusted."""

    ip: str | None = None
    hostname: str | None = None
    user_agent: str | None = None
    forwarded: str | None = None

    def to_dict(self) -> dict[str, Any]:
        # ip is always there (null when unknown or withheld by `capture.ip = "none"`).
        # Optional members (``?`` in the schema) only when set; member by member, as a
        # dict comprehension costs more than the whole event's other members (to_dict
        # runs for every event).
        out: dict[str, Any] = {"ip": self.ip}
        if self.hostname is not None:
            out["hostname"] = self.hostname
        if self.user_agent is not None:
            out["user_agent"] = self.user_agent
        if self.forwarded is not None:
            out["forwarded"] = self.forwarded
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Client:
        return cls(data.get("ip"), data.get("hostname"), data.get("user_agent"),
                   data.get("forwarded"))


@dataclass(frozen=True, slots=True)
class Target:
    """The object acted on (the "Asset" of the Leapwork export)."""

    type: str | None = None
    id: str | None = None
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.type is not None:
            out["type"] = self.type
        if self.id is not None:
            out["id"] = self.id
        if self.name is not None:
            out["name"] = self.name
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Target:
        return cls(data.get("type"), data.get("id"), data.get("name"))


@dataclass(frozen=True, slots=True)
class RequestInfo:
    method: str | None = None
    path: str | None = None
    status: int | None = None
    id: str | None = None
    operation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.method is not None:
            out["method"] = self.method
        if self.path is not None:
            out["path"] = self.path
        if self.status is not None:
            out["status"] = self.status
        if self.id is not None:
            out["id"] = self.id
        if self.operation is not None:
            out["operation"] = self.operation
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RequestInfo:
        return cls(data.get("method"), data.get("path"), data.get("status"), data.get("id"),
                   data.get("operation"))


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What went wrong, for failures: a type and a message, never a stack trace."""

    type: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message}

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        return cls(type(exc).__name__, str(exc))


# Shared empty parts: frozen, so one instance serves every event that has none.
NO_CLIENT = Client()
NO_TARGET = Target()
NO_REQUEST = RequestInfo()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One audit event. Build it with :meth:`create`, which stamps ``id`` and ``time``.

    ``service``, ``trace`` and ``integrity`` are left empty here and filled by the
    pipeline's processors.
    """

    event: str
    category: str
    action: Action
    outcome: Outcome = "success"
    actor: Actor = ANONYMOUS
    client: Client = NO_CLIENT
    channel: Channel = "system"
    source: Source = "manual"
    target: Target = NO_TARGET
    details: dict[str, Any] = field(default_factory=dict)
    request: RequestInfo = NO_REQUEST
    duration_ms: float = 0.0
    error: ErrorInfo | None = None
    id: str = ""
    time: str = ""
    trace: dict[str, str] = field(default_factory=dict)
    service: dict[str, str] = field(default_factory=dict)
    integrity: dict[str, Any] | None = None
    #: The customer (site, organisation) the event belongs to, when the app has tenants
    #: (SPEC §15). Optional: absent from the JSON when not set.
    tenant: str | None = None

    @classmethod
    def create(cls, event: str, category: str, action: Action, *, at_ns: int | None = None,
               **fields: Any) -> AuditEvent:
        """A new event stamped with a fresh id and ``time`` — now, or ``at_ns`` (Unix ns)
        when the call happened earlier than the event is built (deferred building)."""
        now_ns = time.time_ns() if at_ns is None else at_ns
        if cls is not AuditEvent:  # a subclass may add slots: the twin would not fit
            return cls(event, category, action, id=uuid7(now_ns),
                       time=format_time_ns(now_ns), **fields)
        made: Any = _Draft(event, category, action, id=uuid7(now_ns),
                           time=format_time_ns(now_ns), **fields)
        made.__class__ = AuditEvent
        return made  # type: ignore[no-any-return]

    def with_(self, **changes: Any) -> AuditEvent:
        return replace(self, **changes)

    def to_dict(self, trace: dict[str, str] | None = None) -> dict[str, Any]:
        """The event as the one dict shape; ``trace``, when given, is its ``trace`` as it
        is (the pipeline's, read in the caller's thread), else a copy of the event's."""
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "id": self.id,
            "time": self.time,
            "event": self.event,
            "category": self.category,
            "action": self.action,
            "outcome": self.outcome,
            "actor": self.actor.to_dict(),
            "client": self.client.to_dict(),
            "channel": self.channel,
            "source": self.source,
            "target": self.target.to_dict(),
            "details": self.details,
            "request": self.request.to_dict(),
            "trace": dict(self.trace) if trace is None else trace,
            "duration_ms": self.duration_ms,
            "service": dict(self.service),
        }
        if self.error is not None:
            out["error"] = self.error.to_dict()
        if self.tenant is not None:
            out["tenant"] = self.tenant
        if self.integrity is not None:
            out["integrity"] = dict(self.integrity)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AuditEvent:
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not an {SCHEMA} event: schema={data.get('schema')!r}")
        error = data.get("error")
        return cls(
            event=data["event"],
            category=data["category"],
            action=data["action"],
            outcome=data["outcome"],
            actor=Actor.from_dict(data.get("actor") or {}),
            client=Client.from_dict(data.get("client") or {}),
            channel=data["channel"],
            source=data["source"],
            target=Target.from_dict(data.get("target") or {}),
            details=dict(data.get("details") or {}),
            request=RequestInfo.from_dict(data.get("request") or {}),
            duration_ms=data.get("duration_ms", 0.0),
            error=ErrorInfo(error["type"], error["message"]) if error else None,
            id=data["id"],
            time=data["time"],
            trace=dict(data.get("trace") or {}),
            service=dict(data.get("service") or {}),
            integrity=dict(data["integrity"]) if data.get("integrity") else None,
            tenant=data.get("tenant"),
        )


# The frozen dataclass's __init__ sets each of its 19 members through object.__setattr__,
# five times the cost of a plain one; every audited call builds an event. ``create``
# fills this mutable twin (same members, same slots, same defaults) and then makes it an
# AuditEvent, frozen from then on like any other.
_Draft = make_dataclass(
    "_Draft",
    [(f.name, f.type, field(default=f.default, default_factory=f.default_factory))
     for f in fields(AuditEvent)],
    slots=True)
