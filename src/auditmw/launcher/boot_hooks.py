"""What runs in every Python process started under ``auditmw run``.

:func:`boot` registers each ``auditmw.adapters`` entry point (``name = "module:install"``)
unless named in ``AUDITMW_DISABLED_ADAPTERS``. ``install(get_trail)`` registers wrapt
post-import hooks for its framework and returns at once. Every integration is isolated:
loading it, installing it and every hook it registers run under a guard, so any exception
(not only ImportError) is told on stderr and skips that integration alone — never another
one, never the app. A hook whose framework is older than auditmw supports is not run
(:mod:`auditmw.launcher.versions`) and says so. :func:`get_trail` builds the process's
trail on first use from ``AUDITMW_CONFIG``; if that fails it says so once on stderr and
returns ``None`` so hooks leave the app alone. :mod:`auditmw.launcher.report` tells what
ends up audited.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any

import wrapt

from auditmw.launcher import ADAPTER_GROUP, disabled_adapters, report
from auditmw.launcher.versions import GRAPHQL_HOOKS, unsupported

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
                report.note_skipped("auditmw", "not auditing this process, the trail could "
                                    f"not start: {type(exc).__name__}: {exc}", loud=True)
        return _state.trail


def guarded_hook(name: str, hook: Callable[[ModuleType], object]
                 ) -> Callable[[ModuleType], None]:
    """``hook`` as a post-import hook that can neither raise into the import that fired
    it nor run against a framework version auditmw does not support."""

    def on_import(module: ModuleType) -> None:
        refused = unsupported(name)
        if refused:
            report.note_skipped(name, refused, loud=True)
            return
        try:
            hook(module)
        except Exception as exc:
            report.note_failed(name, exc)
            return
        if name in GRAPHQL_HOOKS and get_trail() is not None:
            report.note_audited(GRAPHQL_HOOKS[name], get_trail(), app=False)

    return on_import


def _install(integration: str, install: Callable[..., object]) -> None:
    """Run ``install(get_trail)`` with every post-import hook it registers guarded."""
    register = wrapt.register_post_import_hook

    def register_guarded(hook: Any, name: str) -> None:
        if callable(hook):
            hook = guarded_hook(integration, hook)
        register(hook, name)

    wrapt.register_post_import_hook = register_guarded
    try:
        install(get_trail)
    finally:
        wrapt.register_post_import_hook = register


def boot() -> list[str]:
    """Install every enabled adapter's hooks once per process; returns their names."""
    if _state.booted_pid == os.getpid():  # imported twice: never patch twice
        return list(installed)
    _state.booted_pid = os.getpid()
    disabled = disabled_adapters(os.environ)
    for ep in sorted(entry_points(group=ADAPTER_GROUP), key=lambda e: e.name):
        if ep.name in installed:
            continue
        if ep.name in disabled:
            report.note_skipped(ep.name, "disabled by AUDITMW_DISABLED_ADAPTERS")
            continue
        try:
            install = ep.load()
        except ImportError as exc:  # the integration's own module is not installed here
            report.note_skipped(ep.name, f"not available ({exc})")
            continue
        except Exception as exc:
            report.note_failed(ep.name, exc)
            continue
        try:
            _install(ep.name, install)
        except Exception as exc:
            report.note_failed(ep.name, exc)
            continue
        installed.append(ep.name)
    for name, why in _not_importable().items():
        report.note_skipped(name, why)
    report.watch_serving()
    return list(installed)


def _not_importable() -> dict[str, str]:
    """Integrations whose framework is not installed at all (told only when nothing
    ends up audited, where it is the likely reason)."""
    import importlib.util

    from auditmw.launcher.versions import FRAMEWORKS

    missing: dict[str, str] = {}
    for name, (module, dist, _low, _high) in FRAMEWORKS.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            missing[name] = f"{dist} is not installed"
    return missing


def boot_under_opentelemetry() -> None:
    """The ``opentelemetry_pre_instrument`` entry point: ``auditmw run --
    opentelemetry-instrument ...`` puts OpenTelemetry's ``sitecustomize`` before ours on
    ``PYTHONPATH``, so ours never runs; OpenTelemetry calls this instead. Outside
    ``auditmw run`` (no ``AUDITMW_RUN``) it does nothing."""
    if not os.environ.get("AUDITMW_RUN"):
        return
    try:
        boot()
    except Exception as exc:  # never keep the app (or OpenTelemetry) from starting
        sys.stderr.write(f"auditmw: not auditing this process: {type(exc).__name__}: {exc}\n")
