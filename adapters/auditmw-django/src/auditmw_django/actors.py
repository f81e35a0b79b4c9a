"""Who a Django request is: ``request.user``, DRF's ``request.auth``, django-hijack.

The user is turned into an :class:`~auditmw.event.Actor` by the core's one reader
(:func:`auditmw.capture.actor.actor_from_user`), so a Django user is named the same by
the middleware, the GraphQL hook and the login signals. DRF copies what its
authentication found onto the Django request (``request.user``, ``request.auth``), so
reading the request after the view also sees token and session logins made by DRF.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from auditmw.capture.actor import actor_from_user
from auditmw.event import Actor

log = logging.getLogger("auditmw.django")

HIJACK_SESSION_KEY = "hijack_history"  # django-hijack: the hijackers' primary keys


def _lazy_unread(value: Any) -> bool:
    """A ``SimpleLazyObject`` not evaluated yet (reading it may query the database)."""
    from django.utils.functional import empty

    return getattr(value, "_wrapped", None) is empty


def request_user(request: Any) -> Any:
    """``request.user`` as set by Django or DRF; ``None`` when the request has none."""
    return request.__dict__.get("user") if hasattr(request, "__dict__") else None


def api_actor(auth: Any) -> Actor | None:
    """An actor from DRF's ``request.auth`` when no user signed in: a token or key object
    that names its user (``auth.user``), token claims (``user_id`` / ``sub``), or an API
    key with a name and a public id (``prefix`` / ``id``). A token's secret (``key``, and
    DRF's ``Token.pk``, which is the key) is never used."""
    if auth is None or isinstance(auth, str | bytes):
        return None
    user = getattr(auth, "user", None)
    if user is not None:
        found = actor_from_user(user)
        if found is not None:
            return found
    claims = auth if isinstance(auth, Mapping) else getattr(auth, "payload", None)
    if isinstance(claims, Mapping):
        ident = claims.get("user_id") or claims.get("sub")
        if ident not in (None, ""):
            return Actor(id=str(ident), name=str(claims.get("username") or ident), type="api")
    name = getattr(auth, "name", None)
    ident = getattr(auth, "prefix", None) or getattr(auth, "id", None)
    if isinstance(name, str) and name and ident not in (None, ""):
        return Actor(id=str(ident), name=name, type="api")
    return None


def impersonator(request: Any) -> Actor | None:
    """The user who hijacked this session (django-hijack), or ``None``."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    try:
        history = session.get(HIJACK_SESSION_KEY) or []
    except Exception:
        log.exception("auditmw: could not read the session for django-hijack")
        return None
    if not history:
        return None
    pk = history[-1]  # the latest hijack: who is acting as this user right now
    try:
        from django.contrib.auth import get_user_model

        hijacker = get_user_model()._default_manager.filter(pk=pk).first()
    except Exception:
        log.exception("auditmw: could not load the hijacking user")
        hijacker = None
    return actor_from_user(hijacker) or Actor(id=str(pk), name=None)


def with_impersonator(actor: Actor, by: Actor | None) -> Actor:
    """``actor`` with ``on_behalf_of`` naming ``by``, the user acting as them."""
    if by is None:
        return actor
    return dataclasses.replace(actor, on_behalf_of=by)


def request_actor(request: Any) -> Actor | None:
    """The request's actor after the view ran (the ``django`` actor source)."""
    user = request_user(request)
    actor = actor_from_user(user) if user is not None else None
    if actor is None:
        actor = api_actor(request.__dict__.get("auth"))
    if actor is None:
        return None
    return with_impersonator(actor, impersonator(request))


def context_actor(context: Any) -> Actor | None:
    """The GraphQL hook's reader for Django contexts (graphene-django passes the request,
    strawberry-django a context with ``.request``). A user not loaded yet is not loaded
    from inside an event loop (Django forbids database access there): the middleware
    names that request's actor instead."""
    from django.http import HttpRequest

    request = context if isinstance(context, HttpRequest) else getattr(context, "request",
                                                                       None)
    if not isinstance(request, HttpRequest):
        return None
    user = request_user(request)
    if user is None:
        return None
    try:
        if _in_event_loop():  # no database here: only a user already loaded counts
            return None if _lazy_unread(user) else actor_from_user(user)
        return request_actor(request)
    except Exception:
        log.debug("auditmw: could not read the Django user of a GraphQL context",
                  exc_info=True)
        return None


def _in_event_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
