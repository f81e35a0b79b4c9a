"""The execution hook's snapshot of a resolver's arguments (request thread, issue 21):
:func:`snapshot_arguments` finds the non-scalar values in C and copies those alone; it
must equal :func:`snapshot` applied to every value (the definition), and keep nothing
the app can change afterwards.
"""

from __future__ import annotations

import copy
import enum
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.graphql.fields import snapshot, snapshot_arguments


class Colour(enum.Enum):
    RED = "red"


scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                    st.sampled_from(["", "a-1", "Ann"]))
leaves = scalars | st.just(Colour.RED)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(st.sampled_from(["id", "name", "tags"]), inner,
                                            max_size=3)),
    max_leaves=8)
argument_dicts = st.dictionaries(st.sampled_from(["id", "name", "input", "tags", "siteId"]),
                                 values, max_size=5)


def _mutate(value: Any) -> None:
    """Change every list and dict inside ``value`` in place (what an app may do to the
    arguments it was handed, once the resolver returned)."""
    if type(value) is list:
        for item in value:
            _mutate(item)
        value.append("later")
    elif type(value) is dict:
        for item in value.values():
            _mutate(item)
        value["later"] = True
    elif type(value) is tuple:
        for item in value:
            _mutate(item)


@settings(max_examples=600, deadline=None)
@given(argument_dicts)
def test_the_snapshot_is_snapshot_of_every_value(args: dict[str, Any]) -> None:
    expected = {key: snapshot(value, 1) for key, value in args.items()}
    got = snapshot_arguments(dict(args))
    assert got == expected
    assert list(got) == list(args)  # the keys' order kept


@settings(max_examples=600, deadline=None)
@given(argument_dicts)
def test_the_app_changing_its_arguments_later_changes_nothing_kept(
        args: dict[str, Any]) -> None:
    before = copy.deepcopy(args)
    got = snapshot_arguments(dict(args))
    for value in args.values():
        _mutate(value)
    assert got == snapshot_arguments(dict(before))


def test_a_list_of_scalars_is_a_copy_and_scalars_are_kept() -> None:
    tags = ["prod", "linux"]
    args = {"name": "Servers", "tags": tags, "n": 3}
    got = snapshot_arguments(args)
    assert got is args  # the caller's own dict, values replaced in place
    assert got["tags"] == tags
    assert got["tags"] is not tags
    assert got["name"] == "Servers"
    assert got["n"] == 3
