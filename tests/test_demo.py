"""``auditmw demo`` (what ``make demo`` runs) ends with the page's API listing events."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.subprocess, pytest.mark.slow]


def test_demo_runs_on_the_embedded_defaults(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    done = subprocess.run([sys.executable, "-m", "auditmw", "demo", "--no-wait", "--port", "0"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "auditmw-audit.jsonl").exists()  # the default file sink
    assert (tmp_path / "auditmw.db").exists()  # the default store
    listed = re.search(r"^(\d+) events in the trail now", done.stdout, re.M)
    assert listed, done.stdout
    assert int(listed.group(1)) >= 6, done.stdout
    for event in ("createAssetGroup", "updateAssetGroup", "deleteScope"):
        assert event in done.stdout
    assert "denied" in done.stdout
    assert "failure" in done.stdout
    key = re.search(r"access key\s+(amk_\S+)", done.stdout)
    assert key, done.stdout
    url = re.search(r"Audit trail page\s+(http://127\.0\.0\.1:\d+/audit/)", done.stdout)
    assert url
    with pytest.raises(httpx.ConnectError):  # --no-wait: the app is gone again
        httpx.get(url.group(1), timeout=2)


def test_demo_stopped_by_sigterm_stops_its_app(tmp_path: Path) -> None:
    import signal
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    proc = subprocess.Popen([sys.executable, "-m", "auditmw", "demo", "--port", str(port)],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # bounded by the demo's own one-minute start limit
            if line.startswith("serving until Ctrl-C"):
                break
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


def test_demo_takes_your_config(tmp_path: Path) -> None:
    config = tmp_path / "mine.toml"
    config.write_text(f'service = "mine"\n[store]\nurl = "sqlite:///{tmp_path / "mine.db"}"\n'
                      f'[server]\nprefix = "/trail"\n[[sinks]]\ntype = "file"\n'
                      f'path = "{tmp_path / "mine.jsonl"}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    done = subprocess.run([sys.executable, "-m", "auditmw", "demo", "-c", str(config),
                           "--no-wait", "--port", "0"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Audit trail page\s+http://127\.0\.0\.1:\d+/trail/", done.stdout)
    assert (tmp_path / "mine.db").exists()
    assert '"service":{"host":' in (tmp_path / "mine.jsonl").read_text()
    assert not (tmp_path / "auditmw.db").exists()  # not the defaults
