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
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import (
    RESOLVED_KEY,
    ActorSources,
    as_actor,
    load_resolver,
    seen_key,
)
from auditmw.capture.documents import DocumentAnalyzer, FieldCall, calls_for
from auditmw.capture.ip import parse_networks, resolve_client_ip
from auditmw.capture.login import login_actor, login_outcome, submitted_username
from auditmw.capture.outcome import status_outcome
from auditmw.capture.prefilter import QuietBodies
from auditmw.capture.request import NOTHING, WireRequest, inflate, read_wire
from auditmw.capture.request_events import RequestEvents
from auditmw.capture.request_facts import HttpState, RequestFacts
from auditmw.capture.routes import RouteMatch, RouteTable, login_routes
from auditmw.capture.site_access import SITE_ACCESS_EVENT, IdleTracker
from auditmw.capture.tenant import TenantRequest, TenantRule
from auditmw.context import RequestState, execution_hook
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
    ends_later = False  # the door calls Watch.end (ASGI, WSGI): capture/late_wire.py

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
        #: The ``RequestState.extra`` keys the sources read (turned into actors when
        #: the response is complete: :meth:`Watch._seen_now`).
        self.seen_keys = frozenset(
            seen_key(s) for s in self.actor_sources.sources
            if not s.startswith("header:") and s not in ("jwt", "jwt:"))
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
        #: The door hands the live request (scope, environ) to the watch: the resolver
        #: or a tenant rule reads it.
        self.wants_native = self.resolver is not None or (
            self.tenant_rule is not None and self.tenant_rule.needs_native)
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
        """A watched request whose headers are already a dict (the Django door)."""
        return self.open_raw(method, path, query_string, peer, raw=headers,
                             read_headers=dict)

    def open_raw(self, method: str, path: str, query_string: bytes | str, peer: str | None,
                 *, raw: Any, read_headers: Callable[[Any], Mapping[str, str]]) -> Watch:
        """A watched request. ``raw`` is the door's immutable copy of the request's
        headers and ``read_headers(raw)`` their dict (lower-case name → value), made
        when first asked: the client, channel and request id are read from it where the
        events are built (a delivery thread in async mode), not before the app runs;
        only a ``capture.tenant`` rule reads it here."""
        watch = Watch(self, method, path, query_string=query_string, peer=peer, raw=raw,
                      read_headers=read_headers)
        rule = self.tenant_rule
        if rule is not None and not rule.needs_native:
            watch.state.tenant = rule.of(
                TenantRequest(method, path, watch.headers, watch.trusted_peer))
        return watch

    def client_of(self, peer: str | None, headers: Mapping[str, str]) -> Client:
        """The request's :class:`Client` (shared: one per address, agent and chain)."""
        ip, chain = resolve_client_ip(peer, self.networks, headers.get("forwarded"),
                                      headers.get("x-forwarded-for"), self.forwarded_header)
        user_agent = headers.get("user-agent")
        key = (ip, user_agent, chain)
        client = self._clients.get(key)
        if client is None:  # a Client is immutable: one per address and agent is shared
            if len(self._clients) >= CLIENT_MEMO_SIZE:
                self._clients.clear()  # a memo: a race here costs a Client, never a fact
            client = self._clients[key] = Client(ip=ip, user_agent=user_agent,
                                                 forwarded=chain)
        return client

    def channel_of(self, headers: Mapping[str, str]) -> Channel:
        return "ui" if self._api_header_set.isdisjoint(headers) else "api"

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


