"""``auditmw run``: audit an unmodified app, configured by a file alone.

``auditmw run -c auditmw.toml -- uvicorn app:app`` checks the config (failing before the
app starts, naming the key), sets ``AUDITMW_CONFIG``, puts :data:`BOOT_DIR` — a folder
holding only a ``sitecustomize.py`` — first on ``PYTHONPATH`` and ``exec``s the command.
Every Python process of the command then runs :func:`auditmw.launcher.boot.boot` at
start-up, which registers post-import hooks from the ``auditmw.adapters`` entry points;
the trail itself is built lazily, the first time a hook fires. See docs/launcher.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

BOOT_DIR = Path(__file__).resolve().parent / "boot"
ADAPTER_GROUP = "auditmw.adapters"
DISABLED_ENV = "AUDITMW_DISABLED_ADAPTERS"


def launch_environment(config_path: str | os.PathLike[str] | None,
                       environ: Mapping[str, str]) -> dict[str, str]:
    """The environment the instrumented command runs with."""
    env = dict(environ)
    env["AUDITMW_RUN"] = "1"  # read by boot_under_opentelemetry (opentelemetry-instrument)
    if config_path is not None:
        env["AUDITMW_CONFIG"] = str(Path(config_path).resolve())
    parts = [p for p in env.get("PYTHONPATH", "").split(os.pathsep)
             if p and Path(p).resolve() != BOOT_DIR]
    env["PYTHONPATH"] = os.pathsep.join([str(BOOT_DIR), *parts])
    return env


def disabled_adapters(environ: Mapping[str, str]) -> frozenset[str]:
    return frozenset(n.strip() for n in environ.get(DISABLED_ENV, "").split(",") if n.strip())
