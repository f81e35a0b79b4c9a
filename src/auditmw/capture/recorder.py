"""The framework-free request recorder shared by the ASGI and WSGI middleware.

:class:`HttpCapture` is built once per middleware from the trail's config and decides,
per request, whether to watch it (a GraphQL path, a mapped REST route, a login route,
or every request when the ``site_access`` idle gap is on). A :class:`Watch` carries
one watched request: it opens the :class:`~auditmw.context.RequestState` that resolver
hooks deposit their facts into, analyses the request body, and when the response is
complete records exactly one event per field execution (see :meth:`Watch.finish`).
Every step is guarded: a failure here is logged and never reaches the app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import RESOLVED_KEY, ActorSources, as_actor, load_resolver
from auditmw.capture.documents import DocumentAnalyzer, FieldCall, calls_for
from auditmw.capture.ip import parse_networks, peer_is_trusted, resolve_client_ip
from auditmw.capture.login import login_actor, login_outcome, submitted_username
from auditmw.capture.outcome import status_outcome
from auditmw.capture.prefilter import QuietBodies
from auditmw.capture.request import NOTHING, WireRequest, inflate, read_wire
from auditmw.capture.request_events import RequestEvents, may_have_run
from auditmw.capture.routes import RouteMatch, RouteTable, login_routes
from auditmw.capture.site_access import SITE_ACCESS_EVENT, IdleTracker
from auditmw.capture.tenant import TenantRequest, TenantRule
from auditmw.context import FieldFacts, RequestState, execution_hook
from auditmw.event import (
    ANONYMOUS,
    Actor,
    AuditEvent,
    Channel,
    Client,
    ErrorInfo,
)

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.capture")

BASE_HEADERS = ("content-type", "content-encoding", "content-length", "user-agent",
                "forwarded", "x-forwarded-for", "x-request-id")
REFUSED_BODY = b'{"message":"Audit trail unavailable"}'
CLIENT_MEMO_SIZE = 1024  # the clients (address, user agent, proxy chain) seen lately
TOO_LARGE_BODY = b'{"message":"Request body too large"}'


class HttpCapture:
    """Per-middleware compiled config: which requests to watch and how to read them."""

    def __init__(self, trail: AuditTrail, *,
                 actor_getter: Callable[[Any], Any] | None = None,
                 names_resolved: bool = False) -> None:
        cfg = trail.config.capture
        self.trail = trail
        paths = {p.rstrip("/") or "/" for p in cfg.graphql_paths}
        self.graphql_paths = frozenset(paths | {p + "/" for p in paths if p != "/"})
        self.max_body = cfg.max_body_bytes
        self.routes = RouteTable(cfg.routes, trail.catalog)
        if self.routes.named and not names_resolved:
            # only a front door that resolves URL names (Django's middleware) can match them
            log.warning("auditmw: capture.routes with url_name are matched by the Django "
                        "middleware only; this ASGI/WSGI middleware records none of them")
        self.login = login_routes(cfg.site_access.routes)
        idle_s = cfg.site_access.idle_s
        self.idle = IdleTracker(idle_s) if idle_s else None
        self.site_entry = trail.catalog.get(SITE_ACCESS_EVENT)
        if self.site_entry is None:  # category or event turned off: nothing to record
            self.login, self.idle = {}, None
        self.networks = parse_networks(cfg.trusted_proxies)
        self.forwarded_header = cfg.forwarded_header
        self.api_headers = tuple(cfg.api_credential_headers)
        self._api_header_set = frozenset(self.api_headers)  # the channel test per request
        self.actor_sources = ActorSources(trail.config.actor)
        self.resolver = actor_getter or load_resolver(trail.config.actor.resolver)
        self.analyzer = DocumentAnalyzer(trail.catalog)
        #: ``capture.oversize = "refuse"``: a GraphQL body past the limit gets 413.
        self.refuse_oversize = cfg.oversize == "refuse"
        #: Where the events are built and what the doors hold back: the trail's one
        #: :class:`~auditmw.delivery.policy.DeliveryPolicy`.
        self.policy = trail.policy
        self.tenant_rule = TenantRule.parse(cfg.tenant) if cfg.tenant else None
        self.header_names = frozenset(
            (*BASE_HEADERS, *self.api_headers, *self.actor_sources.header_names,
             *(self.tenant_rule.header_names if self.tenant_rule else ())))
        #: Paths other than the GraphQL ones need a look at all.
        self.watch_other = bool(self.routes) or bool(self.login) or self.idle is not None
        self.quiet_bodies = QuietBodies(self.analyzer)
        self._clients: dict[tuple[str | None, str | None, str | None], Client] = {}

    @property
    def hook_active(self) -> bool:
        """graphql-core's execution hook is installed in this process."""
        return execution_hook.installed

    def nothing_to_watch(self, body: bytes) -> bool:
        """The fast path: ``body`` certainly executes nothing catalogued
        (:mod:`auditmw.capture.prefilter`)."""
        return self.quiet_bodies.quiet(body)

    def other_watch(self, method: str, path: str) -> tuple[RouteMatch | None, bool] | None:
        """For a non-GraphQL path: ``(route, is_login)``, or ``None`` to pass through."""
        route = self.routes.match(method, path) if self.routes else None
        logins = self.login.get(method)
        is_login = bool(logins) and any(p.match(path) for p in logins or ())
        if route is None and not is_login and self.idle is None:
            return None
        return route, is_login

    def open(self, method: str, path: str, query_string: bytes | str, peer: str | None,
             headers: Mapping[str, str]) -> Watch:
        ip, chain = resolve_client_ip(peer, self.networks, headers.get("forwarded"),
                                      headers.get("x-forwarded-for"), self.forwarded_header)
        user_agent = headers.get("user-agent")
        key = (ip, user_agent, chain)
        client = self._clients.get(key)
        if client is None:  # a Client is immutable: one per address and agent is shared
            if len(self._clients) >= CLIENT_MEMO_SIZE:
                self._clients.clear()
            client = self._clients[key] = Client(ip=ip, user_agent=user_agent,
                                                 forwarded=chain)
        channel: Channel = "ui" if self._api_header_set.isdisjoint(headers) else "api"
        state = RequestState(method=method, path=path, client=client, channel=channel,
                             request_id=headers.get("x-request-id"))
        trusted_peer = bool(self.networks) and peer_is_trusted(peer, self.networks)
        if self.tenant_rule is not None and not self.tenant_rule.needs_native:
            state.tenant = self.tenant_rule.of(
                TenantRequest(method, path, headers, trusted_peer))
        return Watch(self, state, headers, query_string, trusted_peer)

    def resolve_early(self, state: RequestState, native: Any) -> None:
        """Ask the resolver now, while the framework's request context still exists
        (the Flask adapter calls this in ``teardown_request``); the answer is used when
        the request's events are built."""
        if self.resolver is None or RESOLVED_KEY in state.extra:
            return
        try:
            state.extra[RESOLVED_KEY] = as_actor(self.resolver(native))
        except Exception:
            state.extra[RESOLVED_KEY] = None
            log.exception("auditmw: the actor resolver failed")


