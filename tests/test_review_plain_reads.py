"""The hook's plain ``getattr`` reads of a request object and of a returned object
against the general reading they replaced (:func:`auditmw.reading.member`, one member
at a time, a failing one read as absent): generated classes whose members are values,
absent, properties raising ``AttributeError`` or another error, a ``__getattr__`` that
answers or raises, behind a werkzeug proxy or not. And the one ``Actor`` shared per
plain string user: it cannot be changed, so sharing it leaks nothing between requests.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.local import LocalProxy

from auditmw.capture import actor as actor_module
from auditmw.capture.actor import actor_from_user
from auditmw.graphql import context_reading, fields
from auditmw.reading import member

# What one member of a generated class is: a value (a scalar, or an object that is no
# scalar), absent, or a property that raises.
_KINDS = st.sampled_from(["str", "int", "none", "object", "absent", "attribute-error",
                          "runtime-error", "key-error"])
_FALLBACK = st.sampled_from(["none", "answers", "raises-attribute", "raises-runtime"])


def _raising(error: type[Exception]) -> property:
    def read(self: Any) -> Any:
        raise error("a framework property that fails")

    return property(read)


def _make(names: tuple[str, ...], kinds: list[str], fallback: str) -> Any:
    namespace: dict[str, Any] = {}
    for name, kind in zip(names, kinds, strict=True):
        if kind == "str":
            namespace[name] = f"v-{name}"
        elif kind == "int":
            namespace[name] = 7
        elif kind == "none":
            namespace[name] = None
        elif kind == "object":
            namespace[name] = object()
        elif kind == "attribute-error":
            namespace[name] = _raising(AttributeError)
        elif kind == "runtime-error":
            namespace[name] = _raising(RuntimeError)
        elif kind == "key-error":
            namespace[name] = _raising(KeyError)
    if fallback == "answers":
        namespace["__getattr__"] = lambda self, name: f"dyn-{name}"
    elif fallback == "raises-attribute":
        namespace["__getattr__"] = lambda self, name: (_ for _ in ()).throw(
            AttributeError(name))
    elif fallback == "raises-runtime":
        namespace["__getattr__"] = lambda self, name: (_ for _ in ()).throw(
            RuntimeError(name))
    return type("Generated", (), namespace)()


def _same(got: Any, want: Any) -> bool:
    return len(got) == len(want) and all(
        g is w or (type(g) is type(w) and g == w) for g, w in zip(got, want, strict=True))


@settings(max_examples=400, deadline=None)
@given(st.lists(_KINDS, min_size=4, max_size=4), _FALLBACK, st.booleans())
def test_a_request_object_s_members_read_plainly_are_the_general_reading(
        kinds: list[str], fallback: str, proxied: bool) -> None:
    names = context_reading._REQUEST_MEMBERS
    request = _make(names, kinds, fallback)
    want = [member(request, name) for name in names]
    got = context_reading._request_members(request)  # never raises
    assert _same(list(got), want), (got, want)
    if proxied:  # what the hook reads of Flask's request: the object behind the proxy
        proxy = LocalProxy(lambda: request)
        assert _same(list(context_reading._request_members(
            context_reading.unproxied(proxy))), want)


@settings(max_examples=400, deadline=None)
@given(st.lists(_KINDS, min_size=4, max_size=4), _FALLBACK,
       st.sampled_from([None, "Asset"]))
def test_a_returned_object_s_own_fields_read_plainly_are_the_general_reading(
        kinds: list[str], fallback: str, type_name: str | None) -> None:
    names = fields._OWN_NAMES
    result = _make(names, kinds, fallback)
    read = {name: member(result, name) for name in names}
    # the reference: the same members in a dict, the type named as for an object
    want = fields._own_fields(read, type_name or type(result).__name__)
    got = fields._own_fields(result, type_name)  # never raises
    assert got == want
    if got is not None:
        assert got.target() == want.target()  # type: ignore[union-attr]


def test_a_failing_member_of_a_request_is_read_as_absent_the_others_as_they_are() -> None:
    request = _make(context_reading._REQUEST_MEMBERS,
                    ["str", "runtime-error", "absent", "int"], "none")
    assert list(context_reading._request_members(request)) == ["v-user", None, None, 7]


# -- one shared Actor per plain string user ---------------------------------------------

def test_the_shared_actor_of_a_name_cannot_be_changed_by_anyone_holding_it() -> None:
    first = actor_from_user("ann")
    assert first is actor_from_user("ann")  # shared: the fast path is taken
    for name, value in (("id", "bob"), ("name", "bob"), ("team", "x")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(first, name, value)
    assert actor_from_user("ann") == first
    assert (first.id, first.name, first.team, first.on_behalf_of) == ("ann", "ann", None, None)


def test_every_name_gets_its_own_actor_across_the_memo_s_bound() -> None:
    names = [f"user-{n}" for n in range(actor_module.NAMED_MEMO_SIZE * 2 + 3)]
    for _ in range(2):
        for name in names:
            got = actor_from_user(name)
            assert got is not None
            assert (got.id, got.name) == (name, name)
    assert len(actor_module._NAMED) <= actor_module.NAMED_MEMO_SIZE


def test_a_str_subclass_user_is_read_as_its_value_and_never_shared() -> None:
    class Name(str):
        pass

    user = Name("carol")
    got = actor_from_user(user)
    assert got is not None
    assert (got.id, got.name) == ("carol", "carol")
    assert got is not actor_from_user(Name("carol"))
    assert actor_from_user("") is None
    assert actor_from_user(Name("")) is None
