"""``auditmw doctor [-c FILE] -- COMMAND...``: start the app as ``auditmw run`` would, and
report what auditmw finds in it and would audit. Exit 1 when it would audit nothing."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from auditmw.cli import add_config_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="start the app under the launcher and report what would be audited",
        description="Check the config, start COMMAND exactly as `auditmw run` does, wait "
                    "until its app is instrumented (or it serves HTTP, or exits, or the "
                    "timeout passes), stop it, and report every integration found and why "
                    "each did or did not apply. Exit 0 when something would be audited, 1 "
                    "when nothing would, 2 on a bad config.",
        epilog="example: auditmw doctor -c auditmw.toml -- uvicorn myapp:app")
    add_config_option(parser)
    parser.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                        help="how long to wait for the app (default 20)")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="the command to run, after --")
    parser.set_defaults(handler=run)


def _facts(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text("utf-8")
    except OSError:
        return []
    facts = []
    for line in text.splitlines():
        try:
            facts.append(json.loads(line))
        except ValueError:
            continue  # a line still being written
    return facts


def _settled(facts: list[dict[str, Any]], since_app: float | None,
             since_serving: float | None, now: float) -> bool:
    if since_app is not None and now - since_app > 1.0:
        return True  # an app is instrumented; a moment more for its siblings
    return since_serving is not None and now - since_serving > 3.0


def _watch(proc: subprocess.Popen[bytes], report: Path, timeout: float) -> str:
    """Wait for the app; returns why the wait ended."""
    deadline = time.monotonic() + timeout
    since_app = since_serving = None
    while True:
        now = time.monotonic()
        facts = _facts(report)
        if since_app is None and any(f["kind"] == "audited" and f.get("app") for f in facts):
            since_app = now
        if since_serving is None and any(f["kind"] == "serving" for f in facts):
            since_serving = now
        if _settled(facts, since_app, since_serving, now):
            return "an app was instrumented" if since_app is not None else "it serves HTTP"
        if proc.poll() is not None:
            return f"the command exited with {proc.returncode}"
        if now > deadline:
            return f"{timeout:g} s passed"
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _print_report(facts: list[dict[str, Any]], why: str, output: str) -> bool:
    audited = [f for f in facts if f["kind"] == "audited"]
    skipped: dict[str, str] = {}
    for fact in facts:
        if fact["kind"] == "skipped":
            skipped[fact["integration"]] = fact["why"]
    print(f"auditmw doctor: stopped the app ({why})\n")
    if audited:
        print("Would audit:")
        seen = set()
        for fact in audited:
            if fact["what"] in seen:
                continue
            seen.add(fact["what"])
            kind = "app " if fact.get("app") else "hook"
            print(f"  {kind}  {fact['what']}  (pid {fact['pid']})")
        print(f"\n  {audited[0].get('detail', '')}")
    else:
        print("Would audit: NOTHING — no app or GraphQL execution was instrumented.")
    if not audited:
        from auditmw.launcher.versions import FRAMEWORKS

        unused = [name for name in FRAMEWORKS if name not in skipped]
        for name in unused:
            skipped[name] = (f"{FRAMEWORKS[name][1]} is installed, but this app never "
                             "imported it")
    if skipped:
        print("\nIntegrations that did not apply:")
        width = max(len(n) for n in skipped)
        for name, reason in sorted(skipped.items()):
            print(f"  {name.ljust(width)}  {reason}")
    lines = [x for x in output.splitlines() if x.startswith("auditmw:")]
    if lines:
        print("\nWhat auditmw said on the app's stderr:")
        for line in lines[-20:]:
            print(f"  {line}")
    if not audited and output.strip():
        print("\nThe app's last output:")
        for line in output.strip().splitlines()[-15:]:
            print(f"  {line}")
    return bool(audited)


def run(args: argparse.Namespace) -> int:
    from auditmw.launcher import launch_environment
    from auditmw.launcher.preflight import check
    from auditmw.launcher.report import DOCTOR_ENV

    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print("auditmw doctor: give the command to check after --, e.g. "
              "auditmw doctor -- uvicorn app:app", file=sys.stderr)
        return 2
    check(args.config)
    executable = shutil.which(command[0])
    if executable is None:
        print(f"auditmw doctor: command not found: {command[0]}", file=sys.stderr)
        return 127
    with tempfile.TemporaryDirectory(prefix="auditmw-doctor-") as folder:
        report, log_path = Path(folder) / "report.jsonl", Path(folder) / "app.log"
        env = launch_environment(args.config, os.environ)
        env[DOCTOR_ENV] = str(report)
        with log_path.open("wb") as log:
            proc = subprocess.Popen([executable, *command[1:]], env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            why = _watch(proc, report, args.timeout)
        finally:
            _stop(proc)
        output = log_path.read_text("utf-8", "replace")
        ok = _print_report(_facts(report), why, output)
    return 0 if ok else 1
