"""The two HTTP-capture examples, each started by its one command (README) as a real
server on a free port: a real mutation over HTTP gives its event in examples-audit.jsonl."""

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



@pytest.mark.subprocess
@pytest.mark.parametrize("script", [
    pytest.param("examples/starlette_strawberry/app.py", id="starlette-strawberry"),
    pytest.param("examples/flask_ariadne/app.py", id="flask-ariadne"),
])
def test_capture_example_records_a_real_mutation(tmp_path: Path, script: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    env["PORT"] = str(port)
    output = tmp_path / "server.log"
    with output.open("wb") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / script)], cwd=tmp_path, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    events_file = tmp_path / "examples-audit.jsonl"
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        for _ in range(200):  # bounded wait for the server to listen
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, output.read_text()
                time.sleep(0.1)
        answer = httpx.post(
            url, timeout=10, headers={"Authorization": "Bearer ann"},
            json={"query": 'mutation { createAssetGroup(name: "Servers") { id name } }'})
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["createAssetGroup"]["name"] == "Servers"
        for _ in range(100):  # async delivery: bounded wait for the line
            if events_file.exists() and events_file.read_text().strip():
                break
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    [event] = [json.loads(x) for x in events_file.read_text().splitlines()]
    assert (event["event"], event["outcome"]) == ("createAssetGroup", "success")
    assert event["actor"]["id"] == "ann"
    assert event["target"]["name"] == "Servers"
    assert event["client"]["ip"] == "127.0.0.1"
