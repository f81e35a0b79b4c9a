"""The user readers read faster than their first, plain form, and name the same actor.

``actor_from_user`` tests the mapping once per user (not once per member) and skips
``None`` members before the callable test; ``default_actor_from_context`` reads a dict
context and the request's members with one type test each. Both are compared here with
the plain rules they replaced (written out below as the oracle: each member read through
the generic lookup, every candidate read), over generated users and contexts: dicts,
objects, rows, members that are methods, classes, empty, raising.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextvars import ContextVar
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.local import LocalProxy

from auditmw.capture.actor import actor_from_user
from auditmw.event import Actor
from auditmw.graphql.context_reading import default_actor_from_context
from auditmw.reading import member, unproxied

# -- the oracle: the rules as first written ----------------------------------------------

_BEHALF = ("on_behalf_of", "impersonator", "impersonated_by", "act")


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        try:
            value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        except Exception:
            continue
        if callable(value) and not isinstance(value, type):
            try:
                value = value()
            except Exception:
                continue
        if value not in (None, ""):
            return value
    return None


def _as_mapping(user: Any) -> Any:
    if isinstance(user, Mapping | str) or user is None:
        return user
    mapping = getattr(user, "_mapping", None)
    if isinstance(mapping, Mapping):
        return dict(mapping)
    keys = getattr(user, "keys", None)
    if callable(keys) and hasattr(user, "__getitem__") and not hasattr(user, "__dict__"):
        try:
            return {str(k): user[k] for k in keys()}
        except Exception:
            return user
    return user


def oracle_user(user: Any, *, behalf: bool = True) -> Actor | None:
    if user is None or isinstance(user, Actor):
        return user
    if isinstance(user, str):
        return Actor(id=user, name=user) if user else None
    if isinstance(user, int) and not isinstance(user, bool):
        return Actor(id=str(user), name=str(user))
    if isinstance(user, bool | float | bytes):
        return None
    user = _as_mapping(user)
    authenticated = _attr(user, "is_authenticated")
    if authenticated is False or (authenticated is None and _attr(user, "is_anonymous")):
        return None
    ident = _attr(user, "identity", "id", "user_id", "pk", "sub", "get_id", "username",
                  "email")
    name = _attr(user, "display_name", "name", "full_name", "preferred_username",
                 "username", "email")
    if ident is None and name is None:
        return None
    team = _attr(user, "team")
    kind = _attr(user, "actor_type", "type")
    on_behalf_of = oracle_user(_attr(user, *_BEHALF), behalf=False) if behalf else None
    return Actor(id=None if ident is None else str(ident),
                 name=None if name is None else str(name),
                 type=kind if kind in ("user", "api", "system", "scheduler") else "user",
                 team=None if team is None else str(team), on_behalf_of=on_behalf_of)


def oracle_context(context: Any) -> Actor | None:
    if context is None:
        return None
    for key in ("user", "current_user"):
        actor = oracle_user(member(context, key))
        if actor is not None:
            return actor
    request = unproxied(member(context, "request") or context)
    for candidate in (member(request, "user"), member(member(request, "scope"), "user"),
                      member(request, "REMOTE_USER"),
                      member(member(request, "environ"), "REMOTE_USER")):
        actor = oracle_user(candidate)
        if actor is not None:
            return actor
    return None


# -- generated users ---------------------------------------------------------------------

NAMES = ("is_authenticated", "is_anonymous", "identity", "id", "user_id", "pk", "sub",
         "get_id", "username", "email", "display_name", "name", "full_name",
         "preferred_username", "team", "actor_type", "type", "on_behalf_of", "act")


def _raises() -> Any:
    raise RuntimeError("no")


scalars = st.one_of(st.none(), st.just(""), st.booleans(), st.integers(-3, 3),
                    st.sampled_from(["ann", "u1", "api", "system", "scheduler", "0"]),
                    st.sampled_from([0.0, 1.5]), st.just(b"x"))
values = st.one_of(
    scalars,
    scalars.map(lambda v: (lambda: v)),  # a method such as get_id()
    st.just(_raises), st.just(int),  # a method that raises; a class (not called)
)
members = st.dictionaries(st.sampled_from(NAMES), values, max_size=7)


class Raising:
    """An object whose every listed member raises when read (a failing property)."""

    def __init__(self, values: dict[str, Any], failing: frozenset[str]) -> None:
        object.__setattr__(self, "_failing", failing)
        vars(self).update(values)

    def __getattribute__(self, name: str) -> Any:
        if name != "_failing" and name in object.__getattribute__(self, "_failing"):
            raise RuntimeError(name)
        return object.__getattribute__(self, name)


def _row(values: dict[str, Any]) -> Any:
    plain = {k: v for k, v in values.items() if not callable(v)}
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    if not plain:
        return db.execute("select 1 as one").fetchone()
    columns = ", ".join(f"? as {k}" for k in plain)
    return db.execute(f"select {columns}", list(plain.values())).fetchone()


def users(*, nested: bool = True) -> st.SearchStrategy[Any]:
    flat = st.one_of(
        scalars,
        members,
        members.map(lambda m: SimpleNamespace(**m)),
        members.map(lambda m: SimpleNamespace(_mapping=m)),
        st.builds(Raising, members, st.frozensets(st.sampled_from(NAMES), max_size=4)),
        members.map(_row),
        st.builds(Actor, id=st.sampled_from([None, "a"]), name=st.sampled_from([None, "b"])),
    )
    if not nested:
        return flat
    # an impersonator under on_behalf_of / act: one level of nesting
    return st.one_of(flat, st.builds(lambda m, inner, key: {**m, key: inner},
                                     members, flat, st.sampled_from(_BEHALF)))


@settings(max_examples=600, deadline=None)
@given(users())
def test_actor_from_user_names_who_the_plain_rule_names(user: Any) -> None:
    assert actor_from_user(user) == oracle_user(user)


flat_users = users(nested=False)
contexts = st.one_of(
    st.none(),
    st.builds(lambda u, c: {"user": u, "current_user": c}, flat_users, flat_users),
    st.builds(lambda r: {"request": r}, st.one_of(
        st.builds(lambda u: SimpleNamespace(user=u), flat_users),
        st.builds(lambda u: SimpleNamespace(scope={"type": "http", "user": u}), flat_users),
        st.builds(lambda u: SimpleNamespace(environ={"REMOTE_USER": u}), flat_users),
        st.builds(lambda u: {"REMOTE_USER": u, "REQUEST_METHOD": "GET"}, flat_users),
        st.builds(lambda u, v: SimpleNamespace(user=u, REMOTE_USER=v), flat_users, flat_users),
        st.just({}), st.none(),
        # werkzeug's proxies (Flask's request): bound to a request, and unbound
        st.builds(lambda u: LocalProxy(lambda: SimpleNamespace(user=u)), flat_users),
        st.just(LocalProxy(ContextVar("unbound_request"))))),
    st.builds(lambda u: SimpleNamespace(user=u), flat_users),
    st.builds(lambda u: SimpleNamespace(request=SimpleNamespace(user=u)), flat_users),
    # a request that reads as nothing (empty, an unbound proxy): the context is the request
    st.builds(lambda r, u: {"request": r, "REMOTE_USER": u},
              st.sampled_from([{}, LocalProxy(ContextVar("unbound_request"))]), flat_users),
    flat_users,
)


@settings(max_examples=600, deadline=None)
@given(contexts)
def test_default_actor_from_context_names_who_the_plain_rule_names(context: Any) -> None:
    assert default_actor_from_context(context) == oracle_context(context)


# -- one reading per user object and request ---------------------------------------------

class CountingUser:
    """A framework user that counts how often it is read."""

    def __init__(self, name: str) -> None:
        self.username = name
        self.reads = 0

    @property
    def is_authenticated(self) -> bool:
        self.reads += 1
        return True


def test_a_user_object_is_read_once_per_request() -> None:
    from auditmw.capture.actor import ActorSources, actor_within
    from auditmw.config import ActorConfig
    from auditmw.context import RequestState
    from auditmw.event import Client

    state = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
    ann, bob = CountingUser("ann"), CountingUser("bob")
    # the hook reads the context's user when its field has run ...
    assert default_actor_from_context({"request": SimpleNamespace(
        scope={"type": "http", "user": ann})}) == Actor(id="ann", name="ann")  # no request
    assert ann.reads == 1
    first = actor_within(ann, state)
    assert ann.reads == 2
    # ... and the door's picks, at the response's end, find that reading
    sources = ActorSources(ActorConfig())
    for _ in range(2):
        assert sources.pick({"scope.user": ann}, {}, False, state) is first
    assert ann.reads == 2
    # another object is read on its own; without a request nothing is remembered
    assert sources.pick({"scope.user": bob}, {}, False, state) == Actor(id="bob", name="bob")
    assert sources.pick({"scope.user": ann}, {}, False) == first
    assert (ann.reads, bob.reads) == (3, 1)
    # a renamed object keeps the name first read in this request, not in a new one
    ann.username = "ann2"
    assert actor_within(ann, state) is first
    fresh = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
    assert actor_within(ann, fresh) == Actor(id="ann2", name="ann2")


def test_the_hook_leaves_its_reading_for_the_door() -> None:
    from auditmw.capture.actor import ActorSources
    from auditmw.config import ActorConfig
    from auditmw.context import RequestState, current_request
    from auditmw.event import Client

    state = RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui")
    ann = CountingUser("ann")
    token = current_request.set(state)
    try:
        seen_by_hook = default_actor_from_context(
            {"request": SimpleNamespace(scope={"type": "http", "user": ann})})
    finally:
        current_request.reset(token)
    assert ann.reads == 1
    assert ActorSources(ActorConfig()).pick({"scope.user": ann}, {}, False, state) \
        is seen_by_hook
    assert ann.reads == 1


# -- the sources in their configured order -------------------------------------------------

SOURCES = ("scope.user", "flask_login", "flask_jwt_extended", "flask_httpauth", "flask_g",
           "django", "graphql_context")
seen_values = st.one_of(st.none(), st.just(""), st.sampled_from(["ann", "bob"]),
                        st.builds(Actor, id=st.sampled_from(["a1", "b2"])),
                        st.just({"id": "c3", "type": "api"}),
                        st.just(SimpleNamespace(is_authenticated=False, id="x")))


def oracle_pick(sources: tuple[str, ...], seen: dict[str, Any], headers: dict[str, str],
                trusted: bool) -> Actor | None:
    from auditmw.capture.actor import as_actor

    for source in sources:
        if source.startswith("header:"):
            value = headers.get(source.split(":", 1)[1]) if trusted else None
            if value:
                return Actor(id=value, name=value)
            continue
        found = as_actor(seen.get(source))
        if found is not None:
            return found
    return None


@settings(max_examples=400, deadline=None)
@given(st.permutations(SOURCES).flatmap(lambda order: st.tuples(
           st.just(tuple(order)),
           st.integers(1, len(order)),
           st.booleans())),
       st.dictionaries(st.sampled_from((*SOURCES, "resolver")), seen_values),
       st.sampled_from([{}, {"x-user": "hdr"}]), st.booleans())
def test_pick_takes_the_first_source_in_order(
        shape: tuple[tuple[str, ...], int, bool], seen: dict[str, Any],
        headers: dict[str, str], trusted: bool) -> None:
    from auditmw.capture.actor import ActorSources
    from auditmw.config import ActorConfig

    order, count, with_header = shape
    sources = order[:count] + (("header:x-user",) if with_header else ())
    picker = ActorSources(ActorConfig(sources=list(sources)))
    assert picker.pick(seen, headers, trusted) == oracle_pick(sources, seen, headers, trusted)
