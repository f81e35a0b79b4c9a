"""Whole processes: kill -9 in sync and async mode, SIGTERM under load, fork, atexit.

Each test runs a small app (``support/app_process.py``: a stdlib HTTP server with a
trail) in a subprocess and talks to it over 127.0.0.1 like a client would.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.delivery.records import segment_events
from auditmw.store import Query, open_store
from support.app_process import App
from support.net import free_port, wait_for
from support.receiver import Receiver

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]

@pytest.fixture
def apps() -> Iterator[list[App]]:
    started: list[App] = []
    yield started
    for app in started:
        if app.proc.poll() is None:
            app.kill()


def file_ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


@pytest.mark.parametrize("durable", ["file", "sqlite"])
def test_kill_9_in_sync_mode_keeps_every_acknowledged_event(tmp_path: Path, apps: list[App],
                                                            durable: str) -> None:
    path, db = tmp_path / "audit.jsonl", f"sqlite:///{tmp_path / 'audit.db'}"
    config: dict[str, Any] = {"delivery": {"mode": "sync", "spool_dir": str(tmp_path / "s")}}
    if durable == "file":
        config |= {"store": {"enabled": False},
                   "sinks": [{"type": "file", "path": str(path), "fsync": "always"}]}
    else:
        config |= {"store": {"url": db}, "sinks": []}
    apps.append(App(tmp_path, config))
    acknowledged = [apps[-1].post(n)["id"] for n in range(200)]
    assert apps[-1].kill() == -signal.SIGKILL
    apps.append(App(tmp_path, config))  # the restart finds everything in place
    assert apps[-1].stats()["recorded"] == 0
    if durable == "file":
        found = set(file_ids(path))
    else:
        store = open_store(db)
        found = {e["id"] for e in store.iter_events(Query())}
        store.close()
    assert set(acknowledged) <= found


def test_kill_9_in_async_mode_loses_at_most_what_was_still_in_memory(
        tmp_path: Path, apps: list[App]) -> None:
    port = free_port()
    config = {"store": {"enabled": False},
              "delivery": {"spool_dir": str(tmp_path / "s"), "flush_interval_s": 0.05,
                           "retry_backoff_s": 0.05, "retry_max_backoff_s": 0.2},
              "sinks": [{"type": "http", "url": f"http://127.0.0.1:{port}/ingest",
                         "timeout_s": 2}]}
    apps.append(App(tmp_path, config))
    app = apps[-1]
    settled = [app.post(n)["id"] for n in range(300)]  # the collector is down

    def all_spooled() -> bool:
        stats = app.stats()
        return stats["queue_depth"] == 0 and stats["spooled"] >= 300

    wait_for(all_spooled)
    in_memory = [app.post(n)["id"] for n in range(300, 340)]
    assert app.kill() == -signal.SIGKILL
    with Receiver(port=port) as receiver:
        apps.append(App(tmp_path, config))  # adopts the dead process's spool
        wait_for(lambda: set(settled) <= receiver.ids(), timeout=60)
        lost = set(settled + in_memory) - receiver.ids()
        assert lost <= set(in_memory)  # only events younger than one flush interval


def test_sigterm_under_load_delivers_or_spools_everything_accepted(
        tmp_path: Path, apps: list[App]) -> None:
    accepted_file = tmp_path / "accepted.txt"
    with Receiver() as receiver:
        receiver.delay = 0.05  # a collector slower than the load, so a backlog builds
        config = {"store": {"enabled": False},
                  "delivery": {"spool_dir": str(tmp_path / "s"), "shutdown_timeout_s": 2,
                               "batch_size": 200},
                  "sinks": [{"type": "http", "url": receiver.url}]}
        apps.append(App(tmp_path, config, load_file=accepted_file))
        wait_for(lambda: accepted_file.exists() and
                 accepted_file.stat().st_size > 40 * 3000)
        assert apps[-1].kill(signal.SIGTERM) == -signal.SIGTERM  # chained to the default
        accepted = set(accepted_file.read_text().split())
        spooled: set[str] = set()
        for segment in (tmp_path / "s").rglob("seg-*.spool"):
            spooled |= {e["id"] for e in segment_events(segment)}
        assert accepted <= receiver.ids() | spooled
        assert len(accepted) >= 3000
        apps.append(App(tmp_path, {**config, "delivery": {"spool_dir": str(tmp_path / "s")}}))
        wait_for(lambda: accepted <= receiver.ids(), timeout=120)


FORK_SCRIPT = r'''
import os, sys
from auditmw.trail import AuditTrail
trail = AuditTrail(store=False, delivery={"spool_dir": sys.argv[2]},
                   sinks=[{"type": "file", "path": sys.argv[1]}])
trail.record("createAssetGroup", details={"who": "parent-before"})
children = []
for k in range(2):
    pid = os.fork()
    if pid == 0:
        for n in range(100):
            trail.record("createAssetGroup", details={"who": f"child{k}", "n": n})
        trail.close()
        os._exit(0)
    children.append(pid)
for pid in children:
    assert os.waitpid(pid, 0)[1] == 0
trail.record("createAssetGroup", details={"who": "parent-after"})
# no close(): the atexit hook must deliver the parent's events
'''


def test_a_forked_worker_gets_a_working_dispatcher_and_atexit_flushes(tmp_path: Path) -> None:
    script, path = tmp_path / "fork.py", tmp_path / "audit.jsonl"
    script.write_text(FORK_SCRIPT)
    subprocess.run([sys.executable, str(script), str(path), str(tmp_path / "s")],
                   check=True, timeout=120, cwd=tmp_path)
    events = [json.loads(line) for line in path.read_text().splitlines()]
    who = [e["details"]["who"] for e in events]
    assert who.count("child0") == who.count("child1") == 100
    assert who.count("parent-before") == who.count("parent-after") == 1
    assert len({e["id"] for e in events}) == 202