class Watch(RequestEvents):
    """One watched request, from its body to its events."""

    # What most requests never set lives on the class (an instance sets its own when it
    # has one): fewer stores for each request on its own thread.
    wire: WireRequest = NOTHING
    _unread: tuple[bytes | None] | None = None  # a body read only if needed
    route: RouteMatch | None = None
    is_login = False
    #: A redirect's ``Location`` (set by the middleware), for ``denied_redirect``.
    location: str | None = None
    _native: Any = None  # the ASGI scope or WSGI environ, for the actor resolver
    # login routes: what the client submitted and how the app answered
    login_username: str | None = None
    response_type: str | None = None
    at_ns: int | None = None  # set when the response is complete
    request_bytes = 0  # the GraphQL request body read, for the queue's byte bound

    def __init__(self, capture: HttpCapture, state: RequestState,
                 headers: Mapping[str, str], query_string: bytes | str,
                 trusted_peer: bool) -> None:
        self.capture = capture
        self.state = state
        self.headers = headers
        self.query_string = query_string
        self.trusted_peer = trusted_peer
        self.calls: list[FieldCall] = []
        self.started = time.perf_counter()

    @property
    def native(self) -> Any:
        return self._native

    @native.setter
    def native(self, value: Any) -> None:
        self._native = value
        rule = self.capture.tenant_rule
        if value is not None and rule is not None and rule.needs_native:
            state = self.state
            state.tenant = rule.of(TenantRequest(state.method, state.path, self.headers,
                                                 self.trusted_peer, value))

    # -- before the app -------------------------------------------------------------

    def analyse_graphql(self, body: bytes | None) -> None:
        """Find the catalogued fields the request executes (``body`` is ``None`` when it
        was too large or unreadable: then only the execution hook can tell).

        With the execution hook installed (and no ``fail_closed``, which must refuse
        before the app), the wire is only read if the hook saw nothing run — lazily,
        when the events are built (in a delivery thread in async mode)."""
        if self.capture.hook_active and not self.capture.policy.fail_closed:
            self.request_bytes = len(body or b"")
            self._unread = (body,)
            return
        self._read_wire(body)

    def wire_needed(self) -> bool:
        """At the response's start: the request's wire reading may still matter (the hook
        saw no execution), so its response body is worth keeping."""
        return self._unread is not None and not self.state.executions \
            and not self.state.fields

    def _settle_wire(self) -> None:
        if self._unread is not None:
            body, = self._unread
            self._unread = None
            self._read_wire(body)

    def _read_wire(self, body: bytes | None) -> None:
        try:
            if body is not None and self.headers.get("content-encoding"):
                body = inflate(body, self.headers["content-encoding"],
                                        self.capture.max_body)
            if body is None and self.state.method != "GET":
                return
            self.request_bytes = len(body or b"")  # held until the events are built
            self.wire = read_wire(self.state.method, self.query_string,
                                  self.headers.get("content-type"), body)
            calls: list[FieldCall] = []
            for index, op in enumerate(self.wire.operations):
                if op.query is None:
                    continue  # a persisted query: only its hash is on the wire
                plan = self.capture.analyzer.plan(op.query)
                if plan:
                    calls.extend(calls_for(plan, op.operation_name, op.variables, index))
            self.calls = calls
        except Exception:
            log.exception("auditmw: could not analyse a GraphQL request; passing it on")
            self.calls = []

    def read_login(self, body: bytes | None) -> None:
        """Note the username a login request submitted (never anything else of it)."""
        self.login_username = submitted_username(body, self.headers.get("content-type"))

    @property
    def catalogued(self) -> bool:
        return bool(self.calls) or self.route is not None or self.is_login

    @property
    def wants_response_body(self) -> bool:
        return bool(self.calls) or self.wire_needed()

    def refuse(self) -> bool:
        """``fail_closed`` and the durable sink is failing: refuse before the app runs.
        The refused attempts are still offered to the sinks (other ones may be up)."""
        try:
            if not (self.capture.policy.fail_closed and self.catalogued
                    and not self.capture.trail.healthy()):
                return False
            error = ErrorInfo("AuditUnavailable", "refused: the audit trail is failing")
            for event in self._events(503, None, None, refused=error):
                self.capture.trail.emit(event)
            return True
        except Exception:
            log.exception("auditmw: fail-closed check failed")
            return False

    # -- after the app --------------------------------------------------------------

    def finish(self, status: int | None, response_encoding: str | None,
               body: bytes | None, exc: BaseException | None = None) -> bool:
        """Record every event of the request; ``False`` if one was not kept.

        This thread settles only what needs the live request — the actors, the
        duration — and hands the rest (outcomes parsed from the response, targets, the
        events themselves) to :meth:`AuditTrail.emit_later`, which builds them in a
        delivery thread when ``policy.build_later`` says so.
        """
        try:
            trail = self.capture.trail
            self.at_ns = time.time_ns()  # the call's time, whichever thread builds events
            wire_needed = self.wire_needed()
            if self._unread is not None and not wire_needed:
                # The hook saw the operation run: its facts are the events and the body
                # is never read. (``request_bytes`` still weighs the pending item: the
                # facts' arguments came from that body.)
                self._unread = None
            if not self.calls and self.route is None and not self.state.fields \
                    and not wire_needed:
                # nothing catalogued ran (watched for site access only, or the hook saw
                # the operation run and nothing of it is catalogued); a wire left unread
                # while the hook saw nothing run is read where the events are built
                kept = True
            else:
                actor, field_actors = self._settle_actors()
                duration = round((time.perf_counter() - self.started) * 1000, 3)
                self.native = None  # nothing of the live request is kept past here
                kept = trail.emit_later(lambda: self._events(
                    status, response_encoding, body, exc=exc, settled=(actor, field_actors),
                    duration=duration), weight=len(body or b"") + self.request_bytes)
            self._site_access(status)
            return kept
        except Exception:
            log.exception("auditmw: could not record a request")
            return not self.catalogued

    def _request_actor(self, seen: Mapping[str, Any]) -> Actor | None:
        cap = self.capture
        if RESOLVED_KEY in seen:
            found = seen[RESOLVED_KEY]
            if found is not None:
                return found  # type: ignore[no-any-return]
        elif cap.resolver is not None and self.native is not None:
            try:
                found = as_actor(cap.resolver(self.native))
                if found is not None:
                    return found
            except Exception:
                log.exception("auditmw: the actor resolver failed")
        return cap.actor_sources.pick(seen, self.headers, self.trusted_peer)

    def _settle_actors(self) -> tuple[Actor | None, dict[int, Actor]]:
        """The request's actor, and each hook fact's (by ``id``), read now."""
        actor = self._request_actor(self.state.extra) or self.state.actor
        return actor, {id(f): self._field_actor(f, actor) for f in self.state.fields}

    def _events(self, status: int | None, encoding: str | None, body: bytes | None, *,
                exc: BaseException | None = None,
                refused: ErrorInfo | None = None,
                settled: tuple[Actor | None, dict[int, Actor]] | None = None,
                duration: float | None = None) -> Iterable[AuditEvent]:
        state = self.state
        actor, field_actors = settled or self._settle_actors()
        if duration is None:
            duration = round((time.perf_counter() - self.started) * 1000, 3)
        facts = list(state.fields)
        # What ran is decided where it runs: once the execution hook saw this request's
        # operation (or a resolver hook left facts), its facts are the events and the
        # door's own reading of the request is dropped.
        if state.executions or facts:
            calls: list[FieldCall] = []
        else:
            self._settle_wire()
            calls = self.calls
        outcomes = self._field_results(status, encoding, body) \
            if calls and refused is None and exc is None else {}
        hooked = self.capture.hook_active
        for i, call in enumerate(calls):
            got = outcomes.get(i)
            if refused is None and not may_have_run(status, got, exc, hooked=hooked):
                continue  # a redirect, a page, 404/405, or a field the result lacks
            yield self._field_event(call, None, got, status=status, actor=actor,
                                    duration=duration, exc=exc, refused=refused)
        for fact in facts:
            yield from self._facts_event(fact, status, field_actors.get(id(fact)) or actor)
        if self.route is not None:
            route_event = self._route_event(status, actor, duration, exc, refused)
            if route_event is not None:  # a redirect, not a success_status: nothing ran
                yield route_event

    def _field_actor(self, fact: FieldFacts | None, actor: Actor | None) -> Actor:
        if fact is not None and fact.actor is not None:
            seen = {**self.state.extra, "graphql_context": fact.actor}
            return self._request_actor(seen) or fact.actor
        return actor or ANONYMOUS

    def _site_access(self, status: int | None) -> None:
        cap = self.capture
        if cap.site_entry is None or (not self.is_login and cap.idle is None):
            return
        actor = self._request_actor(self.state.extra) or self.state.actor
        returning = (cap.idle is not None and actor is not None and actor.id is not None
                     and cap.idle.returning(actor.id))
        if not self.is_login and not returning:
            return
        if self.is_login:
            outcome, error = login_outcome(status, actor is not None, self.state.path,
                                           self.location, self.response_type)
            actor = login_actor(actor, self.login_username)
        else:
            outcome, error = status_outcome(status)
        cap.trail.record(SITE_ACCESS_EVENT, actor=actor or ANONYMOUS, outcome=outcome,
                         client=self.state.client, channel=self.state.channel,
                         source="rest", error=error,
                         request=self._request_info(status, None),
                         duration_ms=round((time.perf_counter() - self.started) * 1000, 3))


