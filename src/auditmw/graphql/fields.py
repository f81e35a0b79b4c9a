"""One field execution's facts as data: denials, arguments on the wire, the target."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from itertools import compress
from operator import not_
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from auditmw.event import Target
from auditmw.outcome import DEFAULT_RULES, OutcomeRules
from auditmw.reading import attributes, camel_case
from auditmw.targets import (
    ValueTarget,
    target_from_value,
    target_in_value,
    target_of,
    target_with_arguments,
)

if TYPE_CHECKING:
    from graphql import GraphQLField, GraphQLOutputType, GraphQLResolveInfo

    from auditmw.catalog import Entry

MemberType = Callable[[str], str | None]
_SCALARS = frozenset({str, int, float, bool, type(None)})
_TYPE_CACHE_SIZE = 1024
# tuples, not ``str | int``: a union in an isinstance test is built anew at each call
_LEAVES = (str, int, float, bool)
_SEQUENCES = (list, tuple, set, frozenset)


def is_denied_error(exc: BaseException, rules: OutcomeRules = DEFAULT_RULES) -> bool:
    """Whether ``exc`` is a denial by the one rule (:mod:`auditmw.outcome`), directly or
    as the ``original_error``/``__cause__`` it wraps."""
    return rules.is_denied(exc)


def plain(value: Any, depth: int = 0) -> Any:
    """Arguments as plain JSON-shaped data (input dataclasses, enums, tuples), so the
    redaction processor sees every key."""
    if depth > 32:
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value, depth + 1)
    if isinstance(value, _LEAVES) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name, None), depth + 1)
                for f in dataclasses.fields(value)}
    if isinstance(value, _SEQUENCES):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def wire_arguments(info: GraphQLResolveInfo, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments under their GraphQL names, as on the wire: Graphene (and any schema with
    ``out_name``) hands resolvers Python names (``view_id`` for ``viewId``)."""
    definition = info.parent_type.fields.get(info.field_name)
    return _rename(args, definition.args if definition else {})


