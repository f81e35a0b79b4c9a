"""``auditmw run [-c FILE] -- COMMAND...``: run an unmodified app with auditing on."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from auditmw.cli import add_config_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run", help="run an unmodified app with auditing switched on by config",
        description="Check the config, then exec COMMAND with auditmw loaded at the start "
                    "of every Python process it starts (uvicorn, gunicorn, flask run, "
                    "python app.py). Starlette/FastAPI and Flask apps get the HTTP "
                    "middleware, Strawberry schemas the extension, graphql-core execution "
                    "the resolver middleware; AUDITMW_DISABLED_ADAPTERS=a,b skips some.",
        epilog="example: auditmw run -c auditmw.toml -- uvicorn myapp:app --port 8000")
    add_config_option(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="the command to run, after --")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:  # noqa: RET503 (execve does not return)
    from auditmw.launcher import launch_environment
    from auditmw.launcher.preflight import check

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("auditmw run: give the command to run after --, e.g. "
              "auditmw run -- uvicorn app:app", file=sys.stderr)
        return 2
    check(args.config)  # a ConfigError here stops us before the app starts (exit 2)
    executable = shutil.which(command[0])
    if executable is None:
        print(f"auditmw run: command not found: {command[0]}", file=sys.stderr)
        return 127
    env = launch_environment(args.config, os.environ)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(executable, command, env)
