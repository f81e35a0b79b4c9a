"""``auditmw demo``: the example app audited by config alone, with the page mounted.

Starts the example app ``examples/config_only/starlette_app.py`` (shipped in the wheel as
``auditmw/_demo_app``; Starlette + Strawberry, no line of
auditmw in it) under ``auditmw run`` on 127.0.0.1 with ``server.mount = true`` and the
embedded defaults otherwise (``./auditmw-audit.jsonl``, ``sqlite:///./auditmw.db``),
sends a handful of real mutations, creates an access key, checks that the page's Data
API lists the events, prints the URLs, and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import auditmw
from auditmw.cli import add_config_option
from auditmw.config import Config


def _example_dir() -> Path:
    """The example app: inside the installed wheel (``auditmw/_demo_app``, put there by
    hatch_build.py), else ``examples/config_only`` of the source checkout."""
    package = Path(auditmw.__file__).resolve().parent
    for candidate in (package / "_demo_app", package.parents[1] / "examples" / "config_only"):
        if (candidate / "starlette_app.py").exists():
            return candidate
    return package / "_demo_app"


EXAMPLE_DIR = _example_dir()
DEMO_CONFIG = """# written by `auditmw demo`: the embedded defaults, plus the page mounted
service = "inventory-demo"

[server]
mount = true
prefix = "/audit"
"""
MUTATIONS: list[tuple[str, str]] = [
    ("ann", 'mutation { createAssetGroup(name: "Servers in Brussels") { id name } }'),
    ("ann", 'mutation { createAssetGroup(name: "Laptops") { id name } }'),
    ("bob", 'mutation { updateAssetGroup(id: "g1", name: "Servers (BRU)") { id name } }'),
    ("bob", 'mutation { deleteScope(id: "scope-7") }'),
    ("admin", 'mutation { deleteScope(id: "scope-7") }'),
    ("ann", 'mutation { updateAssetGroup(id: "g404", name: "ghost") { id } }'),
]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the example app audited by config, with the Audit trail page",
        description="Start the Starlette + Strawberry example under `auditmw run` with the "
                    "audit pages mounted (at /audit by default), send a few real mutations, "
                    "and print the URLs and a ready access key. Without -c it uses the "
                    "embedded defaults; with -c your config (plus server.mount = true). "
                    'Needs the app\'s frameworks: pip install "auditmw[demo]".')
    add_config_option(parser)
    parser.add_argument("--port", type=int, default=8000,
                        help="port on 127.0.0.1 (default 8000; a free one if taken)")
    parser.add_argument("--no-wait", action="store_true",
                        help="stop the app once everything is shown (for scripts)")
    parser.set_defaults(handler=run)


def _free_port(wanted: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", wanted))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[bytes], app_log: Path,
                  timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = app_log.read_text("utf-8", "replace")[-2000:]
            raise SystemExit(f"auditmw demo: the app exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("auditmw demo: the app did not start within a minute")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _demo_config(args: argparse.Namespace) -> tuple[Path, dict[str, str], Config]:
    """Your config (``-c``) or the embedded defaults, with the page mounted either way."""
    from auditmw.config import load_config

    Path(".auditmw").mkdir(exist_ok=True)
    if args.config:
        config_path = Path(args.config)
    else:
        config_path = Path(".auditmw") / "demo.toml"
        config_path.write_text(DEMO_CONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "AUDITMW_CONFIG"}
    env["AUDITMW_SERVER__MOUNT"] = "true"
    config = load_config(config_path, environ=env)
    if not config.store.enabled:
        raise SystemExit("auditmw demo: the page reads the store; this config has "
                         "[store] enabled = false")
    return config_path, env, config


def _exercise(base: str, config: Config, prefix: str) -> tuple[str, list[Any]]:
    """Send the mutations, make a key, and read the trail back through the mounted API."""
    import httpx

    from auditmw.store.keys import KeyStore

    with httpx.Client(base_url=base, timeout=10) as client:
        for user, query in MUTATIONS:
            client.post("/graphql", json={"query": query},
                        headers={"Authorization": f"Bearer {user}"})
        keys = KeyStore(config.store.url, pepper=config.server.keys_pepper)
        _, key = keys.create(f"demo-{time.strftime('%Y%m%d-%H%M%S')}", ["audit_logs"])
        keys.close()
        listed: list[Any] = []
        for _ in range(50):  # delivery is asynchronous: give it a moment
            answer = client.get(f"{prefix}/api/audit-trail", headers={"accessKey": key})
            listed = answer.json().get("items", []) if answer.status_code == 200 else []
            if len(listed) >= len(MUTATIONS):
                break
            time.sleep(0.2)
    return key, listed


def _summary(config_path: Path, config: Config, *, base: str, prefix: str, key: str,
             listed: list[Any], app_log: Path) -> None:
    files = ", ".join(getattr(c, "path", "") for c in config.sinks
                      if getattr(c, "type", "") == "file")
    export_url = f"{base}{prefix}/api/v4/auditlogs/export?fromDate={time.strftime('%Y-%m-%d')}"
    print(f"""
auditmw demo: the example app, audited by config alone ({config_path})

  the app (GraphQL)      {base}/graphql
  the Audit trail page   {base}{prefix}/        (paste the access key when asked)
  access key             {key}
  the Data API           curl -H 'accessKey: {key}' {base}{prefix}/api/audit-trail
  Leapwork export        curl -H 'accessKey: {key}' '{export_url}'
  events also in         {files or "(no file sink)"} and {config.store.url}
  the app's own output   {app_log}

{len(listed)} events in the trail now; newest first:""")
    for item in listed[:8]:
        who = item["actor"].get("name") or item["actor"].get("type")
        print(f"  {item['time']}  {item['event']:<20} {item['outcome']:<8} {who}")
    if not listed:
        print("  (none yet: see the app's output above)")


def run(args: argparse.Namespace) -> int:
    if not (EXAMPLE_DIR / "starlette_app.py").exists():
        raise SystemExit(f"auditmw demo: the example app is missing from {EXAMPLE_DIR}; "
                         "reinstall auditmw")
    missing = [m for m in ("starlette", "strawberry", "uvicorn", "httpx")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"auditmw demo needs {', '.join(missing)}: "
                         'pip install "auditmw[demo]"')
    config_path, env, config = _demo_config(args)
    prefix = config.server.prefix or "/audit"
    port = _free_port(args.port)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "auditmw", "run", "-c", str(config_path), "--",
               sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLE_DIR),
               "starlette_app:app", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning"]
    # The app runs in its own session (so its whole process group can be stopped); a
    # SIGTERM or SIGHUP to us must therefore stop it too, not leave it serving.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    app_log = Path(".auditmw") / "demo-app.log"
    with app_log.open("wb") as log:  # the app's own output (Strawberry logs its errors)
        proc = subprocess.Popen(command, env=env, start_new_session=True, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        _wait_healthy(base, proc, app_log)
        key, listed = _exercise(base, config, prefix)
        _summary(config_path, config, base=base, prefix=prefix, key=key, listed=listed,
                 app_log=app_log)
        if not listed:
            return 1
        if args.no_wait:
            return 0
        print("\nserving until Ctrl-C ...", flush=True)
        proc.wait()
    except KeyboardInterrupt:
        print("\nstopping", file=sys.stderr)
    finally:
        _stop(proc)
    return 0
