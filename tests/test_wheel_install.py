"""auditmw as a user installs it: the built wheel, fresh venvs, the newest releases.

Each venv gets the wheel with an extra and nothing else of this checkout; a real app is
then run the two documented ways (the lines of code, and ``auditmw run``) and every
catalogued call must be an event, nothing else. SPEC 11; issue 15.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from support.net import free_port
from support.wheel_support import (
    APPS,
    EXPECTED_EVENTS,
    Server,
    build_wheel,
    exercise,
    make_venv,
    requirement,
    version_of,
    write_config,
)

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def fastapi_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newest FastAPI + Strawberry (whatever graphql-core they resolve to) and the
    demo's extra."""
    return make_venv(tmp_path_factory.mktemp("venv") / "fastapi",
                     [requirement(wheel, ["fastapi", "strawberry", "demo"]), "uvicorn"])


@pytest.fixture(scope="session")
def flask_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_venv(tmp_path_factory.mktemp("venv") / "flask",
                     [requirement(wheel, ["flask", "ariadne"])])


def _env(python: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUDITMW_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def test_the_bare_wheel_imports_the_middleware(wheel: Path, tmp_path: Path) -> None:
    """`pip install auditmw` alone: the ASGI and WSGI middleware and the API import."""
    python = make_venv(tmp_path / "bare", [requirement(wheel)])
    done = subprocess.run(
        [str(python), "-c", "import auditmw.asgi, auditmw.wsgi, auditmw.graphql; "
         "from auditmw import AuditTrail; import auditmw_flask, auditmw_starlette; "
         "print('ok')"], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    # no framework came with it: the integrations are there, their frameworks are not
    probe = subprocess.run([str(python), "-c", "import flask"], capture_output=True,
                           text=True, timeout=60, check=False)
    assert probe.returncode != 0


def test_fastapi_strawberry_newest_by_code(fastapi_venv: Path, tmp_path: Path) -> None:
    assert version_of(fastapi_venv, "graphql-core").startswith("3.3"), \
        "the newest Strawberry should resolve graphql-core 3.3"
    config, jsonl = write_config(tmp_path)
    port = free_port()
    env = _env(fastapi_venv, AUDIT_BY_CODE="1", APP_AUDIT_CONFIG=str(config))
    with Server([str(fastapi_venv), "-m", "uvicorn", "--app-dir", str(APPS),
                 "fastapi_strawberry_app:app", "--port", str(port), "--host", "127.0.0.1"],
                port=port, cwd=tmp_path, env=env) as server:
        server.wait_healthy()
        names = exercise(server, jsonl)
    assert names == EXPECTED_EVENTS, server.output()


def test_fastapi_strawberry_newest_by_auditmw_run(fastapi_venv: Path, tmp_path: Path) -> None:
    config, jsonl = write_config(tmp_path)
    port = free_port()
    auditmw = fastapi_venv.parent / "auditmw"
    with Server([str(auditmw), "run", "-c", str(config), "--", str(fastapi_venv), "-m",
                 "uvicorn", "--app-dir", str(APPS), "fastapi_strawberry_app:app",
                 "--port", str(port), "--host", "127.0.0.1"],
                port=port, cwd=tmp_path, env=_env(fastapi_venv)) as server:
        server.wait_healthy()
        names = exercise(server, jsonl)
    assert names == EXPECTED_EVENTS, server.output()
    assert "auditmw: auditing FastAPI app" in server.output()


def test_flask_ariadne_newest_by_code(flask_venv: Path, tmp_path: Path) -> None:
    config, jsonl = write_config(tmp_path)
    port = free_port()
    env = _env(flask_venv, AUDIT_BY_CODE="1", APP_AUDIT_CONFIG=str(config))
    with Server([str(flask_venv), "-m", "flask", "--app",
                 str(APPS / "flask_ariadne_app.py"), "run", "--port", str(port)],
                port=port, cwd=tmp_path, env=env) as server:
        server.wait_healthy()
        names = exercise(server, jsonl)
    assert names == EXPECTED_EVENTS, server.output()


def test_flask_ariadne_newest_by_auditmw_run(flask_venv: Path, tmp_path: Path) -> None:
    config, jsonl = write_config(tmp_path)
    port = free_port()
    auditmw = flask_venv.parent / "auditmw"
    with Server([str(auditmw), "run", "-c", str(config), "--", "flask", "--app",
                 str(APPS / "flask_ariadne_app.py"), "run", "--port", str(port)],
                port=port, cwd=tmp_path, env=_env(flask_venv)) as server:
        server.wait_healthy()
        names = exercise(server, jsonl)
    assert names == EXPECTED_EVENTS, server.output()
    assert "auditmw: auditing Flask app" in server.output()


def test_demo_runs_from_the_installed_wheel(fastapi_venv: Path, tmp_path: Path) -> None:
    auditmw = fastapi_venv.parent / "auditmw"
    done = subprocess.run([str(auditmw), "demo", "--no-wait", "--port", str(free_port())],
                          cwd=tmp_path, env=_env(fastapi_venv), capture_output=True,
                          text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "events in the trail now" in done.stdout
    assert "createAssetGroup" in done.stdout
