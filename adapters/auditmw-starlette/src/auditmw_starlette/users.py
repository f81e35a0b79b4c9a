"""Starlette's ``SimpleUser`` read straight into its :class:`~auditmw.event.Actor`.

The duck-typed reading (:func:`auditmw.capture.actor.actor_from_user`) tries some twenty
member names on a user object, each a property or a miss; for Starlette's own
``SimpleUser`` that was about 400 of the request thread's bytecodes per catalogued
request (issue 21). A ``SimpleUser`` carrying nothing but its ``username`` (a non-empty
string) reads as that name — id and name both, exactly what the duck-typed reading gives
(``tests/test_users.py`` holds the two to it); any other one (more attributes set on it,
another username) is left to the duck-typed reading.
"""

from __future__ import annotations

from typing import Any

from auditmw.capture.actor import UNREAD, actor_from_user, named_actor, register_user_reader
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
    return True
