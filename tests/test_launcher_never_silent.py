"""``auditmw run`` in the cases that used to record nothing and say nothing (issue 15).

Each runs a real program under the launcher in this venv: FastAPI (which overrides
``build_middleware_stack``), ``opentelemetry-instrument`` in both orders, an integration
that raises, a framework too old to support, and a server with nothing to instrument.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from support.net import free_port

pytestmark = pytest.mark.subprocess

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "data" / "matrix_probe.py"
BIN = Path(sys.executable).parent
OTEL_QUIET = {"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none",
              "OTEL_LOGS_EXPORTER": "none"}


def _config(folder: Path) -> Path:
    config = folder / "auditmw.toml"
    config.write_text(f"""[delivery]
flush_interval_s = 0.1

[[sinks]]
type = "file"
path = "{folder / 'audit.jsonl'}"

[store]
enabled = false
""", encoding="utf-8")
    return config


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AUDITMW_", "OTEL_"))}
    env.update(extra)
    return env


def _events(folder: Path) -> list[str]:
    path = folder / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["event"] for line in path.read_text("utf-8").splitlines()]


def _run(folder: Path, *command: str, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=folder, env=env or _env(), capture_output=True,
                          text=True, timeout=timeout, check=False)


def _auditmw_run(folder: Path, *command: str) -> list[str]:
    return [sys.executable, "-m", "auditmw", "run", "-c", str(_config(folder)), "--",
            *command]


def test_fastapi_under_run_is_audited_and_announced(tmp_path: Path) -> None:
    """FastAPI >= 0.118 overrides build_middleware_stack: the launcher still wraps it."""
    done = _run(tmp_path, *_auditmw_run(tmp_path, sys.executable, str(PROBE), "fastapi",
                                        "run"))
    assert done.returncode == 0, done.stderr
    assert _events(tmp_path) == ["createAssetGroup"]
    lines = [x for x in done.stderr.splitlines() if x.startswith("auditmw: auditing")]
    assert len(lines) == 1, done.stderr
    assert "FastAPI app" in lines[0]
    assert "GraphQL at /graphql" in lines[0]
    assert f"file {tmp_path / 'audit.jsonl'}" in lines[0]


@pytest.mark.parametrize("order", ["auditmw-first", "opentelemetry-first"])
def test_composes_with_opentelemetry_instrument(tmp_path: Path, order: str) -> None:
    otel = str(BIN / "opentelemetry-instrument")
    app = [sys.executable, str(PROBE), "fastapi", "run"]
    if order == "auditmw-first":
        command = _auditmw_run(tmp_path, otel, *app)
    else:
        command = [otel, *_auditmw_run(tmp_path, *app)]
    done = _run(tmp_path, *command, env=_env(**OTEL_QUIET))
    assert done.returncode == 0, done.stderr
    assert _events(tmp_path) == ["createAssetGroup"], done.stderr
    assert "auditmw: auditing FastAPI app" in done.stderr


def test_opentelemetry_hook_does_nothing_outside_auditmw_run(tmp_path: Path) -> None:
    """The OpenTelemetry entry point boots auditmw only under ``auditmw run``."""
    _config(tmp_path)
    done = _run(tmp_path, str(BIN / "opentelemetry-instrument"), sys.executable, "-c",
                "import auditmw.launcher.boot_hooks as b; print(b.installed)",
                env=_env(AUDITMW_CONFIG=str(tmp_path / "auditmw.toml"), **OTEL_QUIET))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _fake_distribution(site: Path, name: str, version: str, entry_points: str = "") -> None:
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
                                   encoding="utf-8")
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


BROKEN = textwrap.dedent('''
    import wrapt

    def install_raises(get_trail):
        raise RuntimeError("install exploded")

    def install_bad_hook(get_trail):
        def on_import(module):
            raise ValueError("hook exploded")
        wrapt.register_post_import_hook(on_import, "flask")
''')


def test_a_failing_integration_never_takes_down_another_or_the_app(tmp_path: Path) -> None:
    """Three broken integrations (module raising on import, install raising, a hook
    raising inside the app's own import): each is named on stderr, the Flask app still
    starts and is still audited by its own integration."""
    site = tmp_path / "site"
    (site).mkdir()
    (site / "broken_adapter.py").write_text(BROKEN, encoding="utf-8")
    (site / "explodes_on_import.py").write_text("raise RuntimeError('module exploded')\n",
                                                encoding="utf-8")
    _fake_distribution(site, "broken-adapters", "1.0", textwrap.dedent("""
        [auditmw.adapters]
        a_raises = broken_adapter:install_raises
        b_bad_hook = broken_adapter:install_bad_hook
        c_bad_module = explodes_on_import:install
    """))
    env = _env(PYTHONPATH=str(site))
    done = _run(tmp_path, *_auditmw_run(tmp_path, sys.executable, str(PROBE), "flask", "run"),
                env=env)
    assert done.returncode == 0, done.stderr
    assert _events(tmp_path) == ["createAssetGroup"]
    assert "a_raises: failed" in done.stderr
    assert "install exploded" in done.stderr
    assert "b_bad_hook: failed" in done.stderr
    assert "hook exploded" in done.stderr
    assert "c_bad_module: failed" in done.stderr
    assert "module exploded" in done.stderr
    assert "auditmw: auditing Flask app" in done.stderr


def test_a_graphql_core_too_old_is_refused_by_name(tmp_path: Path) -> None:
    """graphql-core 2 (what Graphene 2 runs on): the hook is not run, and says why."""
    site = tmp_path / "site"
    _fake_distribution(site, "graphql-core", "2.3.2")
    env = _env(PYTHONPATH=str(site))
    done = _run(tmp_path, *_auditmw_run(tmp_path, sys.executable, str(PROBE), "graphql-core",
                                        "run"), env=env)
    assert "graphql-core 2.3.2 is not supported" in done.stderr, done.stderr
    assert 'pip install -U "graphql-core>=3.2"' in done.stderr
    assert _events(tmp_path) == []


SERVER = textwrap.dedent('''
    import http.server, sys
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"hi")
        def log_message(self, *args):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Hello).serve_forever()
''')


def test_serving_http_with_nothing_instrumented_says_so_loudly(tmp_path: Path) -> None:
    """A server auditmw has no integration for: one loud warning once it serves."""
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(_auditmw_run(tmp_path, sys.executable, "server.py", str(port)),
                            cwd=tmp_path, env=_env(), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                for _ in range(3):
                    assert httpx.get(f"http://127.0.0.1:{port}/", timeout=2).text == "hi"
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        time.sleep(3)  # the check runs 2 s after the first connection
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    assert stderr.count("NO AUDIT EVENT WILL BE RECORDED") == 1, stderr
    assert "auditmw doctor" in stderr


def test_disabled_everything_says_so_when_serving(tmp_path: Path) -> None:
    """Integrations all disabled, a Flask app served: loud, naming each as disabled."""
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    port = free_port()
    env = _env(AUDITMW_DISABLED_ADAPTERS="flask,starlette,graphql_core,strawberry,django")
    proc = subprocess.Popen(_auditmw_run(tmp_path, sys.executable, "server.py", str(port)),
                            cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        time.sleep(3)
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=20)
    assert "NO AUDIT EVENT WILL BE RECORDED" in stderr, stderr
    assert "flask: disabled by AUDITMW_DISABLED_ADAPTERS" in stderr


def _doctor(folder: Path, *command: str, timeout: str = "20") -> subprocess.CompletedProcess[str]:
    return _run(folder, sys.executable, "-m", "auditmw", "doctor", "-c", str(_config(folder)),
                "--timeout", timeout, "--", *command, timeout=120)


def test_doctor_reports_what_it_would_audit(tmp_path: Path) -> None:
    port = free_port()
    done = _doctor(tmp_path, sys.executable, "-m", "uvicorn", "--app-dir",
                   str(ROOT / "tests" / "data" / "wheel_apps"), "fastapi_strawberry_app:app",
                   "--port", str(port), "--host", "127.0.0.1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "app   FastAPI app" in done.stdout
    assert "Strawberry schemas" in done.stdout
    assert "GraphQL at /graphql" in done.stdout


def test_doctor_exits_1_when_it_would_audit_nothing(tmp_path: Path) -> None:
    (tmp_path / "server.py").write_text(SERVER, encoding="utf-8")
    done = _doctor(tmp_path, sys.executable, "server.py", str(free_port()), timeout="4")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Would audit: NOTHING" in done.stdout
    assert "flask is installed, but this app never imported it" in done.stdout


def test_doctor_names_a_refused_framework(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _fake_distribution(site, "graphql-core", "2.3.2")
    done = _run(tmp_path, sys.executable, "-m", "auditmw", "doctor", "-c",
                str(_config(tmp_path)), "--timeout", "10", "--", sys.executable, str(PROBE),
                "graphql-core", "run", env=_env(PYTHONPATH=str(site)), timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "graphql-core 2.3.2 is not supported" in done.stdout


def test_doctor_stops_on_a_bad_config(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("[capture]\nnot_a_key = 1\n", encoding="utf-8")
    done = _run(tmp_path, sys.executable, "-m", "auditmw", "doctor", "-c", "bad.toml", "--",
                sys.executable, "-c", "print('never started')")
    assert done.returncode == 2
    assert "capture.not_a_key" in done.stderr
    assert "never started" not in done.stdout
