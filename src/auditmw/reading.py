"""Reading values out of what apps and frameworks hand us: mappings, objects, lists.

The outcome rule, the target rule and the GraphQL hooks read errors, payloads and
returned objects through these, so a mapping and an object with the same members read
alike, and a failing property of a framework object reads as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import repeat
from typing import Any

_CAMEL_HUMP = re.compile(r"([a-z0-9])([A-Z])")


def member(obj: Any, name: str) -> Any:
    """``obj[name]`` for mappings, ``obj.name`` otherwise; ``None`` when absent or failing
    (properties of framework objects may raise)."""
    if type(obj) is dict:  # the common case, without the ABC check
        return obj.get(name)
    try:
        if isinstance(obj, Mapping):
            return obj.get(name)
        return getattr(obj, name, None)
    except Exception:
        return None


def members(obj: Any, names: tuple[str, ...]) -> list[Any]:
    """``[member(obj, name) for name in names]``, the mapping test made once and the
    reads made in C (``map``); when one of them raises, each is read again on its own
    (a failing property reads as absent, the others as they are)."""
    try:
        if type(obj) is dict or isinstance(obj, Mapping):
            return list(map(obj.get, names))
    except Exception:
        return [member(obj, name) for name in names]
    return attributes(obj, names)


def attributes(obj: Any, names: tuple[str, ...]) -> list[Any]:
    """:func:`members` of an object known not to be a mapping: its attributes, read in
    C, each read again on its own when one raises."""
    try:
        return list(map(getattr, repeat(obj, len(names)), names, repeat(None, len(names))))
    except Exception:
        return [member(obj, name) for name in names]


def unproxied(obj: Any) -> Any:
    """The object behind a context-local proxy (werkzeug's ``LocalProxy``: Flask's
    ``request``, ``g``), else ``obj``. Read once, a proxy's object answers the many
    member reads after it directly, not each through the proxy's lookup."""
    unwrap = getattr(type(obj), "_get_current_object", None)
    if unwrap is None:
        return obj
    try:
        return obj._get_current_object()
    except Exception:  # outside its context: read nothing rather than raise
        return None


def snake_case(name: str) -> str:
    """``userErrors`` → ``user_errors``: the Python attribute behind a GraphQL name
    (Strawberry and Graphene objects)."""
    return _CAMEL_HUMP.sub(r"\1_\2", name).lower()


def dig(value: Any, path: str) -> Any:
    """A dotted path (``"asset.id"``, ``"items.0.id"``) into mappings, objects and lists;
    on an object a GraphQL (camelCase) name also finds its snake_case attribute."""
    for part in path.split("."):
        if isinstance(value, list | tuple) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            found = member(value, part)
            if found is None and not isinstance(value, Mapping) and value is not None:
                found = member(value, snake_case(part))
            value = found
        if value is None:
            return None
    return value


def camel_case(name: str) -> str:
    """``asset_group`` → ``assetGroup``: the GraphQL name of a Python attribute."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)
