"""The process's one trail for Django, and where its configuration comes from.

In order: a trail handed over in code (:func:`set_trail`); under ``auditmw run``, the
launcher's trail (``-c FILE`` / ``AUDITMW_CONFIG``; a ``settings.AUDITMW`` beside it is
ignored, and that is said on stderr); ``settings.AUDITMW`` (a dict of the same keys as
the TOML file); ``settings.AUDITMW_CONFIG`` (a path); then the core's own search
(``$AUDITMW_CONFIG``, ``./auditmw.toml``, the defaults). The middleware, the auth
signals, the GraphQL hook, the audit pages and ``manage.py auditmw`` all use this one
trail, so a request's events are chained and delivered once.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

SETTING = "AUDITMW"
PATH_SETTING = "AUDITMW_CONFIG"



class _Process:
    """The process's trail (one per process, as for the launcher)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.trail: AuditTrail | None = None


_process = _Process()


def set_trail(trail: AuditTrail | None) -> None:
    """Use ``trail`` for everything Django does in this process (tests, or an app that
    builds its trail in code); ``None`` forgets it, so the next use builds one again."""
    with _process.lock:
        _process.trail = trail


def under_launcher() -> bool:
    """``True`` in a process started by ``auditmw run`` (its sitecustomize booted)."""
    boot = sys.modules.get("auditmw.launcher.boot_hooks")
    return boot is not None and getattr(boot, "_state", None) is not None \
        and boot._state.booted_pid == os.getpid()


def config_source() -> Mapping[str, Any] | str | None:
    """``settings.AUDITMW`` (a dict), else ``settings.AUDITMW_CONFIG`` (a path), else
    ``None`` (the core's search: ``$AUDITMW_CONFIG``, ``./auditmw.toml``, defaults)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    data = getattr(settings, SETTING, None)
    if data is not None:
        if not isinstance(data, Mapping):
            raise ImproperlyConfigured(
                f"settings.{SETTING} must be a dict of the auditmw config (the keys of "
                f"auditmw.toml), not {type(data).__name__}")
        mapping: Mapping[str, Any] = data
        return mapping
    path = getattr(settings, PATH_SETTING, None)
    if path is not None:
        return str(os.fspath(path))
    return None


def get_trail() -> AuditTrail | None:
    """The process's trail, built on first use. Bad configuration raises Django's
    ``ImproperlyConfigured`` naming the key path (Django's own way to fail at start);
    under ``auditmw run`` a trail that cannot start gives ``None``, said on stderr."""
    with _process.lock:
        if _process.trail is not None:
            return _process.trail
        if under_launcher():
            from django.conf import settings

            from auditmw.launcher.boot_hooks import get_trail as launcher_trail

            if getattr(settings, SETTING, None) is not None:
                sys.stderr.write(f"auditmw: settings.{SETTING} is ignored under "
                                 "`auditmw run`; the trail comes from its -c FILE / "
                                 "AUDITMW_CONFIG\n")
            _process.trail = launcher_trail()
            return _process.trail
        from django.core.exceptions import ImproperlyConfigured

        from auditmw.errors import ConfigError
        from auditmw.trail import AuditTrail

        source = config_source()
        try:
            _process.trail = AuditTrail.from_config(
                dict(source) if isinstance(source, Mapping) else source)
        except ConfigError as exc:
            where = f"settings.{SETTING}" if isinstance(source, Mapping) else \
                (source or "the auditmw config")
            raise ImproperlyConfigured(f"auditmw ({where}): {exc}") from None
        return _process.trail


def as_toml(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML document that :mod:`tomllib` reads back equal (``None`` values
    left out, as TOML has no null). Each top-level key is one line with an inline value:
    JSON's strings, numbers, booleans and arrays are TOML's, and objects become inline
    tables. Used to hand ``settings.AUDITMW`` to the CLI, which reads files."""
    return "".join(f"{json.dumps(str(k))} = {_value(v)}\n" for k, v in data.items()
                   if v is not None)


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        items = ", ".join(f"{json.dumps(str(k))} = {_value(v)}" for k, v in value.items()
                          if v is not None)
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value if v is not None) + "]"
    if isinstance(value, bool | int | float | str):
        return json.dumps(value)
    if isinstance(value, os.PathLike):
        return json.dumps(os.fspath(value))
    raise TypeError(f"{type(value).__name__} has no TOML form")
