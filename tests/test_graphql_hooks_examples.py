"""The two examples, each started by its one command on a free port as a real server,
audited end to end: the HTTP middleware and the resolver hook give one event per field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.net import free_port

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = [
    pytest.param("examples/fastapi_strawberry/app.py",
                 'mutation { createAssetGroup(name: "Servers") { id name } }',
                 "mutation { deleteAssetGroup(id: \"g1\") }",
                 ("createAssetGroup", {"type": "AssetGroup", "id": "g1", "name": "Servers"}),
                 "deleteAssetGroup", id="fastapi-strawberry"),
    pytest.param("examples/graphene_app/app.py",
                 'mutation { addRole(roleName: "auditor") { ok role { id name } } }',
                 'mutation { deleteRole(id: "r1") { ok } }',
                 ("addRole", {"type": "Role", "id": "r1", "name": "auditor"}),
                 "deleteRole", id="graphene-flask"),
]



@pytest.mark.subprocess
@pytest.mark.parametrize(("script", "create", "delete", "created", "deleted"), EXAMPLES)
def test_example_started_by_one_command_is_audited(
        tmp_path: Path, script: str, create: str, delete: str,
        created: tuple[str, dict[str, str]], deleted: str) -> None:
    port = free_port()
    log = tmp_path / "audit.jsonl"
    config = tmp_path / "auditmw.toml"
    config.write_text(f'service = "example"\n[delivery]\nmode = "sync"\n'
                      f'[[sinks]]\ntype = "file"\npath = "{log}"\n[store]\nenabled = false\n')
    env = {**os.environ, "PORT": str(port), "AUDITMW_CONFIG": str(config)}
    output = tmp_path / "server.log"
    with output.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, script], cwd=ROOT, env=env,
                                stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        for _ in range(200):  # bounded wait for the server to listen
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, output.read_text()
                time.sleep(0.1)
        ok = httpx.post(url, json={"query": create}, headers={"x-user": "bob"}, timeout=10)
        refused = httpx.post(url, json={"query": delete}, headers={"x-user": "bob"}, timeout=10)
        assert ok.status_code == 200, ok.text + output.read_text()
        assert refused.json()["errors"]
        # a WSGI server closes the response (when the middleware records) after the
        # client has the body: wait, bounded, for both lines before stopping the server
        for _ in range(100):
            if log.exists() and len(log.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["event"], e["outcome"]) for e in events] == \
        [(created[0], "success"), (deleted, "denied")]
    assert events[0]["target"] == created[1]
    assert {e["actor"]["id"] for e in events} == {"bob"}
    assert {e["client"]["ip"] for e in events} == {"127.0.0.1"}
    assert {e["request"]["status"] for e in events} == {200}
