"""What a hook can read from a GraphQL context: the user, and the HTTP request under it.

Servers put different things in ``info.context`` (a dict with ``request``, a request
object, Graphene's request-as-context); these readers know the common conventions and
never raise on an unknown shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from auditmw.capture.actor import REQUEST_READERS as _REQUEST_READERS
from auditmw.capture.actor import RequestMembers, actor_within
from auditmw.context import RequestState, current_request
from auditmw.event import Actor
from auditmw.reading import member as _member
from auditmw.reading import members, unproxied

#: What a request may hold its user under: ``request.user`` (Django, a custom request),
#: an ASGI ``scope`` (``scope["user"]``), a WSGI ``REMOTE_USER`` on it or in its
#: ``environ``.
_REQUEST_MEMBERS = ("user", "scope", "REMOTE_USER", "environ")
_CONTEXT_MEMBERS = ("user", "current_user", "request")


def default_actor_from_context(context: Any) -> Actor | None:
    """The user of a GraphQL context, by the common conventions: ``context.user`` /
    ``context["user"]`` (or ``current_user``); the request's user (``request.user``,
    ASGI ``scope["user"]``, WSGI ``REMOTE_USER``) where the request is
    ``context["request"]``,
    ``context.request`` or the context itself (Graphene's habit).

    Each object is tested once for being a mapping (:func:`members`), not once per
    member read: this runs for every catalogued field (issue 21). Inside a watched
    request a user object is read once, shared with the door
    (:func:`~auditmw.capture.actor.actor_within`)."""
    if context is None:
        return None
    state = current_request.get()
    user, current_user, request = members(context, _CONTEXT_MEMBERS)
    if user is not None or current_user is not None:
        actor = _first_actor((user, current_user), state)
        if actor is not None:
            return actor
    # `request or context`, tested on the object behind a proxy (the same truth: a
    # werkzeug proxy answers for its object, and an unbound one reads as nothing)
    request = unproxied(request) if request is not None else None
    request = request if request else unproxied(context)
    user, scope, remote_user, environ = _request_members(request)
    scope_user = None if scope is None else _member(scope, "user")
    environ_user = None if environ is None else _member(environ, "REMOTE_USER")
    if user is None and scope_user is None and remote_user is None and environ_user is None:
        return None  # nobody signed in (most of a public API's calls)
    return _first_actor((user, scope_user, remote_user, environ_user), state)


def _request_members(request: Any) -> RequestMembers:
    """``members(request, _REQUEST_MEMBERS)``; a request object (not a mapping: Flask's
    and Starlette's request, most others) read with four plain ``getattr`` calls, not
    through ``map`` (issue 21: its set-up cost more than the reads). Anything that
    raises is read again the general way, which reads each member on its own."""
    reader = _REQUEST_READERS.get(type(request))
    if reader is not None:
        try:
            return reader(request)
        except Exception:
            pass
    try:
        if type(request) is not dict and not isinstance(request, Mapping):
            return (getattr(request, "user", None), getattr(request, "scope", None),
                    getattr(request, "REMOTE_USER", None),
                    getattr(request, "environ", None))
    except Exception:
        pass
    return members(request, _REQUEST_MEMBERS)


def _first_actor(candidates: tuple[Any, ...], state: RequestState | None) -> Actor | None:
    for found in candidates:
        if found is not None:
            actor = actor_within(found, state)
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
    if context is None:  # a script's or a worker's execution: nothing to look through
        return None
    request = unproxied(_member(context, "request") or context)
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
