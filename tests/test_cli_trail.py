"""``auditmw export``, ``tail`` and ``purge`` against a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditmw.store import Query, open_store
from auditmw.store.sample import sample_events

pytestmark = pytest.mark.subprocess


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Path, str]:
    """A config and a store holding 300 sample events of the last ten days."""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    store = open_store(url)
    store.write(list(sample_events(300, end=datetime.now(UTC), span=timedelta(days=10))))
    store.close()
    config = tmp_path / "auditmw.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[[sinks]]\ntype = "file"\n'
                      f'path = "{tmp_path / "own.jsonl"}"\n', encoding="utf-8")
    return config, url


def cli(*args: str, cwd: Path, stderr: int | None = subprocess.PIPE
        ) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    return subprocess.run([sys.executable, "-m", "auditmw", *args], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=stderr, timeout=120, check=False)


def test_export_csv_to_stdout_matches_the_store(seeded: tuple[Path, str],
                                                tmp_path: Path) -> None:
    config, url = seeded
    done = cli("export", "-c", str(config), "--event", "createAssetGroup", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8"))))
    store = open_store(url)
    expected = [e["id"] for e in store.iter_events(Query(event=("createAssetGroup",)))]
    assert [r["id"] for r in rows] == expected
    assert rows
    assert b"\r" not in done.stderr  # piped: no progress bar


@pytest.mark.parametrize("fmt", ["json", "jsonl", "xlsx"])
def test_export_formats_to_file(seeded: tuple[Path, str], tmp_path: Path, fmt: str) -> None:
    config, _ = seeded
    out = tmp_path / f"out.{fmt}"
    done = cli("export", "-c", str(config), "-f", fmt, "-o", str(out), "--outcome", "denied",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    if fmt == "json":
        items = json.loads(out.read_bytes())
    elif fmt == "jsonl":
        items = [json.loads(x) for x in out.read_bytes().splitlines()]
    else:
        book = load_workbook(out, read_only=True)
        header, *body = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()  # read-only workbooks keep the file open until closed
        items = [dict(zip(header, row, strict=False)) for row in body]
    assert items
    assert {i["outcome"] for i in items} == {"denied"}
    assert f"exported {len(items):,} events" in done.stderr.decode()


def test_export_is_itself_recorded(seeded: tuple[Path, str], tmp_path: Path) -> None:
    config, url = seeded
    assert cli("export", "-c", str(config), "-q", "--actor", "nobody-xyz",
               cwd=tmp_path).returncode == 0
    store = open_store(url)
    [record] = store.iter_events(Query(event=("exportAuditTrail",)))
    assert record["details"]["filters"] == {"actor": ["nobody-xyz"]}
    assert record["details"]["events"] == 0
    assert record["outcome"] == "success"


def test_progress_bar_on_a_terminal(seeded: tuple[Path, str], tmp_path: Path) -> None:
    config, _ = seeded
    leader, follower = pty.openpty()
    try:
        done = cli("export", "-c", str(config), "-o", str(tmp_path / "x.csv"), cwd=tmp_path,
                   stderr=follower)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"300/300 events" in shown
    assert b"[##############################]" in shown


def test_bad_filter_value_is_a_clear_error(seeded: tuple[Path, str], tmp_path: Path) -> None:
    config, _ = seeded
    done = cli("export", "-c", str(config), "--from", "yesterday", cwd=tmp_path)
    assert done.returncode == 2
    assert "'yesterday' is not an RFC 3339 time" in done.stderr.decode()


def test_tail_prints_the_newest(seeded: tuple[Path, str], tmp_path: Path) -> None:
    config, url = seeded
    done = cli("tail", "-c", str(config), "-n", "5", "--no-follow", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = [json.loads(x)["id"] for x in done.stdout.splitlines()]
    newest = [e["id"] for e in open_store(url).query(Query(), order="desc", limit=5).items]
    assert shown == list(reversed(newest))


def test_tail_follows_new_events(seeded: tuple[Path, str], tmp_path: Path) -> None:
    config, url = seeded
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    proc = subprocess.Popen([sys.executable, "-m", "auditmw", "tail", "-c", str(config),
                             "-n", "0", "--json", "--interval", "0.1", "--max-events", "3"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        assert proc.stderr is not None
        assert b"-- following" in proc.stderr.readline()  # ready: backlog shown
        fresh = list(sample_events(3, end=datetime.now(UTC), span=timedelta(milliseconds=10),
                                   seed=99, chain="fresh"))
        store = open_store(url)
        store.write(fresh)
        store.close()
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        assert [json.loads(x)["id"] for x in out.splitlines()] == [e["id"] for e in fresh]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_tail_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "event": "e", "time": "t"}) + "\n"
                            for i in range(4)), encoding="utf-8")
    done = cli("tail", "--file", str(path), "-n", "2", "--no-follow", "--json", cwd=tmp_path)
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == ["2", "3"]


def test_purge_writes_a_checkpoint_and_the_store_still_verifies(tmp_path: Path) -> None:
    from auditmw.event import AuditEvent
    from auditmw.ids import format_time
    from auditmw.integrity.verify import verify_store
    from auditmw.trail import AuditTrail

    url = f"sqlite:///{tmp_path / 'chain.db'}"
    config = tmp_path / "auditmw.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[[sinks]]\ntype = "stdout"\n',
                      encoding="utf-8")
    trail = AuditTrail.from_config(config, sinks=[])
    old = format_time(datetime.now(UTC) - timedelta(days=3))
    for n in range(20):  # one chain: ten events three days old, then ten of now
        made = AuditEvent.create("createAssetGroup", "inventory_configuration", "create",
                                 details={"n": n})
        trail.emit(made.with_(time=old) if n < 10 else made)
    trail.close()

    done = cli("purge", "-c", str(config), "--retention-days", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert b"purged 10 events older than 1 days" in done.stdout
    store = open_store(url)
    [checkpoint] = store.checkpoints()
    assert [c["seq"] for c in checkpoint["chains"].values()] == [10]
    report = verify_store(store)
    store.close()
    assert report.valid, report.summary()


def test_purge_keeps_a_backdated_event_and_exits_1(tmp_path: Path) -> None:
    """A row whose time column was moved back is not purged: the command says so on
    stderr and exits 1, so a scheduled purge does not look fine."""
    import sqlite3

    from auditmw.trail import AuditTrail

    url = f"sqlite:///{tmp_path / 'chain.db'}"
    config = tmp_path / "auditmw.toml"
    config.write_text(f'[store]\nurl = "{url}"\n[integrity]\nkey = "k"\n', encoding="utf-8")
    trail = AuditTrail.from_config(config, sinks=[])
    for n in range(4):
        trail.record("deleteScope", details={"n": n})
    trail.close()
    with sqlite3.connect(tmp_path / "chain.db") as conn:
        conn.execute("DROP TRIGGER events_append_only")
        victim = conn.execute("SELECT id FROM events WHERE seq = 2").fetchone()[0]
        # The order key moves with it (its CHECK refuses a ts alone).
        conn.execute("UPDATE events SET ts = ts - 10 * 86400000000, "
                     "k = k - (10 * 86400000000 << 10) WHERE id = ?", (victim,))
    done = cli("purge", "-c", str(config), "--retention-days", "1", cwd=tmp_path)
    assert done.returncode == 1
    assert b"purged 0 events" in done.stdout
    assert victim.encode() in done.stderr
    assert b"kept 1 event(s)" in done.stderr
    # Nothing deleted: the three genuine recent ones and the backdated one are all kept.
    assert open_store(url).count(Query(start=datetime.now(UTC) - timedelta(days=30))) == 4


def test_export_to_includes_its_instant_like_the_data_api(seeded: tuple[Path, str],
                                                          tmp_path: Path) -> None:
    config, url = seeded
    newest = open_store(url).query(Query(), order="desc", limit=1).items[0]
    done = cli("export", "-c", str(config), "-f", "jsonl", "-q", "--from", newest["time"],
               "--to", newest["time"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == [newest["id"]]
