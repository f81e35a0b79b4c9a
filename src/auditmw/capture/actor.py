"""Who made a request, read from the app's own authentication after the app ran.

Sources are tried in the order of ``[actor] sources`` (a ``resolver`` callable first,
when configured). Each front door fills what it can see into the request's
:class:`~auditmw.context.RequestState`: the ASGI middleware reads ``scope["user"]``, the
Flask adapter Flask-Login's ``current_user`` and ``flask.g.user``, resolver hooks the
GraphQL context's user; a ``header:NAME`` source is read only when the socket peer is a
trusted proxy. A token is never decoded here: only what the app itself verified counts.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from auditmw.errors import ConfigError
from auditmw.event import Actor

log = logging.getLogger("auditmw.capture")

ActorResolver = Callable[[Any], Any]

#: ``RequestState.extra`` keys under which front doors leave what each source saw.
SOURCE_KEYS = ("scope.user", "flask_login", "flask_g", "graphql_context")


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        try:
            value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        except Exception:  # a property that raises (Starlette's SimpleUser.identity)
            continue
        if callable(value) and not isinstance(value, type):
            try:
                value = value()
            except Exception:
                continue
        if value not in (None, ""):
            return value
    return None


def actor_from_user(user: Any) -> Actor | None:
    """An :class:`Actor` from what apps call a user, by duck typing — the one reader both
    the HTTP middleware and the GraphQL hooks use, so a user is named the same either way.

    An ``Actor``; a plain string (the name and id); a mapping or object with an id
    (``identity``, ``id``, ``user_id``, ``pk``, ``sub``, ``get_id()``, ``username``,
    ``email``) and/or a name (``display_name``, ``name``, ``full_name``, ``username``,
    ``email``), an optional ``team`` and an ``actor_type``/``type`` naming an actor type.
    Nobody, and unauthenticated users (``is_authenticated`` false, Flask-Login's
    anonymous user, Starlette's ``UnauthenticatedUser``), give ``None``.
    """
    if user is None or isinstance(user, Actor):
        return user
    if isinstance(user, str):
        return Actor(id=user, name=user) if user else None
    authenticated = _attr(user, "is_authenticated")
    if authenticated is False or (authenticated is None and _attr(user, "is_anonymous")):
        return None
    ident = _attr(user, "identity", "id", "user_id", "pk", "sub", "get_id", "username",
                  "email")
    name = _attr(user, "display_name", "name", "full_name", "username", "email")
    if ident is None and name is None:
        return None
    team = _attr(user, "team")
    kind = _attr(user, "actor_type", "type")
    return Actor(id=None if ident is None else str(ident),
                 name=None if name is None else str(name),
                 type=kind if kind in ("user", "api", "system", "scheduler") else "user",
                 team=None if team is None else str(team))


def as_actor(value: Any) -> Actor | None:
    if value is None or isinstance(value, Actor):
        return value
    if isinstance(value, Mapping) and ("id" in value or "name" in value):
        return Actor.from_dict(dict(value))
    return actor_from_user(value)


def load_resolver(path: str | None) -> ActorResolver | None:
    """Import ``module:attr`` named by ``actor.resolver``; fail at start naming the key."""
    if not path:
        return None
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"actor.resolver: {path!r} must be 'module:callable'")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"actor.resolver: cannot import {path!r}: {exc}") from None
    if not callable(target):
        raise ConfigError(f"actor.resolver: {path!r} is not callable")
    resolver: ActorResolver = target
    return resolver


def header_sources(sources: Sequence[str]) -> tuple[str, ...]:
    """Lower-cased header names of the ``header:NAME`` sources."""
    return tuple(s.split(":", 1)[1].strip().lower() for s in sources
                 if s.startswith("header:"))


def pick_actor(sources: Sequence[str], seen: Mapping[str, Any],
               headers: Mapping[str, str], trusted_peer: bool) -> Actor | None:
    """The first source, in configured order, that names an actor."""
    for source in sources:
        if source.startswith("header:"):
            if not trusted_peer:
                continue
            value = headers.get(source.split(":", 1)[1].strip().lower())
            if value:
                return Actor(id=value, name=value)
            continue
        found = as_actor(seen.get(source))
        if found is not None:
            return found
    return None
