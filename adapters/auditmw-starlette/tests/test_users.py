"""Starlette's ``SimpleUser`` shortcut (``auditmw_starlette.users``) reads every user as
the duck-typed reading of :func:`auditmw.capture.actor.actor_from_user` does."""

from __future__ import annotations

from typing import Any

import pytest
from auditmw_starlette import users
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.authentication import SimpleUser

from auditmw.capture import actor

names = st.one_of(st.text(max_size=6), st.sampled_from(["", "ann", " ", "0"]),
                  st.integers(-1, 3), st.none())
extras = st.dictionaries(st.sampled_from(["id", "name", "team", "type", "email",
                                          "act", "pk", "username"]),
                         st.one_of(st.none(), st.text(max_size=3), st.booleans()),
                         max_size=2)


def _duck_typed(user: Any) -> Any:
    saved = actor._USER_READERS.pop(SimpleUser, None)
    try:
        return actor.actor_from_user(user)
    finally:
        if saved is not None:
            actor._USER_READERS[SimpleUser] = saved


@pytest.fixture(autouse=True)
def _registered() -> None:
    assert users.register()


@settings(max_examples=500, deadline=None)
@given(names, extras)
def test_a_simple_user_reads_as_the_duck_typed_reading_says(name: Any,
                                                            extra: dict[str, Any]) -> None:
    user = SimpleUser(name)
    for key, value in extra.items():
        vars(user)[key] = value  # (a class property, is_authenticated, cannot be set)
    assert actor.actor_from_user(user) == _duck_typed(user)


def test_the_shortcut_answers_a_plain_simple_user() -> None:
    user = SimpleUser("ann")
    assert users._simple_user(user) == actor.Actor(id="ann", name="ann")
    user.team = "ops"  # more than a name: the duck-typed reading's
    assert users._simple_user(user) is actor.UNREAD
    assert actor.actor_from_user(user) == actor.Actor(id="ann", name="ann", team="ops")


def test_a_subclass_is_read_the_duck_typed_way() -> None:
    class Admin(SimpleUser):
        @property
        def team(self) -> str:
            return "admins"

    assert actor.actor_from_user(Admin("ann")) == actor.Actor(id="ann", name="ann",
                                                              team="admins")
