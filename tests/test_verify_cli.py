"""``auditmw verify`` as a command: targets, key, output, exit codes, ``--checkpoint``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from auditmw import codec
from auditmw.cli import main
from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity.files import checkpoint_path
from auditmw.trail import AuditTrail


def write_file(path: Path, n: int = 8, key: str = "") -> None:
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                       integrity={"key": key},
                       delivery={"spool_dir": str(path.parent / "spool")})
    for i in range(n):
        trail.record("deleteScope", details={"i": i})
    trail.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDITMW_HMAC_KEY", raising=False)
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def test_a_valid_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path)
    code, out, _ = run(capsys, str(path))
    assert code == 0
    assert " valid" in out
    assert out.strip().splitlines()[-1] == "summary: 1 chain, 8 events, 0 checkpoints: valid"


def test_each_problem_is_printed_and_exit_is_1(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path)
    lines = path.read_bytes().splitlines(keepends=True)
    changed = codec.loads(lines[2])
    del lines[5]
    lines[2] = lines[2].replace(b'"i":2', b'"i":9')
    path.write_bytes(b"".join(lines))
    code, out, _ = run(capsys, "--file", str(path))
    assert code == 1
    assert f"modified        seq 3  id {changed['id']}  audit.jsonl:3" in out
    assert "missing         seq 6" in out
    assert "2 problems (1 modified, 1 missing) — NOT VALID" in out


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]
    path.write_bytes(b"".join(lines))
    code, out, _ = run(capsys, str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["valid"] is False
    [report] = data["reports"]
    [chain] = report["chains"]
    assert chain["status"] == "invalid"
    [problem] = chain["problems"]
    assert problem["kind"] == "reordered"
    assert problem["first_seq"] in (4, 5)
    assert report["counts"] == {"reordered": 1}


def test_the_key_comes_from_the_named_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path, key="sesame")
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert "NOT VERIFIED" in out
    monkeypatch.setenv("AUDIT_KEY", "sesame")
    assert run(capsys, str(path), "--key-env", "AUDIT_KEY")[0] == 0
    monkeypatch.setenv("AUDITMW_HMAC_KEY", "sesame")
    assert run(capsys, str(path))[0] == 0
    code, _, err = run(capsys, str(path), "--key-env", "UNSET_VARIABLE_X")
    assert code == 2
    assert "UNSET_VARIABLE_X" in err


def test_the_key_falls_back_to_the_config(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path, key="from-config")
    config = tmp_path / "auditmw.toml"
    config.write_text('[integrity]\nkey = "from-config"\n', encoding="utf-8")
    assert run(capsys, "-c", str(config), str(path))[0] == 0


def test_checkpoint_then_truncation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file(path)
    code, out, _ = run(capsys, str(path), "--checkpoint")
    assert code == 0
    assert "1 chain end(s) sealed" in out
    assert checkpoint_path(path).is_file()
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-2]))
    code, out, _ = run(capsys, str(path), "--checkpoint")
    assert code == 1
    assert "truncated tail  seq 7-8" in out
    assert "no checkpoint written" in out
    assert len(checkpoint_path(path).read_bytes().splitlines()) == 1


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "absent.jsonl"))
    assert code == 2
    assert "no JSON-lines trail" in err
    code, _, err = run(capsys, "a.jsonl", "--store", "sqlite:///x.db")
    assert code == 2
    code, _, err = run(capsys, "sqlite:///" + str(tmp_path / "absent.db"))
    assert code == 2
    assert "no SQLite store" in err


def _old_and_new(url: str, tmp_path: Path) -> None:
    trail = AuditTrail(store={"url": url, "retention_days": 3650}, sinks=[],
                       delivery={"spool_dir": str(tmp_path / "spool")})
    now = time.time_ns()
    for i, ns in enumerate([now - 500 * 86_400 * 10**9 + i for i in range(5)]
                           + [now - 1000 * 10**6 + i for i in range(5)]):
        trail.emit(AuditEvent("deleteScope", "inventory_configuration", "delete",
                              details={"i": i}, id=uuid7(ns), time=format_time_ns(ns)))
    trail.close()


@pytest.mark.subprocess
def test_the_command_line_on_a_purged_store(tmp_path: Path) -> None:
    """The real ``auditmw`` console script, end to end: write, purge, verify."""
    url = f"sqlite:///{tmp_path}/audit.db"
    _old_and_new(url, tmp_path)
    cli = [str(Path(sys.executable).parent / "auditmw")]
    env: dict[str, Any] = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path)}

    def auditmw(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *argv], capture_output=True, text=True, timeout=120,
                              cwd=tmp_path, env=env, check=False)

    purged = auditmw("purge", "--store", url)
    assert purged.returncode == 0, purged.stderr
    assert "purged 5 events" in purged.stdout
    verified = auditmw("verify", url, "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    [report] = json.loads(verified.stdout)["reports"]
    assert report["checkpoints"] == 1
    assert report["chains"][0]["purged_through"] == 5
    sealed = auditmw("verify", "--store", url, "--checkpoint")
    assert sealed.returncode == 0
    assert "checkpoint" in sealed.stdout


def test_without_a_target_the_config_says_what_to_verify(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "configured.jsonl"
    write_file(path)
    config = tmp_path / "auditmw.toml"
    config.write_text(f'[[sinks]]\ntype = "file"\npath = "{path}"\n\n[store]\n'
                      f'url = "sqlite:///{tmp_path}/never-written.db"\n', encoding="utf-8")
    code, out, err = run(capsys, "-c", str(config))
    assert code == 0
    assert str(path) in out
    assert "skipped: no SQLite store" in err
    path.unlink()
    code, _, err = run(capsys, "-c", str(config))
    assert code == 2
    assert "nothing to verify" in err


def test_a_trail_written_with_the_chain_off(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                       integrity={"chain": False},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    trail.record("deleteScope")
    trail.record("deleteScope")
    trail.close()
    code, out, _ = run(capsys, str(path))
    assert code == 1
    assert ("0 chains, 2 events, 0 checkpoints: no chained events to verify (2 carry no "
            "integrity chain: was [integrity] chain off?) — NOT VERIFIED") in out