class Watch(RequestFacts, RequestEvents):
    """One watched request, from its body to its events."""

    # What most requests never set lives on the class (an instance sets its own when it
    # has one): fewer stores for each request on its own thread.
    wire: WireRequest = NOTHING
    _unread: tuple[bytes | None] | None = None  # a body read only if needed
    route: RouteMatch | None = None
    is_login = False
    #: A redirect's ``Location`` (set by the middleware), for ``denied_redirect``.
    location: str | None = None
    # login routes: what the client submitted and how the app answered
    login_username: str | None = None
    response_type: str | None = None
    at_ns: int | None = None  # set when the response is complete
    request_bytes = 0  # the GraphQL request body read, for the queue's byte bound
    ended: float | None = None  # perf_counter() when the response was complete
    #: The wire's catalogued calls, once read (a tuple: nothing per request until then).
    calls: Sequence[FieldCall] = ()
    # What :meth:`finish` settled for :meth:`__call__` (the build)
    _status: int | None
    _encoding: str | None
    _body: bytes | None
    _exc: BaseException | None
    _seen: dict[str, Any] | None
    _settled: tuple[Actor | None, dict[int, Actor]] | None

    def __init__(self, capture: HttpCapture, method: str, path: str, *,
                 query_string: bytes | str, peer: str | None, raw: Any,
                 read_headers: Callable[[Any], Mapping[str, str]]) -> None:
        self.capture = capture
        self.state = HttpState(method, path, capture, peer=peer, raw=raw,
                               read_headers=read_headers)
        self.query_string = query_string
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

    def body_cannot_matter(self) -> bool:
        """The events will not depend on the response body or on how producing it ends:
        the execution hook saw the operation run (its facts are the events, the wire is
        never read) and no route, login or site-access rule reads the answer. (Whether
        producing the body can run app code is the door's to know.)"""
        return bool(self.state.executions) and not self.calls and self.route is None \
            and not self.is_login and self.capture.idle is None

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

        This thread settles only what needs the live request: when it ended, what the
        actor sources saw (each user object read into an :class:`Actor` now, and the
        resolver asked with the live request). Which source wins, the durations, the
        client, the outcomes parsed from the response, the targets and the events
        themselves are left to :meth:`AuditTrail.emit_later`, which builds them in a
        delivery thread when ``policy.build_later`` says so.
        """
        try:
            trail = self.capture.trail
            self.at_ns = time.time_ns()  # the call's time, whichever thread builds events
            self.ended = time.perf_counter()
            state = self.state
            # What ran in the request is settled here: an execution after this point (an
            # ASGI app's background task, still in the request's context) is recorded
            # by the hook at once, with the request's context, and not counted here —
            # never left in facts that were built already, or built at a time of the
            # delivery thread's choosing.
            state.collect = False
            wire_needed = self.wire_needed()
            seen: dict[str, Any] | None = None
            if self._unread is not None:
                if wire_needed:  # the hook saw nothing run: wire records wait for end()
                    self._hold_late()
                else:  # the hook's facts are the events: the body is never read
                    self._unread = None  # (request_bytes still weighs the pending item)
            if not self.calls and self.route is None and not state.fields \
                    and not wire_needed:
                # nothing catalogued ran (watched for site access only, or the hook saw
                # the operation run and nothing of it is catalogued); a wire left unread
                # while the hook saw nothing run is read where the events are built
                kept = True
            else:
                seen = self._seen_now()
                # A JWT's verdict depends on the time it is checked: picked here.
                settled = self._settle_actors(seen) if self.capture.actor_sources.jwt \
                    is not None else None
                self._native = None  # nothing of the live request is kept past here
                # The watch itself is the build (:meth:`__call__`): no partial, bound
                # method or argument dict per queued request (issue 21).
                self._status, self._encoding, self._body, self._exc = \
                    status, response_encoding, body, exc
                self._seen, self._settled = seen, settled
                kept = trail.emit_later(
                    self, weight=(len(body) if body else 0) + self.request_bytes)
            cap = self.capture
            if cap.site_entry is not None and (self.is_login or cap.idle is not None):
                self._site_access(status, self._seen_now() if seen is None else seen)
            return kept
        except Exception:
            log.exception("auditmw: could not record a request")
            return not self.catalogued

    def __call__(self) -> Iterable[AuditEvent]:
        """The request's events from what :meth:`finish` settled (the trail's build,
        run once, wherever the events are built)."""
        return self._events(self._status, self._encoding, self._body, exc=self._exc,
                            seen=self._seen, settled=self._settled)

    def _site_access(self, status: int | None, seen: Mapping[str, Any]) -> None:
        cap = self.capture
        actor = self._request_actor(seen) or self.state.actor
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
                         client=self.client, channel=self.channel,
                         source="rest", error=error,
                         request=self._request_info(status, None),
                         duration_ms=round((time.perf_counter() - self.started) * 1000, 3))


