"""Resolver-side capture: a graphql-core middleware that audits catalogued root fields.

``AuditResolverMiddleware(trail)`` goes wherever graphql-core takes ``middleware=[...]``:
``graphql.graphql(...)``/``execute(...)``, Ariadne's handlers and ``graphql()`` functions,
Graphene's ``schema.execute(...)``. Strawberry wraps it as a schema extension
(``auditmw_strawberry.AuditExtension``). Sync and async resolvers alike.

Only top-level fields of the operation are candidates, matched by field name (aliases
ignored) against the catalogue for the operation type. For each one the hook knows the
exact outcome by the one rule of :mod:`auditmw.outcome`: the resolver returned
(``success``, unless the entry's ``outcome_path`` says the payload failed), raised or
returned an exception (``failure``; ``denied`` for permission errors, HTTP 401/403
exceptions, ``capture.denied_errors``...). Inside a
request watched by the HTTP middleware the facts are handed to it
(:data:`auditmw.context.current_request`) and it records the one event; otherwise the hook
records it itself with ``source = "graphql"``. Nested fields cost one attribute check.

:func:`instrument` installs the middleware into every graphql-core execution without a
code change (for the ``auditmw run`` launcher).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from auditmw.capture import ip as ip_rules
from auditmw.capture.actor import actor_from_user, context_reader
from auditmw.context import FieldFacts, acting_actor, current_request
from auditmw.event import (
    ANONYMOUS,
    Actor,
    AuditEvent,
    Channel,
    Client,
    ErrorInfo,
    Outcome,
    RequestInfo,
    Target,
)
from auditmw.outcome import (
    DEFAULT_RULES,
    DENIED_CODES,
    DeniedCheck,
    OutcomeRules,
    camel_case,
    outcome_of_field,
    target_of,
)
from auditmw.outcome import member as _member

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

    from auditmw.catalog import Entry
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

ActorFromContext = Callable[[Any], Actor | None]

class AuditUnavailable(GraphQLError):
    """The field was refused (``delivery.fail_closed``): the audit trail is failing."""

    def __init__(self, message: str = "refused: the audit trail is failing") -> None:
        super().__init__(message, extensions={"code": "AUDIT_UNAVAILABLE"})


# Set while a hook runs a field's resolver chain: a second hook installed on the same
# execution (a launcher patch plus a hand-written middleware) then passes through, so a
# field execution is recorded once however many hooks are stacked.
# It holds the trail being recorded into: a hook for another trail still records.
_inside_hook: ContextVar[object] = ContextVar("auditmw_inside_field_hook", default=None)


# -- reading the GraphQL context --------------------------------------------------------

def default_actor_from_context(context: Any) -> Actor | None:
    """The user of a GraphQL context, by the common conventions: ``context.user`` /
    ``context["user"]`` (or ``current_user``); the request's user (``request.user``,
    ASGI ``scope["user"]``, WSGI ``REMOTE_USER``) where the request is
    ``context["request"]``,
    ``context.request`` or the context itself (Graphene's habit)."""
    if context is None:
        return None
    for key in ("user", "current_user"):
        actor = actor_from_user(_member(context, key))
        if actor is not None:
            return actor
    request = _member(context, "request") or context
    for candidate in (_member(request, "user"), _member(_member(request, "scope"), "user"),
                      _member(request, "REMOTE_USER"),
                      _member(_member(request, "environ"), "REMOTE_USER")):
        actor = actor_from_user(candidate)
        if actor is not None:
            return actor
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class RequestView:
    """The HTTP facts a hook can read from a framework request in the context."""

    peer: str | None
    headers: Mapping[str, str]
    method: str | None
    path: str | None


def request_view(context: Any) -> RequestView | None:
    """Read an ASGI ``scope`` (Starlette/FastAPI requests, Strawberry and Ariadne ASGI
    contexts) or a WSGI environ (Flask/werkzeug ``request.environ``, Django ``META``,
    Ariadne's WSGI context) from the context; ``None`` when there is no request."""
    request = _member(context, "request") or context
    scope = request if _member(request, "type") in ("http", "websocket") \
        else _member(request, "scope")
    if isinstance(scope, Mapping) and scope.get("type") in ("http", "websocket"):
        headers = {bytes(k).decode("latin-1").lower(): bytes(v).decode("latin-1")
                   for k, v in scope.get("headers") or ()}
        client = scope.get("client")
        return RequestView(client[0] if client else None, headers,
                           scope.get("method"), scope.get("path"))
    environ = next((e for e in (request, _member(request, "environ"), _member(request, "META"))
                    if isinstance(e, Mapping) and "REQUEST_METHOD" in e), None)
    if environ is None:
        return None
    headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items()
               if isinstance(k, str) and k.startswith("HTTP_")}
    return RequestView(environ.get("REMOTE_ADDR"), headers, environ.get("REQUEST_METHOD"),
                       environ.get("PATH_INFO"))


# -- outcomes, arguments, targets --------------------------------------------------------

