"""``python manage.py auditmw COMMAND ...``: the ``auditmw`` command line, configured by
the project (``settings.AUDITMW`` or ``settings.AUDITMW_CONFIG``) unless ``-c FILE`` is
given. ``manage.py auditmw keys create --name ci --scope audit_logs`` is
``auditmw keys create ...`` against the project's own store."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run an auditmw command (catalog, keys, export, verify, tail, serve, ...) with " \
           "this project's auditmw configuration."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prefix_chars = "\0"  # everything after `auditmw` belongs to auditmw's CLI
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="*", help="the auditmw command and its options")

    def run_from_argv(self, argv: list[str]) -> None:
        # Django's own options (--verbosity, --traceback...) would swallow auditmw's: hand
        # the rest of the command line over untouched (--settings / --pythonpath were
        # already applied by manage.py and are dropped here).
        rest = _without_django_options(argv[2:])
        code = self.run_auditmw(rest)
        if code:
            raise SystemExit(code)

    def handle(self, *args: Any, **options: Any) -> None:
        code = self.run_auditmw([str(a) for a in args])
        if code:
            raise CommandError(f"auditmw {' '.join(map(str, args))} exited with {code}",
                               returncode=code)

    def run_auditmw(self, argv: list[str]) -> int:
        """``auditmw ARGV`` under the project's configuration; its exit code."""
        from auditmw.cli import main
        from auditmw_django.conf import as_toml, config_source

        if not argv:
            raise CommandError("give an auditmw command, e.g. `manage.py auditmw catalog`")
        source = config_source()
        if isinstance(source, Mapping):
            handle, path = tempfile.mkstemp(prefix="auditmw-django-", suffix=".toml")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as fh:
                    fh.write(as_toml(source))
                return _run(main, argv, path)
            finally:
                os.unlink(path)
        return _run(main, argv, source)


def _without_django_options(argv: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--settings", "--pythonpath"):
            skip = True
            continue
        if arg.startswith(("--settings=", "--pythonpath=")):
            continue
        out.append(arg)
    return out


def _run(main: Any, argv: list[str], config: str | None) -> int:
    saved = os.environ.get("AUDITMW_CONFIG")
    try:
        if config is not None:  # -c FILE on the command line still wins
            os.environ["AUDITMW_CONFIG"] = config
        try:
            code: int = main(argv)
        except SystemExit as exc:  # argparse: --help, bad usage
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        return code
    finally:
        if saved is None:
            os.environ.pop("AUDITMW_CONFIG", None)
        else:
            os.environ["AUDITMW_CONFIG"] = saved
