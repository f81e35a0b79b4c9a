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
exceptions, ``capture.denied_errors``...). Inside a request watched by the HTTP
middleware the facts are handed to it (:data:`auditmw.context.current_request`) and it
records the one event; otherwise the hook records it itself with ``source = "graphql"``.
Nested fields cost one attribute check.

The execution hook (:mod:`auditmw.graphql.hook`) runs the same
:meth:`AuditResolverMiddleware.run` for every graphql-core execution, no code change.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from graphql.pyutils import is_awaitable

from auditmw.capture import ip as ip_rules
from auditmw.capture.actor import context_reader
from auditmw.capture.tenant import TenantRule
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
from auditmw.graphql.context_reading import RequestView, default_actor_from_context, request_view
from auditmw.graphql.fields import SeenTarget, TargetReader, settle, snapshot_arguments
from auditmw.outcome import DEFAULT_RULES, DeniedCheck, outcome_of_field

if TYPE_CHECKING:
    from graphql import GraphQLField, GraphQLResolveInfo

    from auditmw.catalog import Entry
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

ActorFromContext = Callable[[Any], Actor | None]
# What a resolver returns that is never awaitable: no need to ask graphql-core.
_SETTLED = frozenset({dict, list, tuple, str, int, float, bool, type(None)})
# The placeholder target of facts whose target is finished later (Target is frozen).
_NO_TARGET = Target()
_NO_CLIENT = Client()  # frozen: one for every event recorded outside a request

class AuditUnavailable(GraphQLError):
    """The field was refused (``delivery.fail_closed``): the audit trail is failing."""

    def __init__(self, message: str = "refused: the audit trail is failing") -> None:
        super().__init__(message, extensions={"code": "AUDIT_UNAVAILABLE"})


#: The arguments of hook facts until they are settled: never changed (settling puts
#: the facts' own dict in its place), one dict fewer per queued field.
_UNSETTLED: dict[str, Any] = {}


class HookFacts(FieldFacts):
    """The execution hook's facts of one field, ``arguments`` and ``target`` left
    unfinished: the snapshot of the arguments and the target rule's reading of the value
    (read on the request thread), finished by :meth:`settled` wherever the event is
    built. They hold :func:`~.fields.settle`'s inputs themselves, not a ``partial`` of
    it: two objects fewer per queued field for the garbage collector (issue 21)."""

    __slots__ = ("_definition", "_entry", "_seen", "_snapshot")

    def __init__(self, entry: Entry, definition: GraphQLField | None,
                 snapshot: dict[str, Any], seen: SeenTarget, *, response_key: str,
                 operation_name: str | None, outcome: Outcome, actor: Actor | None,
                 error: ErrorInfo | None, duration_ms: float, field_name: str) -> None:
        self.event = entry.name
        self.response_key = response_key
        self.operation_name = operation_name
        self.outcome = outcome
        self.arguments = _UNSETTLED
        self.target = _NO_TARGET
        self.actor = actor
        self.error = error
        self.duration_ms = duration_ms
        self.field_name = field_name
        self.complete = None
        self._entry: Entry | None = entry
        self._definition = definition
        self._snapshot = snapshot
        self._seen: SeenTarget | None = seen

    def settled(self) -> FieldFacts:
        """These facts with ``arguments`` and ``target`` final (settled once)."""
        entry, seen = self._entry, self._seen
        if entry is not None and seen is not None:
            self._entry = self._seen = None
            self.arguments, self.target = settle(entry, self._definition, self._snapshot,
                                                 seen)
            self._definition, self._snapshot = None, _UNSETTLED  # let the inputs go
        return self