def is_denied_error(exc: BaseException, rules: OutcomeRules = DEFAULT_RULES) -> bool:
    """Whether ``exc`` is a denial by the one rule (:mod:`auditmw.outcome`), directly or
    as the ``original_error``/``__cause__`` it wraps."""
    return rules.is_denied(exc)


def plain(value: Any, depth: int = 0) -> Any:
    """Arguments as plain JSON-shaped data (input dataclasses, enums, tuples), so the
    redaction processor sees every key."""
    if depth > 32:
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value, depth + 1)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name, None), depth + 1)
                for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def wire_arguments(info: GraphQLResolveInfo, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments under their GraphQL names, as on the wire: Graphene (and any schema with
    ``out_name``) hands resolvers Python names (``view_id`` for ``viewId``)."""
    definition = info.parent_type.fields.get(info.field_name)
    return _rename(args, definition.args if definition else {})


def _rename(values: Mapping[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    by_out = {(d.out_name or name): (name, d.type) for name, d in definitions.items()}
    out: dict[str, Any] = {}
    for key, value in values.items():
        name, kind = by_out.get(key, (key, None))
        out[name] = _wire_value(value, kind)
    return out


def _wire_value(value: Any, kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList) and isinstance(value, list | tuple):
        return [_wire_value(v, kind.of_type) for v in value]
    if isinstance(kind, GraphQLInputObjectType) and isinstance(value, Mapping):
        return _rename(value, kind.fields)
    return value


def _object_type_name(info: GraphQLResolveInfo) -> str | None:
    named = get_named_type(info.return_type)
    return named.name if isinstance(named, GraphQLObjectType) else None


def find_target(entry: Entry, info: GraphQLResolveInfo, result: Any,
                arguments: Mapping[str, Any]) -> Target:
    """The one target rule (:func:`auditmw.outcome.target_of`), with the GraphQL type
    names the schema knows: the field's type, and those of a payload's members."""
    named = get_named_type(info.return_type)

    def member_type(name: str) -> str | None:
        fields = named.fields if isinstance(named, GraphQLObjectType) else {}
        field = fields.get(name) or fields.get(camel_case(name))  # Python attribute names
        if field is None:
            return None
        inner = get_named_type(field.type)
        return inner.name if isinstance(inner, GraphQLObjectType) else None

    return target_of(entry.target, result, arguments, type_name=_object_type_name(info),
                     member_type=member_type)


# -- the middleware -----------------------------------------------------------------------

class AuditResolverMiddleware:
    """graphql-core middleware: ``middleware=[AuditResolverMiddleware(trail)]``.

    ``actor_from_context`` reads the user from ``info.context`` (default:
    :func:`default_actor_from_context`); ``is_denied`` names more denials on top of the
    one rule (``trail.outcome_rules``, :mod:`auditmw.outcome`), e.g. Strawberry's
    permission refusals. Nothing it does raises into the execution.
    """

    def __init__(self, trail: AuditTrail, *, actor_from_context: ActorFromContext | None = None,
                 is_denied: DeniedCheck | None = None) -> None:
        self.trail = trail
        # `graphql_context:KEY.PATH` sources first, then the given or default conventions
        sources = list(trail.config.actor.sources)
        if actor_from_context is not None and "graphql_context" not in sources:
            sources.append("graphql_context")
        self.actor_from_context = context_reader(
            sources, actor_from_context or default_actor_from_context)
        self.is_denied = is_denied

    def resolve(self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo,
                **args: Any) -> Any:
        if info.path.prev is not None or _inside_hook.get() is self.trail:
            return next_(root, info, **args)
        entry = self.trail.catalog.match(info.field_name, info.operation.operation.value)
        if entry is None:
            return next_(root, info, **args)
        return self.run(entry, next_, root, info, args)

    def run(self, entry: Entry, next_: Callable[..., Any], root: Any,
            info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
        """Run one catalogued root field's resolver chain (``next_``) and audit it.

        With ``delivery.fail_closed`` and the durable sink failing, the field is refused
        before anything of the app runs: a GraphQL error, the refused attempt offered to
        the sinks, the resolver never called."""
        if self._refuse_now():
            self.finish(entry, info, args, started=time.perf_counter(), result=None,
                        exc=AuditUnavailable(), refused=True)
            raise AuditUnavailable()
        started = time.perf_counter()
        token = _inside_hook.set(self.trail)
        try:
            result = next_(root, info, **args)
        except BaseException as exc:
            self.finish(entry, info, args, started=started, result=None, exc=exc)
            raise
        finally:
            _inside_hook.reset(token)
        if isawaitable(result):
            return self._finish_later(entry, info, args, started, result)
        if not self.finish(entry, info, args, started=started, result=result, exc=None):
            raise AuditUnavailable("the call ran but its audit event could not be kept")
        return result

    def _refuse_now(self) -> bool:
        try:
            trail = self.trail
            return bool(trail.config.delivery.fail_closed) and not trail.healthy()
        except Exception:
            log.exception("auditmw: fail-closed check failed")
            return False

    async def _finish_later(self, entry: Entry, info: GraphQLResolveInfo, args: dict[str, Any],
                            started: float, pending: Awaitable[Any]) -> Any:
        try:
            result = await pending
        except BaseException as exc:  # CancelledError too: the call may have had effects
            self.finish(entry, info, args, started=started, result=None, exc=exc)
            raise
        if not self.finish(entry, info, args, started=started, result=result, exc=None):
            raise AuditUnavailable("the call ran but its audit event could not be kept")
        return result

    def finish(self, entry: Entry, info: GraphQLResolveInfo, args: dict[str, Any], *,
               started: float, result: Any, exc: BaseException | None,
               refused: bool = False) -> bool:
        """Hand one field execution's facts to the HTTP door, or record them; ``False``
        only when ``fail_closed`` and the event this hook wrote was not kept."""
        try:
            duration = round((time.perf_counter() - started) * 1000, 3)
            if exc is None and isinstance(result, Exception):  # returned, not raised
                exc, result = result, None
            if refused:
                outcome: Outcome = "failure"
                error: ErrorInfo | None = ErrorInfo(type(exc).__name__, str(exc))
            else:
                outcome, error = outcome_of_field(
                    error=exc, value=result, outcome_path=entry.outcome_path,
                    rules=getattr(self.trail, "outcome_rules", DEFAULT_RULES),
                    also_denied=self.is_denied)
            arguments = plain(wire_arguments(info, args))
            target = find_target(entry, info, result, arguments)
            actor = self.actor_from_context(info.context)
            operation = info.operation.name.value if info.operation.name else None
            state = current_request.get()
            if state is not None and state.collect:
                state.fields.append(FieldFacts(
                    event=entry.name, response_key=str(info.path.key), operation_name=operation,
                    outcome=outcome, arguments=arguments, target=target, actor=actor,
                    error=error, duration_ms=duration, field_name=info.field_name))
                return True
            method: str | None
            path: str | None
            if state is not None:  # a socket: the door's context, recorded now
                client, channel = state.client, state.channel
                method, path = state.method, state.path
                actor = actor or state.actor
            else:
                view = request_view(info.context)
                client, channel = self._client(view), self._channel(view)
                method = view.method if view else None
                path = view.path if view else None
            kept = self.trail.emit(AuditEvent.create(
                entry.name, entry.category, entry.action, outcome=outcome,
                actor=actor or acting_actor.get() or ANONYMOUS,
                client=client, channel=channel, source="graphql",
                target=target, details=arguments,
                request=RequestInfo(method=method, path=path, operation=operation,
                                    id=state.request_id if state is not None else None),
                duration_ms=duration, error=error))
            return kept or refused or not self.trail.config.delivery.fail_closed
        except Exception:
            log.exception("auditmw: could not record GraphQL field %s", entry.name)
            return True

    def _client(self, view: RequestView | None) -> Client:
        if view is None:
            return Client()
        networks = ip_rules.parse_networks(self.trail.config.capture.trusted_proxies) \
            if hasattr(ip_rules, "parse_networks") else ()
        ip, forwarded = view.peer, None
        if networks and hasattr(ip_rules, "resolve_client_ip"):
            ip, forwarded = ip_rules.resolve_client_ip(
                view.peer, networks, view.headers.get("forwarded"),
                view.headers.get("x-forwarded-for"),
                self.trail.config.capture.forwarded_header)
        return Client(ip=ip, user_agent=view.headers.get("user-agent"), forwarded=forwarded)

    def _channel(self, view: RequestView | None) -> Channel:
        if view is None:
            return "system"
        wanted = self.trail.config.capture.api_credential_headers
        return "api" if any(name in view.headers for name in wanted) else "ui"


# -- installing without code changes ------------------------------------------------------

def find_auditor(middleware: Any) -> AuditResolverMiddleware | None:
    """The auditing middleware already in a ``middleware`` argument (a list or a
    ``MiddlewareManager``), itself or carried by a wrapper such as the Strawberry
    extension (its ``auditor`` attribute); ``None`` when there is none."""
    items = getattr(middleware, "middlewares", middleware)
    if not isinstance(items, list | tuple):
        return None
    for item in items:
        for candidate in (item, getattr(item, "auditor", None)):
            if isinstance(candidate, AuditResolverMiddleware):
                return candidate
    return None


def instrument(trail: AuditTrail, *, actor_from_context: ActorFromContext | None = None) -> bool:
    """Audit every graphql-core execution in this process (see
    :mod:`auditmw.graphql_instrument`); ``True`` when newly installed."""
    from auditmw.graphql_instrument import instrument as install

    return install(trail, actor_from_context=actor_from_context)


def uninstrument() -> bool:
    """Undo :func:`instrument`; ``True`` when something was removed."""
    from auditmw.graphql_instrument import uninstrument as remove

    return remove()


__all__ = [
    "DENIED_CODES", "AuditResolverMiddleware", "AuditUnavailable", "RequestView", "actor_from_user",
    "default_actor_from_context", "find_auditor", "find_target", "instrument",
    "is_denied_error", "plain", "request_view", "uninstrument", "wire_arguments",
]
