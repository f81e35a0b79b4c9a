"""REST routes mapped to catalogue events in config (``[[capture.routes]]``), and the
``site_access`` login routes.

A path template uses ``{name}`` for one path segment (``{name:path}`` for the rest of
the path, slashes included). Templates are compiled once; a request first looks up its
method, so an app with no routes for that method pays one dict lookup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from auditmw.catalog import Catalog, Entry
from auditmw.config import RouteConfig
from auditmw.errors import ConfigError

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(path|str|int))?\}")


@dataclass(frozen=True, slots=True)
class CompiledRoute:
    method: str
    template: str
    pattern: re.Pattern[str]
    entry: Entry
    target: str | None
    success_status: tuple[int, ...] | None = None
    denied_redirect: str | None = None


@dataclass(frozen=True, slots=True)
class RouteMatch:
    route: CompiledRoute
    params: dict[str, str]


def compile_template(template: str) -> re.Pattern[str]:
    """``/api/assets/{id}/resync`` → a regex with a named group per parameter; one
    trailing slash is optional, as most routers redirect or accept it."""
    out, pos = ["^"], 0
    for match in _PARAM.finditer(template):
        out.append(re.escape(template[pos:match.start()]))
        kind = match.group(2) or "str"
        body = {"path": ".+", "int": "[0-9]+", "str": "[^/]+"}[kind]
        out.append(f"(?P<{match.group(1)}>{body})")
        pos = match.end()
    out.append(re.escape(template[pos:].rstrip("/")))
    out.append("/?$")
    return re.compile("".join(out))


class RouteTable:
    def __init__(self, routes: Sequence[RouteConfig], catalog: Catalog) -> None:
        self.by_method: dict[str, list[CompiledRoute]] = {}
        for index, route in enumerate(routes):
            entry = catalog.get(route.event)
            if entry is None:
                raise ConfigError(
                    f"capture.routes[{index}].event: {route.event!r} is not an enabled "
                    "catalogue event")
            compiled = CompiledRoute(
                route.method, route.path, compile_template(route.path), entry, route.target,
                tuple(route.success_status) if route.success_status is not None else None,
                route.denied_redirect)
            self.by_method.setdefault(route.method, []).append(compiled)

    def __bool__(self) -> bool:
        return bool(self.by_method)

    def match(self, method: str, path: str) -> RouteMatch | None:
        routes = self.by_method.get(method)
        if not routes:
            return None
        for route in routes:
            found = route.pattern.match(path)
            if found is not None:
                return RouteMatch(route, {k: unquote(v) for k, v in found.groupdict().items()})
        return None


def login_routes(routes: Sequence[str]) -> dict[str, list[re.Pattern[str]]]:
    """``["POST /login"]`` → method → compiled path templates."""
    table: dict[str, list[re.Pattern[str]]] = {}
    for route in routes:
        method, path = route.split()
        table.setdefault(method.upper(), []).append(compile_template(path))
    return table
