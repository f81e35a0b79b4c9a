"""Helpers for the tests that install auditmw as a user does: a built wheel, fresh venvs.

Venvs are made with uv when it is there (``make venv`` installs it; its cache makes a
second install of the same packages take seconds), else with ``venv`` + pip.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parents[1] / "data" / "wheel_apps"


def uv() -> str | None:
    here = Path(sys.executable).parent / "uv"
    return str(here) if here.exists() else shutil.which("uv")


def build_wheel(out_dir: Path) -> Path:
    """``pip wheel`` of this checkout: exactly what a release would upload."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", str(ROOT), "-w", str(out_dir)],
                   check=True, capture_output=True, text=True, timeout=600)
    wheels = sorted(out_dir.glob("auditmw-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def requirement(wheel: Path, extras: Sequence[str] = ()) -> str:
    """``auditmw[extras] @ file:///...whl``: the wheel with its extras, as pip and uv take it."""
    names = f"[{','.join(extras)}]" if extras else ""
    return f"auditmw{names} @ {wheel.resolve().as_uri()}"


def make_venv(path: Path, requirements: Sequence[str]) -> Path:
    """A fresh venv with ``requirements`` resolved from scratch; returns its python."""
    python = path / "bin" / "python"
    tool = uv()
    if tool:
        subprocess.run([tool, "venv", "--quiet", "--python", sys.executable, str(path)],
                       check=True, capture_output=True, text=True, timeout=300)
        done = subprocess.run([tool, "pip", "install", "--quiet", "--python", str(python),
                               *requirements], capture_output=True, text=True, timeout=900,
                              check=False)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, timeout=300)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", *requirements],
                              capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"install failed: {requirements}\n{done.stderr[-4000:]}"
    return python


def version_of(python: Path, distribution: str) -> str:
    return subprocess.run(
        [str(python), "-c", "import sys, importlib.metadata as m; "
         "print(m.version(sys.argv[1]))", distribution],
        check=True, capture_output=True, text=True, timeout=60).stdout.strip()



def write_config(folder: Path) -> tuple[Path, Path]:
    """A config writing JSON lines and SQLite into ``folder``; returns (config, jsonl)."""
    jsonl = folder / "audit.jsonl"
    config = folder / "auditmw.toml"
    config.write_text(f"""service = "wheel-test"

[delivery]
flush_interval_s = 0.1

[[sinks]]
type = "file"
path = "{jsonl}"

[store]
url = "sqlite:///{folder / 'audit.db'}"
""", encoding="utf-8")
    return config, jsonl


class Server:
    """A real server process on 127.0.0.1, stopped (its whole group) on exit."""

    def __init__(self, command: Sequence[str], *, port: int, cwd: Path,
                 env: dict[str, str]) -> None:
        self.port = port
        self.log = cwd / f"server-{port}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server did not start:\n{self.output()}")

    def graphql(self, query: str) -> dict[str, Any]:
        answer = httpx.post(f"http://127.0.0.1:{self.port}/graphql", json={"query": query},
                            timeout=10)
        data: dict[str, Any] = answer.json()
        return data

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def events_in(jsonl: Path, count: int, timeout: float = 20) -> list[dict[str, Any]]:
    """The events of ``jsonl`` once ``count`` are there (delivery is asynchronous)."""
    deadline = time.monotonic() + timeout
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        if jsonl.exists():
            events = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()
                      if line.strip()]
            if len(events) >= count:
                return events
        time.sleep(0.2)
    return events


CATALOGUED_CALLS = [
    'mutation { createAssetGroup(name: "servers") }',
    'mutation { deleteScope(id: "scope-7") }',
    'mutation { renameNothing(name: "not catalogued") }',
    "query { ping }",
]
EXPECTED_EVENTS = ["createAssetGroup", "deleteScope"]


def exercise(server: Server, jsonl: Path) -> list[str]:
    """Send every call, then the event names recorded (in order)."""
    for query in CATALOGUED_CALLS:
        data = server.graphql(query)
        assert not data.get("errors"), (query, data, server.output())
    events = events_in(jsonl, len(EXPECTED_EVENTS))
    time.sleep(0.5)  # nothing more may arrive: the uncatalogued calls make no event
    events = events_in(jsonl, len(EXPECTED_EVENTS), timeout=1)
    return [e["event"] for e in events]
