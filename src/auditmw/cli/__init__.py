"""The ``auditmw`` command. Each subcommand is a module ``auditmw/cli/NAME_cmd.py`` with
``register(subparsers)``; it is found by its name, so adding the module adds the command."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from auditmw import __version__
from auditmw.errors import ConfigError


def command_modules() -> list[str]:
    """Every ``auditmw/cli/*_cmd.py`` module: adding the module adds the command."""
    import auditmw.cli

    return sorted(f"auditmw.cli.{m.name}" for m in pkgutil.iter_modules(auditmw.cli.__path__)
                  if m.name.endswith("_cmd"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditmw", description="An audit trail for existing Python web apps.")
    parser.add_argument("--version", action="version", version=f"auditmw {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in command_modules():
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