def _rename(values: Mapping[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    by_out = _by_out_name(definitions)
    out: dict[str, Any] = {}
    for key, value in values.items():
        name, kind = by_out.get(key, (key, None))
        out[name] = _wire_value(value, kind)
    return out


def _wire_value(value: Any, kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList) and isinstance(value, list | tuple):
        return [_wire_value(v, kind.of_type) for v in value]
    if isinstance(kind, GraphQLInputObjectType) and isinstance(value, Mapping):
        return _rename(value, kind.fields)
    return value


# -- plain(_rename(...)) in one walk: the delivery thread's, for every catalogued field --

_renames: dict[int, tuple[Mapping[str, Any], dict[str, tuple[str, Any]]]] = {}


def _by_out_name(definitions: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """``_rename``'s table (the Python name → the GraphQL name and type), made once per
    argument or input-field map of the schema (kept with it, so an id is never reused
    while its entry lives)."""
    found = _renames.get(id(definitions))
    if found is not None and found[0] is definitions:
        return found[1]
    if len(_renames) >= _TYPE_CACHE_SIZE:  # schemas built per request
        _renames.clear()
    table = {(d.out_name or name): (name, d.type) for name, d in definitions.items()}
    _renames[id(definitions)] = (definitions, table)
    return table


def plain_wire_fields(values: Mapping[str, Any], definitions: Mapping[str, Any],
                      depth: int = 0) -> dict[str, Any]:
    """``plain(_rename(values, definitions), depth)`` (``depth`` at most 32), walking
    ``values`` once; scalars, most arguments, are taken as they are."""
    table = _by_out_name(definitions) if definitions else {}
    scalars = _SCALARS
    below = depth + 1
    out: dict[str, Any] = {}
    for key, value in values.items():
        name, kind = table.get(key, (key, None))
        of = type(value)
        if of in scalars and below <= 32:
            out[str(name)] = value
        elif (of is list or of is tuple) and below < 32 and scalars.issuperset(
                map(type, value)):
            # a list of scalars (tags, ids), tested and copied in C: whatever the kind
            # says, ``_plain_wire`` keeps each item as it is once its depth is ≤ 32
            out[str(name)] = list(value)
        else:
            out[str(name)] = _plain_wire(value, kind, below)
    return out


def _plain_wire(value: Any, kind: Any, depth: int) -> Any:
    """``plain(_wire_value(value, kind), depth)``."""
    if depth > 32:
        return str(_wire_value(value, kind))
    if type(value) in _SCALARS:  # as they are, whatever the kind
        return value
    while isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    if isinstance(kind, GraphQLList) and isinstance(value, list | tuple):
        inner = kind.of_type
        return [_plain_wire(v, inner, depth + 1) for v in value]
    if isinstance(kind, GraphQLInputObjectType) and isinstance(value, Mapping):
        return plain_wire_fields(value, kind.fields, depth)
    return plain(value, depth)


def find_target(entry: Entry, info: GraphQLResolveInfo, result: Any,
                arguments: Mapping[str, Any]) -> Target:
    """The one target rule (:func:`auditmw.targets.target_of`), with the GraphQL type
    names the schema knows: the field's type, and those of a payload's members."""
    type_name, member_type = _type_names(info.return_type)
    return target_of(entry.target, result, arguments, type_name=type_name,
                     member_type=member_type)


# -- the request thread's part and the delivery thread's -------------------------------
#
# A catalogued field's facts are read in two steps. On the request thread, while the
# arguments and the returned value are as the resolver left them: a snapshot of the
# arguments and what the target rule reads of the value (both cheap). Wherever the
# event is built (a delivery thread in async mode): the arguments under their wire
# names as plain data, and the target finished from them.

def snapshot(value: Any, depth: int = 0) -> Any:
    """The arguments as the resolver received them, kept from later changes by the app
    (a resolver may keep and mutate the dict it was handed): dicts and lists are copied,
    immutable leaves (scalars, enum members) kept as they are, anything else turned into
    plain data at once (:func:`plain`)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if depth > 32:
        return plain(value, depth)
    scalars = _SCALARS  # leaves are tested inline: most arguments are scalars
    if kind is dict:
        return {k: v if type(v) in scalars else snapshot(v, depth + 1)
                for k, v in value.items()}
    if kind is list or kind is tuple:
        if scalars.issuperset(map(type, value)):  # a list of scalars (tags, ids), in C
            return list(value)
        return [v if type(v) in scalars else snapshot(v, depth + 1) for v in value]
    if isinstance(value, enum.Enum):
        return value
    return plain(value, depth)


def snapshot_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """:func:`snapshot` of a resolver's keyword arguments, in place: the dict is the
    caller's own (``**args`` built it for this call; the resolver was handed another),
    so only the values that can change are replaced by copies
    (``{key: snapshot(value, 1) ...}``, which ``tests/test_snapshot_arguments.py`` holds
    it to)."""
    scalars = _SCALARS
    # the keys whose value is not a scalar, found in C (most arguments are scalars):
    # the loop below runs for those alone (issue 21)
    for key in [*compress(arguments, map(not_, map(scalars.__contains__,
                                                   map(type, arguments.values()))))]:
        value = arguments[key]  # values replaced, never keys: the dict keeps its order
        if type(value) is list and scalars.issuperset(map(type, value)):
            arguments[key] = list(value)  # snapshot's own answer, without its call
        else:
            arguments[key] = snapshot(value, 1)
    return arguments


class _OwnFields(NamedTuple):
    """A returned dict's own ``id``/``key``/``name``/``__typename``, read at once (the
    dict may change later) and turned into a target where the event is built."""

    id: Any
    key: Any
    name: Any
    typename: Any
    type_name: str | None

    def target(self) -> Target:
        return target_from_value({"id": self.id, "key": self.key, "name": self.name,
                                  "__typename": self.typename}, self.type_name)


#: What :meth:`TargetReader.read` keeps: the target rule's reading of the value, or,
#: for a dict carrying its own id/key/name, those values.
SeenTarget = ValueTarget | _OwnFields


class TargetReader:
    """Reads the target rule's part of a returned value (:func:`target_in_value`), with
    the schema's type names for each field's return type looked up once."""

    def __init__(self) -> None:
        self._names: dict[Any, tuple[str | None, MemberType]] = {}

    def read(self, entry: Entry, info: GraphQLResolveInfo, result: Any) -> SeenTarget:
        return_type = info.return_type  # graphql-core's types hash by identity
        names = self._names.get(return_type)
        if names is None:
            if len(self._names) >= _TYPE_CACHE_SIZE:  # schemas built per request
                self._names.clear()
            names = self._names[return_type] = _type_names(return_type)
        if not entry.target and result is not None:
            # the common case, step 2 of the rule (the value's own id/key/name): the
            # request thread reads four members, the Target is made where the event is
            own = _own_fields(result, names[0])
            if own is not None:
                return own
        return target_in_value(entry.target, result, type_name=names[0],
                               member_type=names[1])


#: Values the own-fields reading leaves to the rule: scalars, sequences, mappings other
#: than dicts (read through their own get).
_NOT_OWN = (str, bytes, int, float, bool, list, tuple, Mapping)
_OWN_NAMES = ("id", "key", "name", "__typename")


def _own_fields(result: Any, type_name: str | None) -> _OwnFields | None:
    """A returned dict's or object's own id/key/name/``__typename`` (what
    :func:`~auditmw.targets.target_from_value` reads of it), when one of the first three
    is there and all are plain scalars (kept as they are, nothing to copy); else
    ``None``: the rule then reads the value at once (:func:`target_in_value`)."""
    if type(result) is dict:
        get = result.get
        ident, key, name, typename = get("id"), get("key"), get("name"), get("__typename")
    elif isinstance(result, _NOT_OWN):
        return None
    else:  # not a mapping: four plain reads (``attributes``'s ``map`` costs more)
        try:
            ident, key, name, typename = (
                getattr(result, "id", None), getattr(result, "key", None),
                getattr(result, "name", None), getattr(result, "__typename", None))
        except Exception:  # a member that raises: each read on its own
            ident, key, name, typename = attributes(result, _OWN_NAMES)
        # an object's type is its class when the schema names none
        type_name = type_name or type(result).__name__
    if ident is None and key is None and name is None:
        return None
    if not _SCALARS.issuperset(map(type, (ident, key, name, typename))):
        return None
    return _OwnFields(ident, key, name, typename, type_name)


def _type_names(return_type: GraphQLOutputType) -> tuple[str | None, MemberType]:
    named = get_named_type(return_type)
    fields = named.fields if isinstance(named, GraphQLObjectType) else {}

    def member_type(name: str) -> str | None:
        field = fields.get(name) or fields.get(camel_case(name))  # Python attribute names
        if field is None:
            return None
        inner = get_named_type(field.type)
        return inner.name if isinstance(inner, GraphQLObjectType) else None

    return (named.name if isinstance(named, GraphQLObjectType) else None), member_type


def settle(entry: Entry, definition: GraphQLField | None, arguments: Mapping[str, Any],
           seen: SeenTarget) -> tuple[dict[str, Any], Target]:
    """The delivery thread's part: the :func:`snapshot` of the arguments under their
    wire names as plain data, and the target finished from them."""
    wired = plain_wire_fields(arguments, definition.args if definition else {})
    if isinstance(seen, _OwnFields):
        return wired, seen.target()
    return wired, target_with_arguments(entry.target, seen, wired)

