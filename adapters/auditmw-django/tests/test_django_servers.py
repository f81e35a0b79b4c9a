"""The example project as real server processes: gunicorn (WSGI), uvicorn (ASGI) and
``manage.py runserver`` (with its autoreloader child), each under ``auditmw run`` with
the project unchanged (``INVENTORY_AUDIT=off``: auditmw is nowhere in its settings), and
gunicorn/uvicorn with the settings integration instead. Real HTTP from a real client on
127.0.0.1; the events read back from the SQLite store: one per call, with the actor,
outcome, target and client IP the project decided."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.store import Query, open_store

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "django_inventory"
BIN = Path(sys.executable).parent
WATCHED = ("createAssetGroup", "deleteAssetGroup", "deleteScope", "createScope",
           "assetsResync", "siteAccess")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


SERVERS = {
    "gunicorn": [str(BIN / "gunicorn"), "-w", "2", "--chdir", str(EXAMPLE),
                 "-b", "127.0.0.1:{port}", "inventory_site.wsgi"],
    "uvicorn": [str(BIN / "uvicorn"), "--app-dir", str(EXAMPLE),
                "inventory_site.asgi:application", "--host", "127.0.0.1", "--port", "{port}"],
    "runserver": [sys.executable, str(EXAMPLE / "manage.py"), "runserver",
                  "127.0.0.1:{port}"],
}


def environment(data: Path, audit: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUDITMW_", "DJANGO_", "INVENTORY_"))}
    env.update(INVENTORY_DATA_DIR=str(data), INVENTORY_AUDIT=audit,
               DJANGO_SETTINGS_MODULE="inventory_site.settings", PYTHONUNBUFFERED="1")
    return env


def tokens(data: Path) -> dict[str, str]:
    with sqlite3.connect(data / "inventory.sqlite3") as db:
        rows = db.execute("SELECT u.username, t.key FROM authtoken_token t "
                          "JOIN auth_user u ON u.id = t.user_id").fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's database, migrated and seeded once (``manage.py up --no-serve``)."""
    data = tmp_path_factory.mktemp("inventory-template")
    subprocess.run([sys.executable, str(EXAMPLE / "manage.py"), "up", "--no-serve"],
                   env=environment(data, "off"), check=True, cwd=data, timeout=120)
    return data / "inventory.sqlite3"


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path,
           migrated: Path) -> Iterator[dict[str, Any]]:
    mode, server = request.param
    shutil.copyfile(migrated, tmp_path / "inventory.sqlite3")
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in SERVERS[server]]
    if mode == "run":
        command = [sys.executable, "-m", "auditmw", "run", "-c",
                   str(EXAMPLE / "auditmw.toml"), "--", *command]
    log_path = tmp_path / "server.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(command, cwd=tmp_path,
                            env=environment(tmp_path, "off" if mode == "run" else "settings"),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log_path.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield {"base": base, "data": tmp_path, "log": log_path, "mode": mode,
               "server": server, "tokens": tokens(tmp_path)}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


def stored(data: Path, count: int) -> list[dict[str, Any]]:
    store = open_store(f"sqlite:///{data / 'audit.db'}")
    try:
        deadline = time.monotonic() + 30
        while True:
            items = list(store.iter_events(Query(event=WATCHED)))
            if len(items) >= count or time.monotonic() > deadline:
                time.sleep(0.5)  # anything recorded twice would arrive by now as well
                return sorted(store.iter_events(Query(event=WATCHED)),
                              key=lambda e: e["time"])
            time.sleep(0.2)
    finally:
        store.close()


def sign_in(http: httpx.Client, username: str, password: str) -> int:
    form = http.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None, form.text
    answer = http.post("/accounts/login/", data={
        "username": username, "password": password, "csrfmiddlewaretoken": token.group(1)})
    return answer.status_code


def gql(http: httpx.Client, path: str, query: str) -> dict[str, Any]:
    answer = http.post(path, json={"query": query})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


CASES = [pytest.param(("run", s), id=f"auditmw-run-{s}") for s in SERVERS] + \
    [pytest.param(("settings", s), id=f"settings-{s}") for s in ("gunicorn", "uvicorn")]