# Set while a hook runs a field's resolver chain: a second hook installed on the same
# execution (a launcher patch plus a hand-written middleware) then passes through, so a
# field execution is recorded once however many hooks are stacked.
# It holds the trail being recorded into: a hook for another trail still records.
_inside_hook: ContextVar[object] = ContextVar("auditmw_inside_field_hook", default=None)


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
        # `capture.tenant = "graphql_context:KEY.PATH"`: the tenant only the context knows
        rule = TenantRule.parse(trail.config.capture.tenant) \
            if trail.config.capture.tenant else None
        self.tenant_rule = rule if rule is not None and rule.kind == "graphql_context" \
            else None
        self._rules = getattr(trail, "outcome_rules", DEFAULT_RULES)
        self._targets = TargetReader()
        # parsed once: the no-door path (a script, a worker) reads it per event
        self._networks = ip_rules.parse_networks(trail.config.capture.trusted_proxies)

    def resolve(self, next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo,
                **args: Any) -> Any:
        if info.path.prev is not None or _inside_hook.get() is self.trail:
            return next_(root, info, **args)
        entry = self.trail.catalog.match(info.field_name, info.operation.operation.value)
        if entry is None:
            return next_(root, info, **args)
        return self.run(entry, next_, root, info, **args)

    def run(self, entry: Entry, next_: Callable[..., Any], root: Any,
            info: GraphQLResolveInfo, /, **args: Any) -> Any:
        """Run one catalogued root field's resolver chain (``next_``) and audit it:
        ``run(entry, next_, root, info, **args)``, called as a resolver is (the execution
        hook's ``partial(run, entry, next_)``). The leading parameters are positional
        only, so no GraphQL argument name can meet them; ``args`` is this call's own
        dict: the resolver is handed a copy, and the audit keeps a snapshot of its
        values in it.

        With ``delivery.fail_closed`` and the durable sink failing, the field is refused
        before anything of the app runs: a GraphQL error, the refused attempt offered to
        the sinks, the resolver never called."""
        if self.trail.policy.fail_closed and self._refuse_now():
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
        if type(result) not in _SETTLED and is_awaitable(result):
            return self._finish_later(entry, info, args, started, result)
        if not self.finish(entry, info, args, started=started, result=result, exc=None):
            raise AuditUnavailable("the call ran but its audit event could not be kept")
        return result

    def _refuse_now(self) -> bool:
        try:
            trail = self.trail
            return trail.policy.fail_closed and not trail.healthy()
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
        only when ``fail_closed`` and the event this hook wrote was not kept.

        This thread reads what only it can (the outcome, the context's actor, the
        door's state) and what may change once the resolver returned (a snapshot of the
        arguments, the target rule's reading of the value). Turning the arguments into
        plain data under their wire names, finishing the target and building the event
        happen where the event is built: a delivery thread in async mode, here in
        ``sync`` mode and with ``fail_closed``."""
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
                    rules=self._rules, also_denied=self.is_denied)
            definition = info.parent_type.fields.get(info.field_name)
            arguments = snapshot_arguments(args)
            seen = self._targets.read(entry, info, result)
            actor = self.actor_from_context(info.context)
            tenant = (self.tenant_rule.of_graphql_context(info.context)
                      if self.tenant_rule is not None else None)
            operation = info.operation.name.value if info.operation.name else None
            state = current_request.get()
            if state is not None and tenant is not None and state.tenant is None:
                state.tenant = tenant  # every event of the request carries it
            if state is not None and state.collect:
                state.fields.append(HookFacts(
                    entry, definition, arguments, seen, response_key=str(info.path.key),
                    operation_name=operation, outcome=outcome, actor=actor, error=error,
                    duration_ms=duration, field_name=info.field_name))
                return True
            late = getattr(state, "late", None) if state is not None else None
            if late is not None and not refused and not late.ran(entry.name):
                # after the door's end: the answer showed this field and its wire record
                # is written already, standing for this execution (capture/late_wire.py)
                return True
            complete = partial(settle, entry, definition, arguments, seen)
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
            request_id = state.request_id if state is not None else None
            actor = actor or acting_actor.get() or ANONYMOUS
            at_ns = time.time_ns()

            def build() -> list[AuditEvent]:
                # plain values only: made wherever the event is built
                arguments, target = complete()
                request = RequestInfo(method=method, path=path, operation=operation,
                                      id=request_id)
                return [AuditEvent.create(
                    entry.name, entry.category, entry.action, at_ns=at_ns, target=target,
                    details=arguments, outcome=outcome, actor=actor, client=client,
                    channel=channel, source="graphql", request=request,
                    duration_ms=duration, error=error, tenant=tenant)]

            # built in a delivery thread with policy.build_later; here in sync mode and
            # with fail_closed (the answer waits for the event)
            kept = self.trail.emit_later(build, weight=0)
            return kept or refused or not self.trail.policy.fail_closed
        except Exception:
            log.exception("auditmw: could not record GraphQL field %s", entry.name)
            return True

    def _client(self, view: RequestView | None) -> Client:
        if view is None:
            return _NO_CLIENT
        capture = self.trail.config.capture
        ip, forwarded = view.peer, None
        if self._networks:
            ip, forwarded = ip_rules.resolve_client_ip(
                view.peer, self._networks, view.headers.get("forwarded"),
                view.headers.get("x-forwarded-for"), capture.forwarded_header)
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
