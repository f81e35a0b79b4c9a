"""``AuditMiddleware`` for ASGI apps (pure ASGI: no framework is imported).

>>> app = AuditMiddleware(app, trail=trail)

Transparent by construction: the app gets the very ``receive`` messages the server sent
(a watched request's body is read first, up to ``capture.max_body_bytes``, and replayed
message by message; a larger body is replayed as far as it was read and then handed
over untouched), and the client gets the very ``send`` messages the app sent, in order,
as they come. Only two things can change an answer, both asked for by configuration:
``delivery.fail_closed`` refusing a catalogued request with 503 while the durable sink
is failing, or turning the response into 503 when its event could not be kept (such a
response is held until its events are written). Lifespan and websocket scopes, and
requests that match nothing, go straight to the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import actor_from_user
from auditmw.capture.recorder import REFUSED_BODY, TOO_LARGE_BODY, HttpCapture, Watch
from auditmw.context import current_request
from auditmw.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.asgi")


_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AuditMiddleware:
    """Audit catalogued GraphQL fields, mapped REST routes and site access of an ASGI app.

    :param app: the ASGI app to wrap.
    :param trail: the :class:`~auditmw.trail.AuditTrail` events go to.
    :param actor_getter: optional ``(scope) -> Actor | user | dict | None``, called after
        the app ran; overrides ``actor.resolver`` from the config.
    """

    def __init__(self, app: ASGIApp, trail: AuditTrail, *,
                 actor_getter: Callable[[Any], Any] | None = None) -> None:
        self.app = app
        self.trail = trail
        self.capture = HttpCapture(trail, actor_getter=actor_getter)
        self.capture.ends_later = True  # each watch's end() once the app is done
        self._graphql_paths = self.capture.graphql_paths
        self._watch_other = self.capture.watch_other
        #: wanted header name (lowercase bytes) → its ``str`` key
        self._header_keys = {n.encode("latin-1"): n for n in self.capture.header_names}
        self._fail_closed = self.capture.policy.fail_closed
        self._quiet = self.capture.quiet_bodies.quiet  # (nothing_to_watch, one call less)
        self._max_body = self.capture.max_body
        #: A quiet body is not watched at all unless the site_access idle gap is on.
        self._quiet_unwatched = self.capture.idle is None
        self._hold_response = self.capture.policy.hold_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["path"] in self._graphql_paths:
                await self._graphql(scope, receive, send)
                return
            if self._watch_other:
                await self._other(scope, receive, send)
                return
        elif scope["type"] == "websocket" and scope.get("path") in self._graphql_paths:
            await self._socket(scope, receive, send)
            return
        await self.app(scope, receive, send)

    # -- deciding -------------------------------------------------------------------

    def _open(self, scope: Scope) -> Watch | None:
        try:
            client = scope.get("client")
            peer = str(client[0]) if client else None
            # A copy of the header list (the app may change the scope's): read into a
            # dict when first asked, where the events are built.
            watch = self.capture.open_raw(str(scope.get("method", "GET")), scope["path"],
                                          scope.get("query_string", b""), peer,
                                          raw=tuple(scope.get("headers") or ()),
                                          read_headers=self._read_headers)
            if self.capture.wants_native:
                watch.native = scope
            return watch
        except Exception:
            log.exception("auditmw: could not open a request; passing it on")
            return None

    def _read_headers(self, raw: tuple[tuple[bytes, bytes], ...]) -> dict[str, str]:
        wanted = self._header_keys
        headers: dict[str, str] = {}
        for raw_name, raw_value in raw:
            key = wanted.get(raw_name.lower() if type(raw_name) is bytes
                             else bytes(raw_name).lower())
            if key is None:
                continue
            value = bytes(raw_value).decode("latin-1")
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers

    async def _graphql(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "GET")
        replay: Receive = receive
        body: bytes | None = None
        quiet = False
        if method not in _NO_BODY_METHODS:
            # The usual request body is one message: read here, without a coroutine.
            first = await receive()
            body = first.get("body", b"")
            if type(body) is bytes and first.get("type") == "http.request" \
                    and not first.get("more_body", False):
                oversize = len(body) > self._max_body
                if oversize:
                    body = None
                replay = _replayer_of_one(first, receive)
            else:
                messages, body, oversize = await _read_body(receive, self.capture.max_body,
                                                            first)
                replay = _replayer(messages, receive)
            if oversize and self.capture.refuse_oversize:
                await _send_json(send, 413, TOO_LARGE_BODY)
                return
            # A document known to execute nothing catalogued: no state, no analysis.
            # (Resolver hooks, finding no state, would record on their own.) With the
            # site_access idle gap on, the request is still watched for its actor alone.
            quiet = body is not None and self._quiet(body)
            if quiet and self._quiet_unwatched:
                await self.app(scope, replay, send)
                return
        elif not _may_carry_graphql(scope.get("query_string", b"")):
            await self.app(scope, receive, send)
            return
        watch = self._open(scope)
        if watch is None:
            await self.app(scope, replay, send)
            return
        if not quiet:
            watch.analyse_graphql(body)
        await self._run(watch, scope, replay, send, graphql=True)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """GraphQL over WebSocket (``graphql-transport-ws``, ``graphql-ws``): the socket's
        context (client, channel, the user at accept) for the execution hook, which
        records each operation's fields as they run."""
        watch = self._open(scope)
        if watch is None:
            await self.app(scope, receive, send)
            return
        state = watch.state
        state.collect = False
        state.method = "WEBSOCKET"

        async def noting_send(message: Message) -> None:
            if message.get("type") == "websocket.accept" and state.actor is None:
                try:  # authentication inside the app has set scope["user"] by now
                    state.actor = actor_from_user(scope.get("user"))
                except Exception:
                    log.exception("auditmw: could not read scope['user'] of a socket")
            await send(message)

        token = current_request.set(state)
        try:
            await self.app(scope, receive, noting_send)
        finally:
            current_request.reset(token)

    async def _other(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            found = self.capture.other_watch(str(scope.get("method", "GET")), scope["path"])
        except Exception:
            log.exception("auditmw: route matching failed; passing the request on")
            found = None
        watch = self._open(scope) if found is not None else None
        if watch is None or found is None:
            await self.app(scope, receive, send)
            return
        watch.route, watch.is_login = found
        if watch.is_login and scope.get("method", "GET") not in _NO_BODY_METHODS:
            messages, body, _oversize = await _read_body(receive, self.capture.max_body)
            receive = _replayer(messages, receive)
            watch.read_login(body)
        await self._run(watch, scope, receive, send)

    # -- running --------------------------------------------------------------------

    async def _run(self, watch: Watch, scope: Scope, receive: Receive, send: Send, *,
                   graphql: bool = False) -> None:
        if self._fail_closed and watch.refuse():
            await _send_refusal(send)
            return
        # fail_closed holds every GraphQL answer: the fields that ran are known only
        # once the app has run them, whatever the request looked like.
        responder = _Responder(watch, scope, send)
        if self._hold_response and (graphql or watch.catalogued):
            responder.hold = True
            responder.held = []
        token = current_request.set(watch.state)
        try:
            await self.app(scope, receive, responder.send)
        except BaseException as exc:
            responder.finish(exc)
            raise
        finally:
            current_request.reset(token)
            responder.finish(None)  # the app returned without completing (disconnect)
            if watch.late is not None:  # wire records held for an execution after
                watch.end()             # the response: the app's background tasks ran


class _Responder:
    """Wraps ``send``: notes the status, keeps up to the cap of a matched response's
    body, and records the request's events just before its last body message goes out."""

    # What most responses never change lives on the class (issue 21: one per request).
    status: int | None = None
    encoding: str | None = None
    size = 0
    done = False
    hold = False
    held: list[Message]  # with hold: the messages kept back

    def __init__(self, watch: Watch, scope: Scope, send: Send) -> None:
        self.watch = watch
        self.scope = scope
        self._send = send
        # The wire's own calls need the answer; whether the hook's facts do not is known
        # only once the app answers (the response's start asks wire_needed()): a body
        # copied for a request the hook saw run would never be read.
        self.keep = bool(watch.calls)
        self.chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        last = self._observe(message)
        if not self.hold:
            if last:
                self.finish(None)
            await self._send(message)
            return
        self.held.append(message)
        if last:
            kept = self.finish(None)
            held, self.held = self.held, []
            if kept:
                for item in held:
                    await self._send(item)
            else:
                await _send_refusal(self._send)

    def _observe(self, message: Message) -> bool:
        """``True`` when ``message`` completes the response body."""
        try:
            kind = message.get("type")
            if kind == "http.response.body":
                if self.keep and self.size <= self.watch.capture.max_body:
                    chunk = bytes(message.get("body", b""))
                    self.size += len(chunk)
                    self.chunks.append(chunk)
                return not message.get("more_body", False)
            if kind == "http.response.start":
                self._started(message)
                return False
            return kind == "http.response.pathsend"
        except Exception:
            log.exception("auditmw: could not observe a response message")
            return False

    def _started(self, message: Message) -> None:
        watch = self.watch
        status = self.status = int(message.get("status", 0)) or None
        if watch.is_login:  # how the login page answered (capture/login.py)
            for name, value in message.get("headers") or ():
                if bytes(name).lower() == b"content-type":
                    watch.response_type = bytes(value).decode("latin-1")
        if not self.keep and watch.wire_needed():
            self.keep = True  # nothing ran that the hook saw: the answer may tell
        if self.keep:
            for name, value in message.get("headers") or ():
                if bytes(name).lower() == b"content-encoding":
                    self.encoding = bytes(value).decode("latin-1")
        if status is not None and 300 <= status < 400:
            watch.location = next(
                (bytes(v).decode("latin-1") for k, v in message.get("headers") or ()
                 if bytes(k).lower() == b"location"), None)

    def finish(self, exc: BaseException | None) -> bool:
        if self.done:
            return True
        self.done = True
        try:
            self.watch.state.extra.setdefault("scope.user", self.scope.get("user"))
        except Exception:
            log.exception("auditmw: could not read scope['user']")
        body = b"".join(self.chunks) if self.keep and self.size <= self.watch.capture.max_body \
            else None
        return self.watch.finish(self.status if exc is None else None, self.encoding, body,
                                 exc)


async def _read_body(receive: Receive, limit: int, first: Message | None = None
                     ) -> tuple[list[Message], bytes | None, bool]:
    """Read the request's messages (``first`` already received, if given) until the body
    is complete or passes ``limit``: ``(messages, body or None, passed the limit)``."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    message = first if first is not None else await receive()
    while True:
        messages.append(message)
        if message.get("type") != "http.request":
            return messages, None, False
        chunk = bytes(message.get("body", b""))  # a copy the app cannot change
        size += len(chunk)
        if size > limit:
            return messages, None, True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return messages, b"".join(chunks), False
        message = await receive()


def _may_carry_graphql(query_string: bytes) -> bool:
    # "%" too: a percent-encoded parameter name (q%75ery=) is decoded by the server
    return b"query=" in query_string or b"extensions=" in query_string \
        or b"%" in query_string


def _replayer(messages: list[Message], receive: Receive) -> Receive:
    pending = list(reversed(messages))

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay


def _replayer_of_one(message: Message, receive: Receive) -> Receive:
    """:func:`_replayer` of a body that came in one message (the usual request)."""
    pending = [message]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay


async def _send_refusal(send: Send) -> None:
    await _send_json(send, 503, REFUSED_BODY)


async def _send_json(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})
