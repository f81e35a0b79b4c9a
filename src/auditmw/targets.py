"""The one target rule (SPEC §3): which object an event acted on, for every door.

The HTTP middleware, the graphql-core resolver middleware, the Strawberry extension, the
execution hook and ``@trail.audited`` all find the target through :func:`target_of`; a
hook that must read the returned value at once and the arguments later splits it into
:func:`target_in_value` and :func:`target_with_arguments`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from auditmw.event import Target
from auditmw.reading import dig, member

_NO_TARGET = Target()


def target_from_value(value: Any, type_name: str | None = None) -> Target:
    """The ``id``/``key``/``name`` of one returned object or mapping; ``type`` from its
    ``__typename``, else ``type_name``, else (objects) its class name."""
    if type(value) is dict:  # the common case, read without the generic lookups
        get = value.get
        ident, key, name = get("id"), get("key"), get("name")
        if ident is None and key is None and name is None:
            return _NO_TARGET
        kind = get("__typename") or type_name
    else:
        if value is None or isinstance(value, str | int | float | bool | list | tuple):
            return _NO_TARGET
        ident, key, name = member(value, "id"), member(value, "key"), member(value, "name")
        if ident is None and key is None and name is None:
            return _NO_TARGET
        kind = member(value, "__typename") or type_name or (
            None if isinstance(value, Mapping) else type(value).__name__)
    return Target(type=str(kind) if kind is not None else None,
                  id=None if ident is None and key is None
                  else str(ident if ident is not None else key),
                  name=None if name is None else str(name))


def _scalar_or_object(value: Any) -> Target:
    if value is None or isinstance(value, bool):
        return _NO_TARGET
    if isinstance(value, str | int | float):
        return Target(id=str(value))
    return target_from_value(value)


def _members(value: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(value, Mapping):
        return value.items()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f.name, member(value, f.name)) for f in dataclasses.fields(value)]
    try:
        return vars(value).items() if hasattr(value, "__dict__") else ()
    except TypeError:
        return ()


def target_of(path: str | None, value: Any, arguments: Mapping[str, Any], *,
              type_name: str | None = None,
              member_type: Callable[[str], str | None] | None = None) -> Target:
    """The object acted on, first found of:

    1. ``path`` (the catalogue entry's ``target``) in the returned data, then in the
       arguments — a scalar there is the id;
    2. the returned object's ``id``/``key``/``name``;
    3. of the one object a payload wraps (``{assetGroup: {id}, success}``);
    4. the arguments' ``id``/``key``/``name``, at the top or inside the first object
       argument (``input``).

    ``type`` is the GraphQL type name: ``__typename`` when the data carries it, else
    ``type_name`` (the field's type, known to a hook) or ``member_type(name)`` for a
    wrapped object.
    """
    return target_with_arguments(
        path, target_in_value(path, value, type_name=type_name, member_type=member_type),
        arguments)


#: What :func:`target_in_value` read: (``path`` found in the value, the value's own).
#: The target functions return the shared empty target when they find nothing, so
#: ``is not _NO_TARGET`` is their test for "found".
ValueTarget = tuple[Target | None, Target | None]


def target_in_value(path: str | None, value: Any, *, type_name: str | None = None,
                    member_type: Callable[[str], str | None] | None = None) -> ValueTarget:
    """The steps of :func:`target_of` that read the returned value (1 in the value, 2,
    3): read while the value is as the resolver returned it; the arguments' steps can
    wait (:func:`target_with_arguments`)."""
    if path:
        found = _scalar_or_object(dig(value, path))
        if found is not _NO_TARGET:
            return found, None
    if type(value) is not dict and (value is None or isinstance(
            value, str | bytes | int | float | bool | list | tuple)):
        return None, None
    found = target_from_value(value, type_name)
    if found is not _NO_TARGET:
        return None, found
    for name, item in _members(value):
        if isinstance(item, str | int | float | bool) or item is None:
            continue
        found = target_from_value(item, member_type(name) if member_type else None)
        if found is not _NO_TARGET:
            return None, found
    return None, None


def target_with_arguments(path: str | None, seen: ValueTarget,
                          arguments: Mapping[str, Any]) -> Target:
    """:func:`target_of` finished from what :func:`target_in_value` read."""
    at_path, own = seen
    if at_path is not None:
        return at_path
    if path:
        found = _scalar_or_object(dig(arguments, path))
        if found is not _NO_TARGET:
            return found
    if own is not None:
        return own
    found = target_from_value(arguments)
    if found is not _NO_TARGET:
        return Target(None, found.id, found.name)
    for argument in arguments.values():
        if isinstance(argument, Mapping):
            found = target_from_value(argument)
            if found is not _NO_TARGET:
                return Target(None, found.id, found.name)
    return _NO_TARGET
