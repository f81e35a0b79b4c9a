"""``auditmw run``: instrumenting an unmodified Python program from config alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditmw.launcher import BOOT_DIR, launch_environment

pytestmark = pytest.mark.subprocess

APP = textwrap.dedent('''
    import sys
    from graphql import build_schema, graphql_sync

    schema = build_schema("""
        type Query { ping: String }
        type Mutation { createAssetGroup(name: String!): Group  deleteScope(id: ID!): Boolean }
        type Group { id: ID! name: String }
    """)
    root = {
        "createAssetGroup": lambda info, name: {"id": "ag-1", "name": name},
        "deleteScope": lambda info, id: True,
    }
    result = graphql_sync(schema, 'mutation { a: createAssetGroup(name: "x") { id } '
                                  'deleteScope(id: "7") }', root_value=root)
    assert result.errors is None, result.errors
    print("app ran", flush=True)
''')


def run_auditmw(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
                config: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    if config is not None:
        (tmp_path / "auditmw.toml").write_text(config, encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if not k.startswith("AUDITMW_")}
    return subprocess.run(
        [sys.executable, "-m", "auditmw", "run", *args], cwd=tmp_path, capture_output=True,
        text=True, timeout=120, check=False, env={**base, **(env or {})})


def events_in(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "auditmw-audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text("utf-8").splitlines()]


NO_STORE = "[store]\nenabled = false\n"


def test_plain_python_program_is_audited(tmp_path: Path) -> None:
    done = run_auditmw(tmp_path, "-c", "auditmw.toml", "--", sys.executable, "app.py",
                       config=NO_STORE)
    assert done.returncode == 0, done.stderr
    assert "app ran" in done.stdout
    events = events_in(tmp_path)
    assert [e["event"] for e in events] == ["createAssetGroup", "deleteScope"]
    assert events[0]["target"] == {"type": "Group", "id": "ag-1", "name": "x"}
    assert events[1]["details"] == {"id": "7"}


def test_broken_config_stops_before_the_app_starts(tmp_path: Path) -> None:
    done = run_auditmw(tmp_path, "-c", "auditmw.toml", "--", sys.executable, "app.py",
                       config='[delivery]\noverflow = "explode"\n')
    assert done.returncode == 2
    assert "delivery.overflow" in done.stderr
    assert "app ran" not in done.stdout


def test_missing_extra_is_named(tmp_path: Path) -> None:
    done = run_auditmw(tmp_path, "-c", "auditmw.toml", "--", sys.executable, "app.py",
                       config=NO_STORE + '[[sinks]]\ntype = "custom_mod_xyz:Sink"\n')
    assert done.returncode == 2
    assert "sinks.0.type: module 'custom_mod_xyz' is not importable" in done.stderr


def test_disabled_adapter_is_skipped(tmp_path: Path) -> None:
    done = run_auditmw(tmp_path, "-c", "auditmw.toml", "--", sys.executable, "app.py",
                       config=NO_STORE, env={"AUDITMW_DISABLED_ADAPTERS": "graphql_core"})
    assert done.returncode == 0, done.stderr
    assert events_in(tmp_path) == []


def test_trail_that_cannot_start_never_breaks_the_app(tmp_path: Path) -> None:
    # The config is valid at launch, then the child sees an override that is not.
    (tmp_path / "auditmw.toml").write_text(NO_STORE, encoding="utf-8")
    env = launch_environment(tmp_path / "auditmw.toml", os.environ)
    env["AUDITMW_DELIVERY__MODE"] = "warp"
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    done = subprocess.run([sys.executable, "app.py"], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "app ran" in done.stdout
    assert "auditmw: not auditing this process" in done.stderr
    assert "delivery.mode" in done.stderr


def test_an_existing_sitecustomize_still_runs(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import builtins\nbuiltins.OWN_SITE = 1\n",
                                          encoding="utf-8")
    (tmp_path / "check.py").write_text(
        "import builtins, sys\nprint(getattr(builtins, 'OWN_SITE', 0))\n"
        "import auditmw.launcher.boot_hooks as b\nprint(','.join(b.installed))\n",
        encoding="utf-8")
    done = run_auditmw(tmp_path, "-c", "auditmw.toml", "--", sys.executable, "check.py",
                       config=NO_STORE, env={"PYTHONPATH": str(own)})
    assert done.returncode == 0, done.stderr
    first, installed = done.stdout.splitlines()
    assert first == "1"
    assert "graphql_core" in installed.split(",")


def test_environment_puts_the_boot_dir_first_once(tmp_path: Path) -> None:
    env = launch_environment(tmp_path / "c.toml",
                             {"PYTHONPATH": os.pathsep.join([str(BOOT_DIR), "/x"])})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(BOOT_DIR), "/x"]
    assert env["AUDITMW_CONFIG"] == str((tmp_path / "c.toml").resolve())
    assert sorted(p.name for p in BOOT_DIR.iterdir() if p.suffix == ".py") == [
        "sitecustomize.py"]


def test_no_command_and_unknown_command(tmp_path: Path) -> None:
    assert run_auditmw(tmp_path, config=NO_STORE).returncode == 2
    missing = run_auditmw(tmp_path, "--", "no-such-program-xyz", config=NO_STORE)
    assert missing.returncode == 127
    assert "command not found" in missing.stderr
