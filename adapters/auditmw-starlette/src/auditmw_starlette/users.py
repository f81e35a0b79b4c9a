"""Starlette's ``SimpleUser`` read straight into its :class:`~auditmw.event.Actor`, and
its request's members read from the scope.

The duck-typed reading (:func:`auditmw.capture.actor.actor_from_user`) tries some twenty
member names on a user object, each a property or a miss; for Starlette's own
``SimpleUser`` that was about 400 of the request thread's bytecodes per catalogued
request (issue 21). A ``SimpleUser`` carrying nothing but its ``username`` (a non-empty
string) reads as that name — id and name both, exactly what the duck-typed reading gives
(``tests/test_users.py`` holds the two to it); any other one (more attributes set on it,
another username) is left to the duck-typed reading.

A Starlette ``Request`` or ``WebSocket`` is a mapping over its scope whose every read is
Python code (``Mapping.get`` over ``__getitem__``, a ``KeyError`` raised and caught for
each member it lacks); the execution hook's reading of the GraphQL context asks it for
four members a field. Read from the scope instead: ``request.get(name)`` is
``request.scope[name]`` or ``None``, which is ``scope.get(name)`` for its scope (a dict).
"""

from __future__ import annotations

from typing import Any

from auditmw.capture.actor import (
    UNREAD,
    RequestMembers,
    actor_from_user,
    named_actor,
    register_request_reader,
    register_user_reader,
)
from auditmw.event import Actor

#: The probe that decides whether this Starlette's ``SimpleUser`` reads as its name.
_PROBE = "auditmw-probe"


def _simple_user(user: Any) -> Actor | None:
    members = user.__dict__
    name = members.get("username")
    if type(name) is str and name and len(members) == 1:
        return named_actor(name)
    return UNREAD


def register() -> bool:
    """Register the shortcut (idempotent), only when this Starlette's ``SimpleUser``
    reads as its name by the duck-typed reading (a version whose class says more is
    left to that reading). ``True`` when registered."""
    try:
        from starlette.authentication import SimpleUser
    except ImportError:
        return False
    if actor_from_user(SimpleUser(_PROBE)) != Actor(id=_PROBE, name=_PROBE):
        return False
    register_user_reader(SimpleUser, _simple_user)
    _register_requests()
    return True


#: What the hook's context reading asks a request for (``_REQUEST_MEMBERS`` there).
_MEMBERS = ("user", "scope", "REMOTE_USER", "environ")


def _scope_members(request: Any) -> RequestMembers:
    scope = request.scope
    if type(scope) is not dict:
        raise TypeError("not a dict scope")  # the general reading, then
    return list(map(scope.get, _MEMBERS))


def _register_requests() -> None:
    from collections.abc import Mapping

    from starlette.requests import HTTPConnection, Request
    from starlette.websockets import WebSocket

    for cls in (Request, WebSocket):
        # only while a read is ``Mapping.get`` over ``HTTPConnection.__getitem__``
        # (``self.scope[key]``): a class that reads its members another way keeps the
        # general reading
        if cls.get is Mapping.get and cls.__getitem__ is HTTPConnection.__getitem__:
            register_request_reader(cls, _scope_members)
