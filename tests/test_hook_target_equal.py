"""The execution hook splits the one target rule: the returned value's own id/key/name
read on the request thread (kept as plain values when they are scalars), the rest where
the event is built. Compared here with the rule in one piece (:func:`find_target`),
over generated returned values (dicts, objects, dataclasses, payloads, mappings, lists)
and arguments, with and without a catalogue ``target`` path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

import graphql
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.catalog.model import Entry
from auditmw.graphql.fields import TargetReader, find_target, settle, snapshot_arguments

SCHEMA = graphql.build_schema("""
type AssetGroup { id: ID!  name: String }
type Payload { assetGroup: AssetGroup  ok: Boolean }
type Query { ok: Boolean }
type Mutation { make(id: ID, input: String): AssetGroup  wrap: Payload  flag: Boolean }
""")


class Frozen(Mapping[str, Any]):
    """A mapping that is not a dict."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


@dataclasses.dataclass
class Group:
    id: Any = None
    name: Any = None


leaves = st.one_of(st.none(), st.just(""), st.sampled_from(["g-1", "Ops", "0"]),
                   st.integers(0, 3), st.booleans(), st.just(["x"]), st.just(("t",)),
                   st.builds(object))
own = st.fixed_dictionaries({}, optional={"id": leaves, "key": leaves, "name": leaves,
                                          "__typename": st.sampled_from([None, "", "Thing"])})
objects = st.one_of(leaves, own, own.map(lambda d: SimpleNamespace(**d)), own.map(Frozen),
                    st.builds(Group, leaves, leaves))
values = objects | st.recursive(
    objects,
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(["assetGroup", "ok", "item"]), inner, max_size=3),
        st.builds(lambda v: SimpleNamespace(assetGroup=v, ok=True), inner),
        st.lists(inner, max_size=2)),
    max_leaves=6)
# arguments as graphql-core hands them: coerced input, JSON-shaped
json_leaves = st.one_of(st.none(), st.just(""), st.sampled_from(["a-1", "Ann"]),
                        st.integers(0, 3), st.booleans(), st.just(["x"]))
arguments = st.dictionaries(
    st.sampled_from(["id", "key", "name", "input"]),
    st.one_of(json_leaves, st.fixed_dictionaries(
        {}, optional={"id": json_leaves, "key": json_leaves, "name": json_leaves})),
    max_size=3)


@settings(max_examples=800, deadline=None)
@given(values, arguments, st.sampled_from([None, "id", "assetGroup.id", "input.id"]),
       st.sampled_from(["make", "wrap", "flag"]))
def test_the_split_rule_finds_the_one_rules_target(result: Any, args: dict[str, Any],
                                                  path: str | None, field: str) -> None:
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    definition = mutation.fields[field]
    info = SimpleNamespace(return_type=definition.type)
    entry = Entry(name=field, category="c", description="", action="create", target=path)
    whole = find_target(entry, info, result, args)  # type: ignore[arg-type]
    seen = TargetReader().read(entry, info, result)  # type: ignore[arg-type]
    _, target = settle(entry, definition, snapshot_arguments(dict(args)), seen)
    assert target == whole


def test_a_member_that_can_change_is_read_at_once() -> None:
    """An id that is not a plain scalar (a list here) is turned into the target on the
    request thread: the app changing it afterwards changes nothing recorded."""
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    definition = mutation.fields["make"]
    info = SimpleNamespace(return_type=definition.type)
    entry = Entry(name="make", category="c", description="", action="create")
    for result in ({"id": ["g-1"]}, SimpleNamespace(id=["g-1"])):
        seen = TargetReader().read(entry, info, result)  # type: ignore[arg-type]
        ident = result["id"] if isinstance(result, dict) else result.id
        ident.append("later")
        _, target = settle(entry, definition, {}, seen)
        assert target.id == "['g-1']"
