"""The names SPEC section 11 promises, importable as written there."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_documented_imports() -> None:
    from auditmw_flask import init_app
    from auditmw_starlette import instrument_app
    from auditmw_strawberry import AuditExtension

    from auditmw import Actor, AuditEvent, AuditTrail
    from auditmw.asgi import AuditMiddleware as AsgiMiddleware
    from auditmw.graphql import AuditResolverMiddleware
    from auditmw.server import create_app
    from auditmw.testing import capture_audit_events
    from auditmw.wsgi import AuditMiddleware as WsgiMiddleware

    assert AuditTrail.__module__ == "auditmw.trail"
    assert {Actor.__name__, AuditEvent.__name__} == {"Actor", "AuditEvent"}
    for thing in (AsgiMiddleware, WsgiMiddleware, AuditResolverMiddleware, create_app,
                  capture_audit_events, init_app, instrument_app, AuditExtension):
        assert callable(thing)


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = ("import sys, auditmw; print(','.join(m for m in ('pydantic', 'auditmw.trail', "
            "'starlette', 'graphql') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == ""


def test_unknown_names_still_fail() -> None:
    import auditmw

    with pytest.raises(AttributeError, match="NotAThing"):
        auditmw.NotAThing  # type: ignore[attr-defined]  # noqa: B018
