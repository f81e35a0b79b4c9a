"""auditmw: an audit trail for existing Python web apps.

>>> from auditmw import AuditTrail, AuditEvent, Actor

The names are loaded on first use, so ``import auditmw`` itself stays cheap: every Python
process started under ``auditmw run`` imports the package at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0.dev0"

__all__ = ["Actor", "AuditEvent", "AuditTrail", "Client", "Target", "__version__"]

if TYPE_CHECKING:
    from auditmw.event import Actor, AuditEvent, Client, Target
    from auditmw.trail import AuditTrail

_LAZY = {"Actor": "auditmw.event", "AuditEvent": "auditmw.event", "Client": "auditmw.event",
         "Target": "auditmw.event", "AuditTrail": "auditmw.trail"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'auditmw' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
