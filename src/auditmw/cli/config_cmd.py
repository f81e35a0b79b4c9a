"""``auditmw check-config``: validate the config and print it, secrets masked; warn
(stderr, exit 0) about mapped REST routes whose templates overlap, and about events the
configuration relies on that the catalogue leaves out."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from auditmw.capture.routes import overlaps
from auditmw.catalog import Catalog
from auditmw.cli import add_config_option
from auditmw.cli.catalog_cmd import catalog_from_config
from auditmw.config import Config, find_config_file, load_config
from auditmw.outcome import OutcomeRules


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-config", help="validate the config and print the effective values",
        description="Read the config file (and AUDITMW_* overrides), check every key and "
                    "value, and print the effective configuration with secrets masked. "
                    "Exit 2 naming each bad key.")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def relied_on(config: Config, catalog: Catalog) -> list[str]:
    """Events the configuration relies on that the catalogue leaves out (disabled, or not
    catalogued at all): each would be silently not recorded."""
    found: list[str] = []
    why = ("catalog.disabled_events/disabled_categories or builtin = false leave it out; "
           "it is NOT recorded")
    site = config.capture.site_access
    if (site.routes or site.idle_s) and "siteAccess" not in catalog:
        found.append(f"capture.site_access is configured but siteAccess is not in the "
                     f"catalogue ({why})")
    for index, route in enumerate(config.capture.routes):
        if route.event not in catalog:
            found.append(f"capture.routes.{index}: {route.method} {route.path} records "
                         f"{route.event!r}, which is not in the catalogue ({why})")
    if "exportAuditTrail" not in catalog:
        found.append("exportAuditTrail is not in the catalogue: reads and exports of the "
                     f"audit trail itself (server, page, Data API) go unaudited ({why})")
    return found


def run(args: argparse.Namespace) -> int:
    path = find_config_file(args.config)
    config = load_config(args.config)
    catalog = catalog_from_config(args.config)
    OutcomeRules.from_config(config.capture.denied_errors)  # imports each class now
    for warning in [*overlaps(config.capture.routes), *relied_on(config, catalog)]:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"# config: {path if path else '(none: built-in defaults)'}")
    print(f"# catalogue: {len(catalog)} events enabled")
    print(json.dumps(config.masked(), indent=2))
    return 0
