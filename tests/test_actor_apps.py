"""The actor is the signed-in user, in real apps of each kind — config-only (the app
unmodified under ``auditmw run``) and by the code route (``instrument_app``/``init_app``).

Every app in tests/actor_apps authenticates the way its framework's tutorial or template
does; nothing in it knows about auditmw. Each scenario also tries what an attacker would
(a forged or unsigned token, a wrong password) and expects nobody to be named for it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

# The apps drive themselves with Starlette's TestClient, which warns about httpx 1.x.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")

APPS_DIR = Path(__file__).parent / "actor_apps"
sys.path.insert(0, str(APPS_DIR))

APPS = ["fastapi_jwt_app", "fastapi_single_app", "flaskr_app", "flask_login_app",
        "flask_jwt_app", "flask_httpauth_app", "strawberry_app", "ariadne_app"]

SINKS = '\n[store]\nenabled = false\n\n[[sinks]]\ntype = "file"\npath = "{path}"\n' \
        'fsync = "never"\n'

DRIVER = """
import sys
sys.path.insert(0, {apps!r})
import importlib
import inspect
mod = importlib.import_module({name!r})
app = mod.make_app()
mod.scenario(mod.client(app))
print("scenario done", flush=True)
"""


def check(expected: list[tuple[Any, ...]], events: list[dict[str, Any]]) -> None:
    got = [(e["event"], e["actor"]["id"], e["actor"]["name"], e["outcome"]) for e in events]
    assert got == [row[:4] for row in expected]
    for row, event in zip(expected, events, strict=True):
        if len(row) > 4:
            assert event["actor"]["on_behalf_of"] == row[4]
        else:
            assert "on_behalf_of" not in event["actor"]
        if row[1] is None and row[2] is None:
            assert event["actor"]["type"] == "anonymous"


def read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.mark.subprocess
@pytest.mark.parametrize("name", APPS)
def test_config_only_under_auditmw_run(tmp_path: Path, name: str) -> None:
    mod = importlib.import_module(name)
    (tmp_path / "auditmw.toml").write_text(
        mod.TOML + SINKS.format(path=tmp_path / "audit.jsonl"), "utf-8")
    (tmp_path / "driver.py").write_text(DRIVER.format(apps=str(APPS_DIR), name=name), "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    done = subprocess.run(
        [sys.executable, "-m", "auditmw", "run", "-c", "auditmw.toml", "--",
         sys.executable, "driver.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scenario done" in done.stdout
    complaints = [line for line in done.stderr.splitlines()
                  if line.startswith("auditmw:") and not line.startswith("auditmw: auditing")]
    assert complaints == []  # nothing went unaudited
    check(mod.EXPECTED, read_events(tmp_path / "audit.jsonl"))


@pytest.mark.parametrize("name", APPS)
def test_code_route(tmp_path: Path, name: str) -> None:
    from auditmw.trail import AuditTrail

    mod = importlib.import_module(name)
    path = tmp_path / "audit.jsonl"
    config = tomllib.loads(mod.TOML + SINKS.format(path=path))
    trail = AuditTrail(config, delivery={"mode": "sync"})
    takes_trail = "trail" in inspect.signature(mod.make_app).parameters
    app = mod.make_app(trail) if takes_trail else mod.make_app()
    mod.instrument(app, trail)
    mod.scenario(mod.client(app))
    trail.close()
    check(mod.EXPECTED, read_events(path))
