"""The delivery thread turns a field's arguments into plain data under their wire names
in one walk (:func:`auditmw.graphql.fields.plain_wire_fields`). Compared here with the
two rules it fuses, ``plain(_rename(...))``, over generated input types (lists, non-null,
input objects with Python ``out_name``s) and generated values that fit them or not
(enums, dataclasses, tuples, sets, other mappings, objects, nesting past the depth cap).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator, Mapping
from typing import Any

import graphql
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.graphql.fields import _rename, plain, plain_wire_fields

NAMES = ["siteId", "name", "tags", "input", "1"]
OUT_NAMES = {"siteId": "site_id", "input": "input_"}


class Colour(enum.Enum):
    RED = "red"
    DEEP = ("nested", 1)


@dataclasses.dataclass
class Box:
    site_id: Any = None
    name: Any = None


class Frozen(Mapping[Any, Any]):
    def __init__(self, values: dict[Any, Any]) -> None:
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def input_fields(kinds: list[Any]) -> dict[str, graphql.GraphQLInputField]:
    return {name: graphql.GraphQLInputField(kind, out_name=OUT_NAMES.get(name))
            for name, kind in zip(NAMES, kinds, strict=False)}


_made = iter(range(10**9))
kinds = st.recursive(
    st.sampled_from([graphql.GraphQLString, graphql.GraphQLInt, graphql.GraphQLID]),
    lambda inner: st.one_of(
        inner.map(graphql.GraphQLList),
        inner.filter(lambda k: not isinstance(k, graphql.GraphQLNonNull))
             .map(graphql.GraphQLNonNull),
        st.lists(inner, min_size=1, max_size=4).map(
            lambda ks: graphql.GraphQLInputObjectType(f"In{next(_made)}",
                                                      lambda ks=ks: input_fields(ks)))),
    max_leaves=6)
keys = st.sampled_from([*NAMES, *OUT_NAMES.values(), 1, "other"])
leaves = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                   st.sampled_from(["", "prod", "s-1"]), st.sampled_from(list(Colour)),
                   st.builds(object).map(lambda _: "x"), st.just(b"raw"))
values = st.recursive(leaves, lambda inner: st.one_of(
    st.dictionaries(keys, inner, max_size=3),
    st.dictionaries(keys, inner, max_size=2).map(Frozen),
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
    st.frozensets(st.sampled_from(["a", "b"]), max_size=2),
    st.builds(Box, inner, inner)), max_leaves=10)


def deep(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = {"input_": [value]}  # the Python name: renamed at each level
    return value


def typed(value: Any) -> Any:
    """The value with every leaf's exact type: ``1 == True`` must not pass."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value), value)


@settings(max_examples=600, deadline=None)
@given(st.lists(kinds, min_size=0, max_size=5), st.dictionaries(keys, values, max_size=5),
       st.sampled_from([0, 0, 0, 15, 16, 17]))
def test_one_walk_gives_plain_of_the_renamed_arguments(argument_kinds: list[Any],
                                                      arguments: dict[Any, Any],
                                                      levels: int) -> None:
    definitions = {name: graphql.GraphQLArgument(kind, out_name=OUT_NAMES.get(name))
                   for name, kind in zip(NAMES, argument_kinds, strict=False)}
    if levels:  # around the depth cap (32): each level is a dict and a list
        self_nesting = graphql.GraphQLInputObjectType(
            "Deep", lambda: {"input": graphql.GraphQLInputField(
                graphql.GraphQLList(self_nesting), out_name="input_")})
        definitions["input"] = graphql.GraphQLArgument(self_nesting, out_name="input_")
        arguments = {"input_": deep(arguments, levels)}
    assert typed(plain_wire_fields(arguments, definitions)) == typed(
        plain(_rename(arguments, definitions)))


