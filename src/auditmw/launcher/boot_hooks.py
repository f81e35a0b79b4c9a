"""What runs in every Python process started under ``auditmw run``.

:func:`boot` registers each ``auditmw.adapters`` entry point (``name = "module:install"``)
unless named in ``AUDITMW_DISABLED_ADAPTERS``. ``install(get_trail)`` registers wrapt
post-import hooks for its framework and returns at once; an adapter whose framework (or
whose own module) is not installed is skipped quietly. :func:`get_trail` builds the
process's trail on first use from ``AUDITMW_CONFIG``; if that fails it says so once on
stderr and returns ``None`` so hooks leave the app alone.
"""

from __future__ import annotations

import os
import sys
import threading
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from auditmw.launcher import ADAPTER_GROUP, disabled_adapters

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

class _ProcessState:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.trail: AuditTrail | None = None
        self.failed = False
        self.booted_pid: int | None = None


_state = _ProcessState()
installed: list[str] = []


def get_trail() -> AuditTrail | None:
    """This process's trail, built on first use; ``None`` if auditmw could not start."""
    with _state.lock:
        if _state.trail is None and not _state.failed:
            try:
                from auditmw.trail import AuditTrail

                _state.trail = AuditTrail.from_config(
                    os.environ.get("AUDITMW_CONFIG") or None)
            except Exception as exc:
                _state.failed = True
                sys.stderr.write("auditmw: not auditing this process, the trail could not "
                                 f"start: {type(exc).__name__}: {exc}\n")
        return _state.trail


def boot() -> list[str]:
    """Install every enabled adapter's hooks once per process; returns their names."""
    if _state.booted_pid == os.getpid():  # imported twice: never patch twice
        return list(installed)
    _state.booted_pid = os.getpid()
    disabled = disabled_adapters(os.environ)
    for ep in sorted(entry_points(group=ADAPTER_GROUP), key=lambda e: e.name):
        if ep.name in disabled or ep.name in installed:
            continue
        try:
            install = ep.load()
        except ImportError:
            continue  # the adapter or its framework is not installed here
        try:
            install(get_trail)
        except Exception as exc:
            sys.stderr.write(f"auditmw: adapter {ep.name} not installed: "
                             f"{type(exc).__name__}: {exc}\n")
            continue
        installed.append(ep.name)
    return list(installed)
