"""Reading the audit trail as the host app's signed-in user, when the server is mounted.

``create_app(trail, host_auth=True)`` (or ``server.host_auth = true``) accepts a request
that carries no ``accessKey`` header when the host app's own authentication has put an
authenticated user in the ASGI scope (``scope["user"]``, as Starlette's
``AuthenticationMiddleware`` does). ``host_auth`` may instead be a callable
``(scope) -> Actor | None`` that decides who may read the trail (say, admins only).
A request with an ``accessKey`` header is always judged by its key alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from auditmw.event import Actor

log = logging.getLogger("auditmw.server")

HostAuth = Callable[[Mapping[str, Any]], Actor | None]


def _read(user: Any, *names: str) -> str | None:
    for name in names:
        try:  # Starlette's BaseUser.identity raises NotImplementedError
            value = getattr(user, name, None)
        except Exception:
            continue
        if value not in (None, "") and not callable(value):
            return str(value)
    return None


def scope_user(scope: Mapping[str, Any]) -> Actor | None:
    """The authenticated ``scope["user"]`` as an :class:`Actor`; ``None`` for a missing or
    unauthenticated user (``is_authenticated`` must be exactly ``True``)."""
    user = scope.get("user")
    if user is None or getattr(user, "is_authenticated", False) is not True:
        return None
    ident = _read(user, "identity", "id", "user_id", "username", "email")
    name = _read(user, "display_name", "name", "username", "email") or ident
    if ident is None:
        return None
    return Actor(id=ident, name=name or ident, type="user", team=_read(user, "team"))


def resolve_host_auth(option: bool | HostAuth | None) -> HostAuth | None:
    """``True`` → :func:`scope_user`; ``False``/``None`` → off; a callable as is."""
    if option is None or option is False:
        return None
    if option is True:
        return scope_user
    if not callable(option):
        raise TypeError(f"host_auth must be a bool or a callable (scope) -> Actor | None, "
                        f"not {type(option).__name__}")
    return option


def host_actor(host_auth: HostAuth | None, scope: Mapping[str, Any]) -> Actor | None:
    """Who the host app says this is, or ``None``. Never raises: a failing callable is
    logged and counts as "not signed in"."""
    if host_auth is None:
        return None
    try:
        actor = host_auth(scope)
    except Exception:
        log.exception("auditmw: the host_auth callable failed; the request needs a key")
        return None
    return actor if isinstance(actor, Actor) else None
