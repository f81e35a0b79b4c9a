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


# -- the request's members, read from its scope -----------------------------------------

member_values = st.one_of(st.none(), st.just("ann"), st.just(SimpleUser("bob")),
                          st.just({"REMOTE_USER": "carol"}), st.just({"user": "dan"}))
scopes = st.fixed_dictionaries(
    {"type": st.sampled_from(["http", "websocket"])},
    optional={"user": member_values, "scope": member_values,
              "REMOTE_USER": member_values, "environ": member_values})


def _general_members(request: Any) -> Any:
    from auditmw.graphql import context_reading

    saved = context_reading._REQUEST_READERS.pop(type(request), None)
    try:
        return context_reading._request_members(request)
    finally:
        if saved is not None:
            context_reading._REQUEST_READERS[type(request)] = saved


@settings(max_examples=400, deadline=None)
@given(scopes, st.booleans())
def test_a_starlette_request_reads_its_members_as_the_mapping_does(
        scope: dict[str, Any], in_context: bool) -> None:
    from starlette.requests import Request
    from starlette.websockets import WebSocket

    from auditmw.graphql import context_reading

    async def nothing() -> Any:
        return {}

    request = Request(scope) if scope["type"] == "http" else WebSocket(scope, nothing, nothing)
    assert type(request) in context_reading._REQUEST_READERS
    assert list(context_reading._request_members(request)) == \
        list(_general_members(request)) == \
        list(context_reading.members(request, context_reading._REQUEST_MEMBERS))
    context = {"request": request} if in_context else request
    fast = context_reading.default_actor_from_context(context)
    saved = context_reading._REQUEST_READERS.pop(type(request))
    try:
        assert fast == context_reading.default_actor_from_context(context)
    finally:
        context_reading._REQUEST_READERS[type(request)] = saved


def test_a_scope_that_is_not_a_dict_is_read_the_general_way() -> None:
    from starlette.requests import Request

    from auditmw.graphql import context_reading

    class Scope(dict[str, Any]):
        pass

    request = Request(Scope(type="http", user="ann"))
    assert list(context_reading._request_members(request)) == ["ann", None, None, None]
