"""What a watched request's thread copies, and what is read from the copies later.

The request's own thread keeps the door's immutable copies (the peer, the header
values, the users the actor sources saw, made into :class:`Actor` values when the
response is complete); the header dict, the client, the channel, the request id and
which actor source wins are read from them when first asked — where the events are
built, a delivery thread in async mode (issue 21). Each is a pure function of the
copies, so two threads asking at once compute the same value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import RESOLVED_KEY, as_actor
from auditmw.capture.ip import peer_is_trusted
from auditmw.context import FieldFacts, RequestState
from auditmw.event import ANONYMOUS, Actor, Channel, Client

if TYPE_CHECKING:
    from auditmw.capture.late_wire import LateWire
    from auditmw.capture.recorder import HttpCapture

log = logging.getLogger("auditmw.capture")
_NO_HEADERS: Mapping[str, str] = {}


class HttpState(RequestState):
    """An HTTP request's :class:`RequestState`, holding the door's copies of the request
    (the peer, the header values): its client, channel and request id are read from
    them when first asked (by the events' builder), so the request's own thread does not
    resolve them. Everything else as in :class:`RequestState`, set here without the
    dataclass's default factories (one per request: issue 21).

    It refers to nothing of the :class:`~auditmw.capture.recorder.Watch` that holds it:
    with no cycle between the two, a request's objects are freed by their reference
    counts once its events are built, never left for the garbage collector (issue 21)."""

    __slots__ = ("_capture", "_channel", "_client", "_headers", "_raw", "_read_headers",
                 "_trusted", "late", "peer")
    #: Set only when the door finished the request with its wire records held
    #: (:mod:`auditmw.capture.late_wire`); read with ``getattr(state, "late", None)``.
    late: LateWire

    def __init__(self, method: str, path: str, capture: HttpCapture, *, peer: str | None,
                 raw: Any, read_headers: Callable[[Any], Mapping[str, str]]) -> None:
        self.method = method
        self.path = path
        self._capture = capture
        self.peer = peer
        self._raw = raw
        self._read_headers = read_headers
        self._headers: Mapping[str, str] | None = None
        self._trusted: bool | None = None
        self._client: Client | None = None
        self._channel: Channel | None = None
        self.actor = None
        self.tenant = None
        self.fields = []
        self.collect = True
        self.executions = 0
        self.extra = {}
        self.users = None

    @property
    def headers(self) -> Mapping[str, str]:
        """The headers the capture reads (lower-case name → value), from the copy."""
        headers = self._headers
        if headers is None:
            headers = self._headers = self._read_headers(self._raw)
        return headers

    @property
    def trusted_peer(self) -> bool:
        trusted = self._trusted
        if trusted is None:
            networks = self._capture.networks
            trusted = self._trusted = bool(networks) and peer_is_trusted(self.peer, networks)
        return trusted

    @property
    def client(self) -> Client:
        client = self._client
        if client is None:
            client = self._client = self._capture.client_of(self.peer, self.headers)
        return client

    @client.setter
    def client(self, value: Client) -> None:
        self._client = value

    @property
    def channel(self) -> Channel:
        channel = self._channel
        if channel is None:
            channel = self._channel = self._capture.channel_of(self.headers)
        return channel

    @channel.setter
    def channel(self, value: Channel) -> None:
        self._channel = value

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")

    @request_id.setter
    def request_id(self, value: str | None) -> None:
        raise AttributeError("an HTTP request's id is its X-Request-Id header")


class RequestFacts:
    """What is read from a watched request's copies (mixed into
    :class:`~auditmw.capture.recorder.Watch`; the copies are its :class:`HttpState`'s)."""

    capture: HttpCapture
    state: HttpState
    _native: Any = None  # the ASGI scope or WSGI environ, for the actor resolver

    @property
    def peer(self) -> str | None:
        return self.state.peer

    @property
    def headers(self) -> Mapping[str, str]:
        return self.state.headers

    @property
    def trusted_peer(self) -> bool:
        return self.state.trusted_peer

    @property
    def client(self) -> Client:
        return self.state.client

    @property
    def channel(self) -> Channel:
        return self.state.channel

    def _seen_now(self) -> dict[str, Any]:
        """A copy of what the actor sources saw, every value an :class:`Actor` (or
        ``None``), so that which one wins can be decided on any thread: a user object
        is read now (once per request: :func:`actor_within`), and the resolver asked
        with the live request unless the front door asked it already."""
        state = self.state
        seen = dict(state.extra)
        cap = self.capture
        if cap.resolver is not None and RESOLVED_KEY not in seen:
            found = None
            if self._native is not None:
                try:
                    found = as_actor(cap.resolver(self._native))
                except Exception:
                    log.exception("auditmw: the actor resolver failed")
            seen[RESOLVED_KEY] = found
        seen_keys = cap.seen_keys
        for key, value in state.extra.items():  # a few: those the request's doors saw
            if value is not None and type(value) is not Actor and key in seen_keys:
                seen[key] = as_actor(value, state)
        return seen

    def _request_actor(self, seen: Mapping[str, Any]) -> Actor | None:
        found = seen.get(RESOLVED_KEY)
        if found is not None:
            return found  # type: ignore[no-any-return]
        sources = self.capture.actor_sources
        if not sources.reads_headers:  # then pick reads neither the headers nor the peer
            return sources.pick(seen, _NO_HEADERS, False, self.state)
        return sources.pick(seen, self.headers, self.trusted_peer, self.state)

    def _settle_actors(self, seen: Mapping[str, Any]
                       ) -> tuple[Actor | None, dict[int, Actor]]:
        """The request's actor, and each hook fact's (by ``id``), from ``seen``
        (:meth:`_seen_now`)."""
        actor = self._request_actor(seen) or self.state.actor
        return actor, {id(f): self._field_actor(f, actor, seen) for f in self.state.fields}

    def _field_actor(self, fact: FieldFacts | None, actor: Actor | None,
                     seen: Mapping[str, Any]) -> Actor:
        if fact is not None and fact.actor is not None:
            return self._request_actor({**seen, "graphql_context": fact.actor}) \
                or fact.actor
        return actor or ANONYMOUS
