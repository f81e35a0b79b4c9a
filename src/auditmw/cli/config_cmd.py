"""``auditmw check-config``: validate the config and print it, secrets masked; warn
(stderr, exit 0) about mapped REST routes whose templates overlap."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from auditmw.capture.routes import overlaps
from auditmw.cli import add_config_option
from auditmw.cli.catalog_cmd import catalog_from_config
from auditmw.config import find_config_file, load_config
from auditmw.outcome import OutcomeRules


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check-config", help="validate the config and print the effective values",
        description="Read the config file (and AUDITMW_* overrides), check every key and "
                    "value, and print the effective configuration with secrets masked. "
                    "Exit 2 naming each bad key.")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = find_config_file(args.config)
    config = load_config(args.config)
    catalog = catalog_from_config(args.config)
    OutcomeRules.from_config(config.capture.denied_errors)  # imports each class now
    for warning in overlaps(config.capture.routes):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"# config: {path if path else '(none: built-in defaults)'}")
    print(f"# catalogue: {len(catalog)} events enabled")
    print(json.dumps(config.masked(), indent=2))
    return 0