@pytest.mark.parametrize("served", CASES, indirect=True)
def test_real_server_records_each_call_once(served: dict[str, Any]) -> None:
    keys = served["tokens"]
    with httpx.Client(base_url=served["base"], timeout=15) as api:
        created = api.post("/api/asset-groups/", json={"name": "Racks"},
                           headers={"Authorization": f"Token {keys['alice']}"})
        assert created.status_code == 201, created.text
        group = created.json()["id"]
        refused = api.delete(f"/api/asset-groups/{group}/",
                             headers={"Authorization": f"Token {keys['bob']}"})
        assert refused.status_code == 403
        scope_refused = api.post("/api/scopes/1/delete",
                                 headers={"Authorization": f"Token {keys['bob']}"})
        assert scope_refused.status_code == 403
        resync = api.post("/api/assets/1/resync",
                          headers={"Authorization": f"Token {keys['alice']}"})
        assert resync.status_code == 200, resync.text
    with httpx.Client(base_url=served["base"], timeout=15) as browser:
        assert sign_in(browser, "alice", "not-her-password") == 200
        assert sign_in(browser, "alice", "inventory") == 302
        made = gql(browser, "/graphql", 'mutation { createScope(name: "Lab") { id name } }')
        assert made["data"]["createScope"]["name"] == "Lab"
        grouped = gql(browser, "/graphql/async",
                      'mutation { createAssetGroup(name: "Async racks") { id } }')
        denied = gql(browser, "/graphql/strawberry", 'mutation { deleteAssetGroup(id: "1") }')
        assert denied["errors"][0]["message"] == "only staff may delete asset groups"
        assert browser.get("/audit/api/audit-trail").status_code == 401  # not staff
    events = stored(served["data"], 10)
    seen = [(e["event"], e["outcome"], e["actor"]["name"], e["source"]) for e in events]
    assert seen == [
        ("createAssetGroup", "success", "alice", "rest"),
        ("deleteAssetGroup", "denied", "bob", "rest"),
        ("deleteScope", "denied", "bob", "rest"),
        ("assetsResync", "success", "alice", "rest"),
        ("siteAccess", "failure", "alice", "rest"),
        ("siteAccess", "success", "alice", "rest"),
        ("createScope", "success", "alice", "graphql"),
        ("createAssetGroup", "success", "alice", "graphql"),
        ("deleteAssetGroup", "denied", "alice", "graphql"),
    ], served["log"].read_text()
    by_event = {(e["event"], e["source"]): e for e in events}
    assert by_event[("deleteAssetGroup", "rest")]["target"]["id"] == str(group)
    assert by_event[("assetsResync", "rest")]["target"]["id"] == "1"
    assert by_event[("createScope", "graphql")]["target"]["id"] == \
        made["data"]["createScope"]["id"]
    assert by_event[("createAssetGroup", "graphql")]["target"]["id"] == \
        grouped["data"]["createAssetGroup"]["id"]
    assert {e["client"]["ip"] for e in events} == {"127.0.0.1"}
    assert {e["channel"] for e in events[:4]} == {"api"}
    if served["mode"] == "run":
        told = served["log"].read_text()
        assert "auditmw: auditing Django project 'inventory_site.settings'" in told
        assert "instruments nothing" not in told
        assert "no HTTP app was instrumented" not in told


@pytest.mark.parametrize("served", [pytest.param(("run", "gunicorn"), id="run-gunicorn"),
                                    pytest.param(("settings", "uvicorn"),
                                                 id="settings-uvicorn")], indirect=True)
def test_audit_pages_with_django_login(served: dict[str, Any]) -> None:
    with httpx.Client(base_url=served["base"], timeout=15) as browser:
        first = browser.get("/audit/")
        assert first.status_code == 302
        assert first.headers["location"].startswith("/accounts/login/?next=/audit/")
        assert sign_in(browser, "admin", "inventory") == 302
        page = browser.get("/audit/")
        assert page.status_code == 200
        assert "<html" in page.text.lower()
        stored(served["data"], 1)  # the login's siteAccess is in the store
        listed = browser.get("/audit/api/audit-trail")
        assert listed.status_code == 200, listed.text
        assert any(e["event"] == "siteAccess" for e in listed.json()["items"])


def test_manage_py_auditmw_runs_the_cli_on_the_settings_config(tmp_path: Path,
                                                               migrated: Path) -> None:
    env = environment(tmp_path, "settings")
    manage = [sys.executable, str(EXAMPLE / "manage.py")]
    shutil.copyfile(migrated, tmp_path / "inventory.sqlite3")
    made = subprocess.run([*manage, "auditmw", "keys", "create", "--name", "ci",
                           "--scope", "audit_logs", "--json"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert made.returncode == 0, made.stderr
    assert '"name": "ci"' in made.stdout
    listed = subprocess.run([*manage, "auditmw", "keys", "list", "--json"], env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert listed.returncode == 0, listed.stderr
    assert '"ci"' in listed.stdout
    # the key went to the store named in settings.AUDITMW, under INVENTORY_DATA_DIR
    assert (tmp_path / "audit.db").is_file()
    bad = subprocess.run([*manage, "auditmw", "verify", "--no-such-option"], env=env,
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert "usage" in bad.stderr
