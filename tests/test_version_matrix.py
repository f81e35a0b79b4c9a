"""The version matrix: every supported range, tested at both ends, from the built wheel.

Each cell is a fresh venv (uv, with its cache) holding the wheel, the framework pinned to
the lowest release the extras accept or left to resolve to the newest, and the test
tools. In it run (1) the integration's own tests (adapters/*/tests, or the core's tests
for graphql-core, Ariadne, Graphene and the OpenTelemetry sink) against the installed wheel, and (2)
tests/data/matrix_probe.py, which audits a real app of that framework both documented
ways — its lines of code, and ``auditmw run`` — and must record exactly the catalogued
call. Keep the pins in step with ``[project.optional-dependencies]`` and
``auditmw.launcher.versions.FRAMEWORKS``; docs/architecture.md#packaging lists them.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from support.wheel_support import ROOT, build_wheel, events_in, make_venv, requirement, write_config

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

TOOLS = ["pytest>=8", "pytest-asyncio>=0.23", "pytest-timeout>=2.3", "httpx>=0.27",
         "hypothesis>=6.100"]
ADAPTER_TESTS = ROOT / "adapters"

# id: (extras, pins, probe frameworks, test paths relative to the checkout)
CELLS: dict[str, tuple[list[str], list[str], list[str], list[str]]] = {
    "starlette-oldest": (["starlette"], ["starlette==0.37.2"], ["starlette"], []),
    "starlette-newest": (["starlette"], [], ["starlette"], []),
    "fastapi-oldest": (["fastapi"], ["fastapi==0.110.1"], ["fastapi", "starlette"],
                       ["adapters/auditmw-starlette/tests"]),
    "fastapi-newest": (["fastapi"], [], ["fastapi", "starlette"],
                       ["adapters/auditmw-starlette/tests"]),
    "flask-oldest": (["flask"], ["flask==3.0.0", "werkzeug==3.0.0", "flask-login==0.6.3"],
                     ["flask"], ["adapters/auditmw-flask/tests"]),
    "flask-newest": (["flask"], ["flask-login"], ["flask"], ["adapters/auditmw-flask/tests"]),
    "strawberry-oldest": (["strawberry", "starlette"], ["strawberry-graphql==0.278.0",
                                                          "graphql-core<3.3"],
                          ["strawberry"], ["adapters/auditmw-strawberry/tests"]),
    "strawberry-newest": (["strawberry", "starlette"], [], ["strawberry"],
                          ["adapters/auditmw-strawberry/tests"]),
    "ariadne-oldest": (["ariadne", "starlette"], ["ariadne==0.23.0"], ["ariadne"],
                       ["tests/test_graphql_ariadne.py"]),
    "ariadne-newest": (["ariadne", "starlette"], [], ["ariadne"],
                       ["tests/test_graphql_ariadne.py"]),
    "graphene-oldest": (["graphene"], ["graphene==3.3"], ["graphene"],
                        ["tests/test_graphql_graphene.py"]),
    "graphene-newest": (["graphene"], [], ["graphene"], ["tests/test_graphql_graphene.py"]),
    "graphql-core-3.2": (["starlette"], ["graphql-core==3.2.3"], ["graphql-core"],
                         ["tests/test_graphql_hooks_instrument.py"]),
    "graphql-core-3.3": (["starlette"], ["graphql-core>=3.3,<3.4"], ["graphql-core"],
                         ["tests/test_graphql_hooks_instrument.py"]),
    "otel-oldest": (["otel"], ["opentelemetry-api==1.39.0", "opentelemetry-sdk==1.39.0",
                               "opentelemetry-exporter-otlp-proto-http==1.39.0"], [],
                    ["tests/test_sink_otel.py"]),
    "otel-newest": (["otel"], [], [], ["tests/test_sink_otel.py"]),
}
# The Django integration, once its sources are in the checkout (adapters/auditmw-django).
DJANGO_TOOLS = ["djangorestframework", "graphene-django", "strawberry-graphql-django",
                "django-hijack", "gunicorn"]
if (ROOT / "adapters" / "auditmw-django" / "tests").is_dir():
    CELLS["django-oldest"] = (["django", "strawberry", "graphene", "server"],
                              ["django==4.2", *DJANGO_TOOLS], [],
                              ["adapters/auditmw-django/tests"])
    CELLS["django-newest"] = (["django", "strawberry", "graphene", "server"], DJANGO_TOOLS, [],
                              ["adapters/auditmw-django/tests"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("matrix-wheel"))


def _env(python: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUDITMW_", "PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _probe(python: Path, framework: str, mode: str, folder: Path) -> list[str]:
    config, jsonl = write_config(folder)
    probe = str(ROOT / "tests" / "data" / "matrix_probe.py")
    if mode == "code":
        command = [str(python), probe, framework, "code"]
        env = _env(python, APP_AUDIT_CONFIG=str(config))
    else:
        command = [str(python.parent / "auditmw"), "run", "-c", str(config), "--",
                   str(python), probe, framework, "run"]
        env = _env(python)
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, f"{framework} {mode}:\n{done.stdout}\n{done.stderr}"
    if mode == "run":
        assert "auditmw: auditing" in done.stderr, done.stderr
        assert "Traceback" not in done.stderr, done.stderr
    return [e["event"] for e in events_in(jsonl, 1, timeout=5)]


# A cell builds a venv and runs a suite in it (the inner steps have their own 900 s limits);
# the suite-wide 300 s pytest-timeout is for one test in this process, not for a whole cell.
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("cell", list(CELLS))
def test_cell(cell: str, wheel: Path, tmp_path: Path) -> None:
    extras, pins, frameworks, tests = CELLS[cell]
    started = time.monotonic()
    python = make_venv(tmp_path / "venv", [requirement(wheel, extras), *pins, *TOOLS])
    versions = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, json; print(json.dumps({d.name: "
         "d.version for d in m.distributions() if d.name.lower() in ('starlette', 'fastapi', "
         "'flask', 'werkzeug', 'strawberry-graphql', 'ariadne', 'graphene', 'graphql-core', "
         "'opentelemetry-sdk')}))"], capture_output=True, text=True, check=True, timeout=60)
    print(f"{cell}: {versions.stdout.strip()}")
    installed = {k.lower(): v for k, v in json.loads(versions.stdout).items()}
    for pin in pins:  # the pin really is what got installed
        if "==" in pin:
            name, wanted = pin.split("==")
            assert installed.get(name.lower(), wanted) == wanted, (pin, installed)
    if tests:
        done = subprocess.run(
            [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m",
             "not postgres and not browser", *tests],
            cwd=ROOT, env=_env(python), capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, f"{cell}:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    for framework in frameworks:
        for mode in ("code", "run"):
            folder = tmp_path / f"{framework}-{mode}"
            folder.mkdir()
            names = _probe(python, framework, mode, folder)
            assert names == ["createAssetGroup"], (cell, framework, mode, names)
    print(f"{cell}: {time.monotonic() - started:.1f}s")
