"""REST routes mapped to catalogue events in config (``[[capture.routes]]``), and the
``site_access`` login routes.

A path template uses ``{name}`` for one path segment (``{name:path}`` for the rest of
the path, slashes included). Templates are compiled once; a request first looks up its
method, so an app with no routes for that method pays one dict lookup.

Where templates overlap, the most specific one wins, as routers decide: segment by
segment from the left, a literal beats a partly literal segment (``{name}.csv``), which
beats an ``{id:int}``, which beats a ``{name}``, which beats ``{rest:path}``; equally
specific ones keep their config order. :func:`overlaps` names the pairs for
``auditmw check-config``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from auditmw.catalog import Catalog, Entry
from auditmw.config import RouteConfig
from auditmw.errors import ConfigError

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(path|str|int))?\}")

# How specific one template segment is (higher wins).
LITERAL, MIXED, INT, STR, PATH = 4, 3, 2, 1, 0


@dataclass(frozen=True, slots=True)
class CompiledRoute:
    method: str
    template: str  # the path template, or ``name=URL_NAME`` for a named route
    pattern: re.Pattern[str] | None  # ``None``: matched by URL name (Django), not path
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


def _segments(template: str) -> list[str]:
    return template.strip("/").split("/")


def _rank(segment: str) -> int:
    params = list(_PARAM.finditer(segment))
    if not params:
        return LITERAL
    if len(params) > 1 or params[0].group(0) != segment:
        return MIXED
    return {"path": PATH, "int": INT}.get(params[0].group(2) or "str", STR)


def specificity(template: str) -> tuple[int, ...]:
    """Sort key: the ranks of the template's segments, left to right."""
    return tuple(_rank(s) for s in _segments(template))


def _segment_regex(segment: str) -> re.Pattern[str]:
    return re.compile(compile_template("/" + segment).pattern.replace("/?$", "$"))


def _segments_may_meet(a: str, b: str) -> bool:
    """Could one path segment match both template segments?"""
    rank_a, rank_b = _rank(a), _rank(b)
    if rank_a == LITERAL and rank_b == LITERAL:
        return a == b
    if LITERAL in (rank_a, rank_b):
        literal, other = (a, b) if rank_a == LITERAL else (b, a)
        return _segment_regex(other).match("/" + literal) is not None
    return True  # two parameters (or partly literal ones): assume a path can meet both


_ONE_OR_MORE = "{*}"  # a path parameter's tail: zero or more further segments


def _tokens(template: str) -> tuple[str, ...]:
    """Segments, with ``{x:path}`` as one segment (``{x}``) then any number more."""
    out: list[str] = []
    for segment in _segments(template):
        if _rank(segment) == PATH:
            out += ["{x}", _ONE_OR_MORE]
        else:
            out.append(segment)
    return tuple(out)


def templates_overlap(a: str, b: str) -> bool:
    """Whether some path matches both templates (``{x:path}`` spans one or more
    segments)."""
    left, right = _tokens(a), _tokens(b)

    @functools.cache
    def meet(i: int, j: int) -> bool:
        if i < len(left) and left[i] == _ONE_OR_MORE:
            return meet(i + 1, j) or (j < len(right) and meet(i, j + 1))
        if j < len(right) and right[j] == _ONE_OR_MORE:
            return meet(i, j + 1) or (i < len(left) and meet(i + 1, j))
        if i == len(left) or j == len(right):
            return i == len(left) and j == len(right)
        return _segments_may_meet(left[i], right[j]) and meet(i + 1, j + 1)

    return meet(0, 0)


def overlaps(routes: Sequence[RouteConfig]) -> list[str]:
    """One warning per pair of same-method routes some path matches both, naming the
    one that records it."""
    found = []
    for i, first in enumerate(routes):
        for j in range(i + 1, len(routes)):
            second = routes[j]
            if first.path is None or second.path is None:
                continue  # a URL name (Django) is one route by construction
            if first.method != second.method or not templates_overlap(first.path,
                                                                      second.path):
                continue
            winner = j if specificity(second.path) > specificity(first.path) else i
            found.append(
                f"capture.routes[{i}] ({first.method} {first.path}) and capture.routes[{j}] "
                f"({second.method} {second.path}) overlap: a path both match is recorded "
                f"as capture.routes[{winner}] ({routes[winner].event})")
    return found


class RouteTable:
    """Path-template routes (matched before the app runs, by any front door) and named
    routes (``url_name``: matched by a framework that resolves URL names — Django — once
    it has resolved the request)."""

    def __init__(self, routes: Sequence[RouteConfig], catalog: Catalog) -> None:
        self.by_method: dict[str, list[CompiledRoute]] = {}
        self.by_name: dict[tuple[str, str], CompiledRoute] = {}
        for index, route in enumerate(routes):
            entry = catalog.get(route.event)
            if entry is None:
                raise ConfigError(
                    f"capture.routes[{index}].event: {route.event!r} is not an enabled "
                    "catalogue event")
            success = tuple(route.success_status) if route.success_status is not None \
                else None
            if route.url_name is not None:
                self.by_name.setdefault((route.method, route.url_name), CompiledRoute(
                    route.method, route.label, None, entry, route.target, success,
                    route.denied_redirect))
                continue
            assert route.path is not None  # RouteConfig holds exactly one of the two
            compiled = CompiledRoute(
                route.method, route.path, compile_template(route.path), entry, route.target,
                success, route.denied_redirect)
            self.by_method.setdefault(route.method, []).append(compiled)
        for method, compiled_routes in self.by_method.items():  # stable: config order ties
            self.by_method[method] = sorted(
                compiled_routes, key=lambda r: specificity(r.template), reverse=True)

    def __bool__(self) -> bool:
        """Any path-template route (named routes need a resolver; see :attr:`named`)."""
        return bool(self.by_method)

    @property
    def named(self) -> bool:
        return bool(self.by_name)

    def match_name(self, method: str, names: Sequence[str],
                   params: dict[str, str]) -> RouteMatch | None:
        """The named route for ``method`` and the first of ``names`` (a URL name with its
        namespace, then without) that is mapped; ``params`` are the resolved URL's."""
        for name in names:
            route = self.by_name.get((method, name))
            if route is not None:
                return RouteMatch(route, params)
        return None

    def match(self, method: str, path: str) -> RouteMatch | None:
        routes = self.by_method.get(method)
        if not routes:
            return None
        for route in routes:
            found = route.pattern.match(path) if route.pattern is not None else None
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