def test_the_walk_renames_and_flattens_as_the_two_rules_do() -> None:
    item = graphql.GraphQLInputObjectType("Item", lambda: {
        "siteId": graphql.GraphQLInputField(graphql.GraphQLNonNull(graphql.GraphQLID),
                                            out_name="site_id")})
    definitions = {"items": graphql.GraphQLArgument(graphql.GraphQLList(item)),
                   "colour": graphql.GraphQLArgument(graphql.GraphQLString)}
    arguments = {"items": ({"site_id": "s-1"}, Frozen({"site_id": Colour.RED})),
                 "colour": Colour.DEEP}
    assert plain_wire_fields(arguments, definitions) == {
        "items": [{"siteId": "s-1"}, {"siteId": "red"}], "colour": ["nested", 1]}


def test_every_depth_around_the_cap_is_the_two_rules() -> None:
    """Scalars, lists and renamed input objects at each depth from 24 to 40."""
    deep_type = graphql.GraphQLInputObjectType(
        "Deeper", lambda: {"input": graphql.GraphQLInputField(
            graphql.GraphQLList(deep_type), out_name="input_"),
            "siteId": graphql.GraphQLInputField(graphql.GraphQLInt, out_name="site_id")})
    lists: Any = graphql.GraphQLString
    for _ in range(40):
        lists = graphql.GraphQLList(lists)
    definitions = {"input": graphql.GraphQLArgument(deep_type, out_name="input_"),
                   "items": graphql.GraphQLArgument(graphql.GraphQLList(deep_type)),
                   "tags": graphql.GraphQLArgument(lists)}
    for levels in range(12, 21):
        for leaf in (7, True, "s", None, {"site_id": 3}):
            nested_lists: Any = leaf
            for _ in range(2 * levels):
                nested_lists = [nested_lists]
            arguments = {"input_": deep({"site_id": leaf}, levels),  # dicts at odd depths
                         "items": [deep({"site_id": leaf}, levels)],  # and at even ones
                         "tags": nested_lists}
            assert typed(plain_wire_fields(arguments, definitions)) == typed(
                plain(_rename(arguments, definitions))), (levels, leaf)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(-2, 2),
                          st.floats(allow_nan=False), st.sampled_from(["", "s-1"]),
                          st.just(Colour.RED), st.just(b"raw")), max_size=4),
       st.booleans(), st.integers(12, 18),
       st.sampled_from([None, graphql.GraphQLString, graphql.GraphQLList(graphql.GraphQLID),
                        graphql.GraphQLNonNull(graphql.GraphQLList(graphql.GraphQLString))]))
def test_a_list_of_scalars_at_any_depth_is_the_two_rules_and_a_copy(
        items: list[Any], as_tuple: bool, levels: int, kind: Any) -> None:
    """The walk's shortcut for a list of scalars (the common ``tags: [String!]``), at
    the top and at every depth around the cap, whatever type the schema gives it."""
    tags: Any = tuple(items) if as_tuple else items
    definitions = {} if kind is None else {"tags": graphql.GraphQLArgument(kind)}
    arguments = {"tags": tags}
    got = plain_wire_fields(arguments, definitions)
    assert typed(got) == typed(plain(_rename(arguments, definitions)))
    assert got["tags"] is not tags  # the event's details never share the snapshot's list
    deep_type = graphql.GraphQLInputObjectType(
        "DeepTags", lambda: {"input": graphql.GraphQLInputField(
            graphql.GraphQLList(deep_type), out_name="input_"),
            "tags": graphql.GraphQLInputField(kind or graphql.GraphQLString)})
    nested = {"input": graphql.GraphQLArgument(deep_type, out_name="input_")}
    value: Any = {"tags": tags}
    for _ in range(levels):  # each level a dict and a list: depths 24 to 36
        value = {"input_": [value]}
    deep_arguments = {"input_": value}
    assert typed(plain_wire_fields(deep_arguments, nested)) == typed(
        plain(_rename(deep_arguments, nested)))
