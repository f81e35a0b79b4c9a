"""One field execution's facts as data: denials, arguments on the wire, the target."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
)

from auditmw.event import Target
from auditmw.outcome import DEFAULT_RULES, OutcomeRules, camel_case, target_of

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo

    from auditmw.catalog import Entry

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
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name, None), depth + 1)
                for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v, depth + 1) for v in value]
    return str(value)


def wire_arguments(info: GraphQLResolveInfo, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments under their GraphQL names, as on the wire: Graphene (and any schema with
    ``out_name``) hands resolvers Python names (``view_id`` for ``viewId``)."""
    definition = info.parent_type.fields.get(info.field_name)
    return _rename(args, definition.args if definition else {})


def _rename(values: Mapping[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    by_out = {(d.out_name or name): (name, d.type) for name, d in definitions.items()}
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


def _object_type_name(info: GraphQLResolveInfo) -> str | None:
    named = get_named_type(info.return_type)
    return named.name if isinstance(named, GraphQLObjectType) else None


def find_target(entry: Entry, info: GraphQLResolveInfo, result: Any,
                arguments: Mapping[str, Any]) -> Target:
    """The one target rule (:func:`auditmw.outcome.target_of`), with the GraphQL type
    names the schema knows: the field's type, and those of a payload's members."""
    named = get_named_type(info.return_type)

    def member_type(name: str) -> str | None:
        fields = named.fields if isinstance(named, GraphQLObjectType) else {}
        field = fields.get(name) or fields.get(camel_case(name))  # Python attribute names
        if field is None:
            return None
        inner = get_named_type(field.type)
        return inner.name if isinstance(inner, GraphQLObjectType) else None

    return target_of(entry.target, result, arguments, type_name=_object_type_name(info),
                     member_type=member_type)
