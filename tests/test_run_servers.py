"""Unmodified example apps under ``auditmw run``, with each server the docs name.

Each case starts a real server process on 127.0.0.1, sends real mutations over HTTP,
and reads the events back from the store: one event per mutation (never two, whatever
mix of HTTP and resolver hooks got installed), with the actor and outcome the app
decided, and the audit pages mounted under /audit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.store import Query, open_store
from support.net import free_port

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "config_only"
BIN = Path(sys.executable).parent



STARLETTE = ["--app-dir", str(EXAMPLE), "starlette_app:app", "--host", "127.0.0.1"]
SERVERS = [
    pytest.param([str(BIN / "uvicorn"), *STARLETTE, "--port", "{port}"], id="uvicorn"),
    pytest.param([str(BIN / "uvicorn"), *STARLETTE, "--port", "{port}", "--reload",
                  "--reload-dir", str(EXAMPLE)], id="uvicorn-reload"),
    pytest.param([str(BIN / "uvicorn"), *STARLETTE, "--port", "{port}", "--workers", "2"],
                 id="uvicorn-workers"),
    pytest.param([str(BIN / "gunicorn"), "-k", "uvicorn_worker.UvicornWorker", "-w", "2",
                  "--chdir", str(EXAMPLE), "-b", "127.0.0.1:{port}", "starlette_app:app"],
                 id="gunicorn-uvicorn-workers"),
    pytest.param([str(BIN / "gunicorn"), "-w", "2", "--chdir", str(EXAMPLE),
                  "-b", "127.0.0.1:{port}", "flask_app:app"], id="gunicorn-sync"),
    pytest.param([str(BIN / "gunicorn"), "-w", "2", "--preload", "--chdir", str(EXAMPLE),
                  "-b", "127.0.0.1:{port}", "flask_app:app"], id="gunicorn-sync-preload"),
    pytest.param([str(BIN / "flask"), "--app", str(EXAMPLE / "flask_app.py"), "run",
                  "--port", "{port}"], id="flask-run"),
    pytest.param([sys.executable, str(EXAMPLE / "starlette_app.py")], id="python-app.py"),
]


def mutation(client: httpx.Client, user: str, query: str) -> dict[str, Any]:
    answer = client.post("/graphql", json={"query": query},
                         headers={"Authorization": f"Bearer {user}"})
    body: dict[str, Any] = answer.json()
    return body


@pytest.fixture
def started(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    command: list[str] = request.param
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    env.update(AUDITMW_EXAMPLE_DIR=str(tmp_path), PORT=str(port))
    log = (tmp_path / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditmw", "run", "-c", str(EXAMPLE / "auditmw.toml"), "--",
         *(part.replace("{port}", str(port)) for part in command)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        yield base, tmp_path
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def wait_for_events(tmp_path: Path, count: int) -> list[dict[str, Any]]:
    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}")
    try:
        deadline = time.monotonic() + 30
        while True:
            items = list(store.iter_events(Query(event=(
                "createAssetGroup", "updateAssetGroup", "deleteScope"))))
            if len(items) >= count or time.monotonic() > deadline:
                time.sleep(0.5)  # anything recorded twice would arrive by now as well
                return list(store.iter_events(Query(event=(
                    "createAssetGroup", "updateAssetGroup", "deleteScope"))))
            time.sleep(0.2)
    finally:
        store.close()


@pytest.mark.parametrize("started", SERVERS, indirect=True)
def test_unmodified_app_is_audited(started: tuple[str, Path]) -> None:
    base, tmp_path = started
    with httpx.Client(base_url=base, timeout=10) as client:
        created = mutation(client, "ann",
                           'mutation { createAssetGroup(name: "Servers") { id name } }')
        assert created["data"]["createAssetGroup"]["name"] == "Servers"
        refused = mutation(client, "bob", 'mutation { deleteScope(id: "s-1") }')
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        failed = mutation(client, "ann",
                          'mutation { updateAssetGroup(id: "nope", name: "x") { id } }')
        assert failed["errors"]
        page = client.get("/audit/api/audit-trail")
        assert page.status_code == 401
        assert page.json() == {"message": "Incorrect Accesskey"}

    events = wait_for_events(tmp_path, 3)
    seen = sorted((e["event"], e["outcome"], e["actor"].get("name") or e["actor"].get("id"))
                  for e in events)
    assert seen == [("createAssetGroup", "success", "ann"),
                    ("deleteScope", "denied", "bob"),
                    ("updateAssetGroup", "failure", "ann")]
    create = next(e for e in events if e["event"] == "createAssetGroup")
    assert create["client"]["ip"] == "127.0.0.1"
    assert create["target"]["name"] == "Servers"
    assert create["source"] == "graphql"
    assert create["service"]["name"] == "inventory-api"
