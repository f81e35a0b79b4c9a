"""``auditmw catalog``: list the enabled catalogue as a table or JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from auditmw.catalog import Catalog
from auditmw.cli import add_config_option
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "catalog", help="list the event catalogue",
        description="List every enabled catalogue event with its category, action, "
                    "operations and sensitive flag.")
    add_config_option(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--category", action="append", default=[],
                        help="only this category id (repeatable)")
    parser.set_defaults(handler=run)


def catalog_from_config(config_path: str | None) -> Catalog:
    return Catalog.from_config(load_config(config_path).catalog)


def run(args: argparse.Namespace) -> int:
    catalog = catalog_from_config(args.config)
    entries = [e for e in catalog if not args.category or e.category in args.category]
    if args.json:
        json.dump({
            "categories": [{"id": c.id, "name": c.name, "description": c.description}
                           for c in catalog.categories.values()],
            "events": [{"name": e.name, "category": e.category, "action": e.action,
                        "sensitive": e.sensitive, "operations": sorted(e.operations),
                        "target": e.target, "outcome_path": e.outcome_path,
                        "description": e.description} for e in entries],
        }, sys.stdout, indent=2)
        print()
        return 0
    rows = [("EVENT", "CATEGORY", "ACTION", "OPERATIONS", "SENSITIVE", "DESCRIPTION")]
    rows += [(e.name, e.category, e.action, ",".join(sorted(e.operations)),
              "yes" if e.sensitive else "", e.description) for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True)), row[5])
    print(f"\n{len(entries)} events in {len({e.category for e in entries})} categories")
    return 0
