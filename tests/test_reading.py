"""``auditmw.reading``: members of mappings and objects alike, and through a proxy."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flask import Flask, g, request
from werkzeug.local import LocalProxy

from auditmw.graphql.context_reading import default_actor_from_context, request_view
from auditmw.reading import member, unproxied


class Broken:
    @property
    def user(self) -> Any:
        raise RuntimeError("a framework property that fails")


def test_member_reads_dicts_mappings_objects_and_failures_alike() -> None:
    assert member({"a": 1}, "a") == 1
    assert member(OrderedDict(a=2), "a") == 2  # a Mapping that is not a dict
    assert member(Broken(), "user") is None
    assert member(None, "user") is None
    assert member({"a": 1}, "b") is None


def test_unproxied_gives_the_object_behind_a_local_proxy() -> None:
    app = Flask(__name__)
    plain = {"x": 1}
    assert unproxied(plain) is plain
    assert unproxied(None) is None
    with app.test_request_context("/graphql", environ_base={"REMOTE_USER": "bob"}):
        real = unproxied(request)
        assert type(real) is not LocalProxy
        assert real.environ["REMOTE_USER"] == "bob"
        g.user = "carol"
        assert unproxied(g).user == "carol"
    assert unproxied(request) is None  # outside its context: nothing, never an error


def test_a_flask_context_still_names_its_user_and_request() -> None:
    """Strawberry's Flask view puts ``flask.request`` (a proxy) in its context."""
    app = Flask(__name__)
    with app.test_request_context("/graphql", method="POST",
                                  environ_base={"REMOTE_USER": "bob",
                                                "REMOTE_ADDR": "10.0.0.9"},
                                  headers={"X-Test": "1"}):
        context = {"request": request, "response": None}
        actor = default_actor_from_context(context)
        assert actor is not None
        assert (actor.id, actor.type) == ("bob", "user")
        view = request_view(context)
        assert view is not None
        assert (view.peer, view.method, view.path) == ("10.0.0.9", "POST", "/graphql")
        assert view.headers["x-test"] == "1"
    assert default_actor_from_context({"request": request}) is None
