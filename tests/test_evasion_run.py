"""The evasion table against the five unmodified stacks under ``auditmw run``: a real
server process per stack (uvicorn for the ASGI ones, gunicorn for Flask), the counter
inside every catalogued resolver written to a file by the server, the events read from
the trail's JSON-lines sink. events == executions, shape by shape."""

from __future__ import annotations

import asyncio
import json
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

from support import evasion_apps
from support.evasion_shapes import (
    LATE_CASES,
    LATE_SHAPES,
    MAX_BODY,
    OUTCOME,
    SHAPES,
    Shape,
    judged,
    judged_late,
    known_defects,
)
from support.net import free_port

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TIMEOUT = 10.0



class Server:
    def __init__(self, stack: str, base: str, counter: Path, events: Path) -> None:
        self.stack, self.base, self.counter, self.events = stack, base, counter, events
        self._seen = (0, 0)

    @staticmethod
    def _lines(path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def mark(self) -> None:
        self._seen = (len(self._lines(self.counter)), len(self._lines(self.events)))

    def since_mark(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        ran = self._lines(self.counter)[self._seen[0]:]
        events = [e for e in self._lines(self.events)[self._seen[1]:]
                  if e["event"] in OUTCOME]
        return ran, events


@pytest.fixture(scope="module", params=evasion_apps.STACKS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    stack: str = request.param
    tmp = tmp_path_factory.mktemp(stack)
    port = free_port()
    config = tmp / "auditmw.toml"
    config.write_text(f"""
service = "evasion"
[capture]
graphql_paths = ["/graphql", "{evasion_apps.QUEUED_PATH}"]
max_body_bytes = {MAX_BODY}
[delivery]
mode = "sync"
# the file sink (read below) is an async lane behind the store: its batches are
# written this often, so a test waits for its events 50 ms, not 500
flush_interval_s = 0.05
spool_dir = "{tmp / 'spool'}"
[[sinks]]
type = "file"
path = "{tmp / 'events.jsonl'}"
[store]
url = "sqlite:///{tmp / 'audit.db'}"
""")
    if stack in evasion_apps.ASGI_STACKS:
        command = [str(BIN / "uvicorn"), "--app-dir", str(HERE), "support.evasion_apps:app",
                   "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets"]
    else:
        command = [str(BIN / "gunicorn"), "-w", "1", "--chdir", str(HERE),
                   "-b", f"127.0.0.1:{port}", "support.evasion_apps:app"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    env.update(EVASION_STACK=stack, EVASION_COUNTER=str(tmp / "executions.jsonl"))
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "auditmw", "run", "-c", str(config), "--",
                             *command], cwd=tmp, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp / "server.log").read_text()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp / "server.log").read_text()
            time.sleep(0.2)
        yield Server(stack, base, tmp / "executions.jsonl", tmp / "events.jsonl")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        log.close()


async def converse(base: str, shape: Shape) -> None:
    import websockets

    assert shape.socket is not None
    protocol, payloads = shape.socket
    uri = base.replace("http://", "ws://") + shape.path
    try:
        async with websockets.connect(uri, subprotocols=[protocol],  # type: ignore[list-item]
                                      open_timeout=TIMEOUT) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            start = "subscribe" if protocol == "graphql-transport-ws" else "start"
            ack = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
            if ack.get("type") != "connection_ack":
                return
            for number, payload in enumerate(payloads):
                await ws.send(json.dumps({"id": str(number), "type": start,
                                          "payload": payload}))
            open_ids = {str(n) for n in range(len(payloads))}
            for _ in range(100):
                if not open_ids:
                    break
                message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
                if message.get("type") in ("complete", "error"):
                    open_ids.discard(str(message.get("id")))
    except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
        return  # refused or silent: whatever ran is still judged below


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_events_are_the_executions_under_auditmw_run(server: Server, shape: Shape) -> None:
    if shape.socket is not None and server.stack not in evasion_apps.ASGI_STACKS:
        pytest.skip("Flask serves no WebSocket")
    server.mark()
    if shape.socket is not None:
        asyncio.run(converse(server.base, shape))
    else:
        path = shape.path + ("?" + shape.query_string if shape.query_string else "")
        httpx.request(shape.method, server.base + path, headers=shape.headers,
                      content=shape.content or None, timeout=TIMEOUT)
    deadline = time.monotonic() + 5  # the file sink writes its lines in batches
    while True:
        ran, events = server.since_mark()
        if len(events) >= len(ran) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    time.sleep(0.3)  # anything recorded twice would be there by now as well
    ran, events = server.since_mark()
    judged(events, ran)


@pytest.mark.parametrize("case", LATE_CASES)
def test_an_execution_after_the_response_under_auditmw_run(
        server: Server, case: str, request: pytest.FixtureRequest) -> None:
    """A catalogued mutation run once the response has been sent, the stack's own way:
    one execution, one event, the signed-in actor."""
    known_defects(request, server.stack, case, "run")
    server.mark()
    shape = LATE_SHAPES[case]
    answer = httpx.request(shape.method, server.base + shape.path, headers=shape.headers,
                           content=shape.content, timeout=TIMEOUT)
    assert answer.status_code == 200
    deadline = time.monotonic() + 10  # the execution comes after the answer
    while True:
        ran, events = server.since_mark()
        if (ran and len(events) >= len(ran)) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    time.sleep(0.3)  # anything recorded twice would be there by now as well
    ran, events = server.since_mark()
    judged_late(case, events, ran)
