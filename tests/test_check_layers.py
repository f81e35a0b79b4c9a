"""scripts/check_layers.py: what `make lint` refuses in the shape of src/auditmw."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check_layers.py"


def run(src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(src)], capture_output=True,
                          text=True, timeout=120, check=False)


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"auditmw/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_project_itself_passes() -> None:
    done = run(ROOT / "src")
    assert done.returncode == 0, done.stdout
    assert "imports one way" in done.stdout


def test_downward_imports_and_type_only_names_pass(tmp_path: Path) -> None:
    src = tree(tmp_path, {
        "auditmw/event.py": "from auditmw import ids\n",
        "auditmw/ids.py": "",
        "auditmw/trail.py": "from auditmw.event import x\n",
        "auditmw/capture/__init__.py": "",
        "auditmw/capture/ip.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from auditmw.trail import AuditTrail\n"),
    })
    done = run(src)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(("files", "expected"), [
    pytest.param({"auditmw/event.py": "import auditmw.trail\n", "auditmw/trail.py": ""},
                 "auditmw.event (vocabulary) imports auditmw.trail (trail)", id="upward"),
    pytest.param({"auditmw/store/__init__.py": "",
                  "auditmw/store/sqlite.py": "def f():\n    from auditmw.server import app\n",
                  "auditmw/server/__init__.py": "", "auditmw/server/app.py": ""},
                 "auditmw.store.sqlite (parts) imports auditmw.server.app (server)",
                 id="upward-inside-a-function"),
    pytest.param({"auditmw/sinks/__init__.py": "from auditmw.sinks import file\n",
                  "auditmw/sinks/file.py": "from auditmw.sinks import base\n",
                  "auditmw/sinks/base.py": "import auditmw.sinks.file\n"},
                 "import circle: auditmw.sinks.base -> auditmw.sinks.file", id="circle"),
    pytest.param({"auditmw/codec.py": "x = 1\n" * 401}, "codec.py: 401 lines", id="long"),
])
def test_what_it_refuses(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    done = run(tree(tmp_path, files))
    assert done.returncode == 1
    assert expected in done.stdout


def test_a_module_in_no_layer_is_named(tmp_path: Path) -> None:
    done = run(tree(tmp_path, {"auditmw/newpart.py": ""}))
    assert done.returncode != 0
    assert "auditmw.newpart is in no layer" in done.stdout + done.stderr
