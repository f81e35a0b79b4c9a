"""Hold the catalogue and the app in step: what is catalogued but never served, and which
mutations are served but not catalogued.

``auditmw coverage --schema module:attr [--app module:attr]`` (see ``docs/coverage.md``)
loads a live GraphQL schema (graphql-core ``GraphQLSchema``, which is also what Ariadne's
``make_executable_schema`` returns; a Strawberry or a Graphene schema; an app object that
holds one as ``schema``) and optionally a Starlette/FastAPI or Flask app for the REST
routes mapped in ``capture.routes``, and compares them with the enabled catalogue.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditmw.errors import ConfigError

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from auditmw.catalog import Catalog
    from auditmw.config import RouteConfig

#: Recorded by auditmw itself (every read or export of the trail), never by a resolver.
SELF_RECORDED = frozenset({"exportAuditTrail", "addLegalHold", "removeLegalHold"})
SITE_ACCESS = "siteAccess"


@dataclass(frozen=True, slots=True)
class Gap:
    """A catalogued event nothing in the app can trigger."""

    event: str
    category: str
    expected: str  # "mutation field", "mutation or query field", "route POST /x"

    def to_dict(self) -> dict[str, str]:
        return {"event": self.event, "category": self.category, "expected": self.expected}


@dataclass(slots=True)
class CoverageReport:
    unimplemented: list[Gap] = field(default_factory=list)
    uncatalogued_mutations: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    #: GraphQL entries when no schema was given (``--app`` alone): nothing to check them
    #: against, as mapped routes are taken as served when no app is given.
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unimplemented and not self.uncatalogued_mutations

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok,
                "catalogued_without_resolver": [g.to_dict() for g in self.unimplemented],
                "mutations_not_catalogued": self.uncatalogued_mutations,
                "covered": self.covered, "ignored": self.ignored,
                "unchecked_without_schema": self.unchecked}


# -- loading --------------------------------------------------------------------------------

def load_object(spec: str, option: str) -> Any:
    """``package.module:attr.sub`` → the object, importing from the current directory as
    servers such as uvicorn do. Errors name the option and what went wrong."""
    module_name, _, attr = spec.partition(":")
    call = attr.endswith("()")  # flask --app's "module:create_app()"
    attr = attr.removesuffix("()")
    if not module_name or not attr:
        raise ConfigError(f"{option}: {spec!r} must be 'module:attribute', e.g. 'app.api:schema'")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigError(f"{option}: cannot import {module_name!r}: {exc}") from None
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"{option}: {module_name!r} has no attribute {attr!r}") from None
    if call or inspect.isfunction(obj) or inspect.ismethod(obj):
        # an app factory (flaskr:create_app), as `flask --app` and gunicorn accept
        try:
            obj = obj()
        except TypeError as exc:
            raise ConfigError(f"{option}: {spec!r} is a factory that needs arguments "
                              f"({exc}); point at the app object instead") from None
    return obj


def graphql_schema_of(obj: Any, option: str = "--schema") -> GraphQLSchema:
    """The graphql-core schema behind any supported schema or app object."""
    from graphql import GraphQLSchema

    seen = 0
    while seen < 4:  # app.schema → strawberry schema → graphql-core schema
        if isinstance(obj, GraphQLSchema):
            return obj
        inner = next((getattr(obj, name) for name in ("_schema", "graphql_schema", "schema")
                      if getattr(obj, name, None) is not None), None)
        if inner is None:
            break
        obj, seen = inner, seen + 1
    raise ConfigError(
        f"{option}: {type(obj).__name__} is not a GraphQL schema; expected a graphql-core "
        "GraphQLSchema (Ariadne's executable schema is one), a Strawberry or a Graphene "
        "schema, or an app holding one as 'schema'")


_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_TYPED = re.compile(r"\{([^}:]+):[^}]+\}")


def normalise_path(path: str) -> str:
    """One spelling per route template: Flask's ``<int:id>``/``<id>`` and Starlette's
    ``{id:int}`` are all ``{id}``."""
    return _TYPED.sub(r"{\1}", _PARAM.sub(r"{\1}", path))


def app_routes(app: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(METHOD, path template)`` of a Starlette/FastAPI app (mounts included) or a Flask
    app (``<int:id>`` written ``{id}``); ``ConfigError`` for anything else."""
    url_map = getattr(app, "url_map", None)
    if url_map is not None and hasattr(url_map, "iter_rules"):
        for rule in url_map.iter_rules():
            for method in rule.methods or ():
                yield method, normalise_path(prefix + rule.rule)
        return
    routes = getattr(app, "routes", None)
    if routes is None:
        inner = getattr(app, "app", None)  # a middleware wrapping the app
        if inner is not None and inner is not app:
            yield from app_routes(inner, prefix)
            return
        raise ConfigError(f"--app: {type(app).__name__} is not a Starlette, FastAPI or Flask "
                          "app (no 'routes' nor 'url_map')")
    for route in routes:
        path = normalise_path(prefix + getattr(route, "path", ""))
        methods = getattr(route, "methods", None)
        if methods:
            for method in methods:
                yield method, path
        elif getattr(route, "routes", None) is not None:  # Mount, Host, Router
            yield from app_routes(route, path)


# -- comparing ------------------------------------------------------------------------------

def root_fields(schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    return {op: frozenset(kind.fields) if kind is not None else frozenset()
            for op, kind in (("mutation", schema.mutation_type),
                             ("query", schema.query_type))}


def compare(catalog: Catalog, schema: GraphQLSchema | None, *,
            routes: Iterable[RouteConfig] = (), app_route_set: set[tuple[str, str]] | None = None,
            site_access_configured: bool = False, ignore: Iterable[str] = ()) -> CoverageReport:
    """The report for a catalogue against a schema and (optionally) an app's routes."""
    report = CoverageReport()
    fields = root_fields(schema) if schema is not None else {}
    mapped: dict[str, list[RouteConfig]] = {}
    for route in routes:
        mapped.setdefault(route.event, []).append(route)
    served_routes = None if app_route_set is None else {
        (method.upper(), normalise_path(path)) for method, path in app_route_set}
    skip = set(ignore) | SELF_RECORDED | ({SITE_ACCESS} if site_access_configured else set())
    implicit: frozenset[str] = catalog.implicit
    for entry in catalog:
        if entry.name in implicit:
            continue  # kept by builtin = false for auditmw's own recording, not the app's
        if entry.name in skip:
            report.ignored.append(entry.name)
            continue
        if schema is None and entry.name not in mapped:
            report.unchecked.append(entry.name)
            continue
        served = any(entry.name in fields.get(op, ()) for op in entry.operations)
        for route in mapped.get(entry.name, ()):
            if served_routes is None or (route.path is not None and (
                    route.method.upper(), normalise_path(route.path)) in served_routes):
                served = True  # (a url_name route: no app route set names URL names)
        if served:
            report.covered.append(entry.name)
            continue
        ops = " or ".join(sorted(entry.operations, reverse=True))
        wanted = [f"{ops} field"] + [f"route {r.method} {r.label}"
                                     for r in mapped.get(entry.name, ())]
        report.unimplemented.append(Gap(entry.name, entry.category, " or ".join(wanted)))
    report.uncatalogued_mutations = sorted(
        name for name in fields.get("mutation", ())
        if catalog.match(name, "mutation") is None)
    return report
