"""``auditmw coverage``: compare the catalogue with a live GraphQL schema and/or app."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from auditmw.cli import add_config_option
from auditmw.cli.catalog_cmd import catalog_from_config
from auditmw.config import load_config
from auditmw.coverage import app_routes, compare, graphql_schema_of, load_object
from auditmw.errors import ConfigError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "coverage", help="compare the catalogue with a GraphQL schema and app routes",
        description="List catalogued events that no resolver or route can trigger, and "
                    "mutations that are not catalogued. Exit 1 when either list is "
                    "non-empty, so a CI job can hold them in step.")
    add_config_option(parser)
    parser.add_argument("--schema", metavar="MODULE:ATTR",
                        help="a GraphQL schema: graphql-core/Ariadne, Strawberry or Graphene "
                             "(or an app holding one as 'schema')")
    parser.add_argument("--app", metavar="MODULE:ATTR",
                        help="a Starlette/FastAPI or Flask app, for the REST routes mapped in "
                             "capture.routes")
    parser.add_argument("--ignore", metavar="EVENT", action="append", default=[],
                        help="an event recorded by code rather than a resolver or route "
                             "(trail.record, @trail.audited); repeatable")
    parser.add_argument("--json", action="store_true", help="print JSON for CI")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not args.schema and not args.app:
        raise ConfigError("coverage: give --schema MODULE:ATTR and/or --app MODULE:ATTR")
    config = load_config(args.config)
    catalog = catalog_from_config(args.config)
    unknown = sorted(set(args.ignore) - set(catalog.entries))
    if unknown:
        raise ConfigError(f"--ignore: not catalogued: {', '.join(unknown)}")
    schema = graphql_schema_of(load_object(args.schema, "--schema")) if args.schema else None
    routes = set(app_routes(load_object(args.app, "--app"))) if args.app else None
    site = config.capture.site_access
    report = compare(catalog, schema, routes=config.capture.routes, app_route_set=routes,
                     site_access_configured=bool(site.routes or site.idle_s),
                     ignore=args.ignore)
    if args.json:
        json.dump({"schema": args.schema, "app": args.app, **report.to_dict()}, sys.stdout,
                  indent=2)
        print()
        return 0 if report.ok else 1
    if report.unimplemented:
        print(f"Catalogued events with no resolver or route ({len(report.unimplemented)}):")
        width = max(len(g.event) for g in report.unimplemented)
        for gap in report.unimplemented:
            print(f"  {gap.event.ljust(width)}  {gap.category}  expects a {gap.expected}")
    if report.uncatalogued_mutations:
        print(f"Mutations missing from the catalogue ({len(report.uncatalogued_mutations)}):")
        for name in report.uncatalogued_mutations:
            print(f"  {name}")
    print(f"{len(report.covered)} catalogued events covered, {len(report.unimplemented)} "
          f"without a resolver or route, {len(report.uncatalogued_mutations)} mutations not "
          f"catalogued" + (f", {len(report.ignored)} ignored" if report.ignored else "")
          + (f", {len(report.unchecked)} GraphQL events not checked (no --schema)"
             if report.unchecked else ""))
    return 0 if report.ok else 1
