"""The ``auditmw`` command. Each subcommand is a module here with ``register(subparsers)``;
add a module to :data:`COMMANDS` to add a command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from auditmw import __version__
from auditmw.errors import ConfigError

COMMANDS: tuple[str, ...] = (
    "auditmw.cli.catalog_cmd",
    "auditmw.cli.config_cmd",
    "auditmw.cli.keys_cmd",
    "auditmw.cli.serve_cmd",
    "auditmw.cli.demo_cmd",
    "auditmw.cli.run_cmd",
    "auditmw.cli.tail_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditmw", description="An audit trail for existing Python web apps.")
    parser.add_argument("--version", action="version", version=f"auditmw {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        importlib.import_module(module).register(subparsers)
    return parser


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c", "--config", metavar="FILE",
        help="config file (default: $AUDITMW_CONFIG, then ./auditmw.toml, then defaults)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except ConfigError as exc:
        print(f"auditmw: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `auditmw catalog | head`
        return 0
    return code
