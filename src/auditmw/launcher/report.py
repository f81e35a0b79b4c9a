"""What ``auditmw run`` did in this process, told on stderr so it is never silent.

Three kinds of fact are collected by the boot code and the integrations:

- an **integration** was skipped or failed (framework absent, too old, an exception);
- an **app** was instrumented (a Starlette/FastAPI/Flask/Django app) or a **GraphQL
  hook** was installed (graphql-core execution, Strawberry schemas);
- the process **serves HTTP** (its first accepted connection, see :func:`watch_serving`).

The first instrumented app or hook prints one line saying what is audited (the app, the
GraphQL paths, the mapped routes, the sinks). A process that serves HTTP while nothing is
instrumented says so loudly, once, naming why each integration did not apply.
``auditmw doctor`` reads the same facts from ``AUDITMW_DOCTOR_REPORT`` (JSON lines).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

DOCTOR_ENV = "AUDITMW_DOCTOR_REPORT"
# After the first accepted connection, how long the app has to get instrumented (a
# Starlette app without lifespan builds its middleware on its first request).
SERVING_GRACE_S = 2.0


@dataclass
class _Report:
    lock: threading.Lock = field(default_factory=threading.Lock)
    problems: dict[str, str] = field(default_factory=dict)     # integration -> why not
    audited: list[str] = field(default_factory=list)            # what is instrumented
    announced: bool = False
    pending: bool = False
    hooks: set[str] = field(default_factory=set)
    trail: Any = None
    warned_idle: bool = False
    serving: bool = False


_report = _Report()


def _say(line: str) -> None:
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except Exception:  # a closed stderr must not break the app
        pass


def _doctor(kind: str, **fields: Any) -> None:
    """One JSON line for ``auditmw doctor`` (only when it started this process)."""
    path = os.environ.get(DOCTOR_ENV)
    if not path:
        return
    try:
        line = json.dumps({"pid": os.getpid(), "kind": kind, **fields}, default=str)
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        pass


def note_skipped(integration: str, why: str, *, loud: bool = False) -> None:
    """An integration that does not apply here. ``loud``: say it now (a version that is
    refused, a failure); otherwise it is told only if the process ends up auditing
    nothing (a framework that is simply not installed is normal)."""
    with _report.lock:
        _report.problems[integration] = why
    _doctor("skipped", integration=integration, why=why, loud=loud)
    if loud:
        _say(f"auditmw: {integration}: {why}")


def note_failed(integration: str, exc: BaseException) -> None:
    note_skipped(integration, f"failed, not audited through it ({type(exc).__name__}: "
                              f"{exc}); the app runs on", loud=True)


def describe_trail(trail: AuditTrail) -> str:
    """The GraphQL paths, mapped routes and sinks of ``trail``, for one stderr line."""
    try:
        config = trail.config
        paths = ", ".join(config.capture.graphql_paths) or "none"
        routes = len(config.capture.routes)
        sinks = []
        for sink in config.sinks:
            kind = getattr(sink, "type", "?")
            where = getattr(sink, "path", None) or getattr(sink, "url", None) \
                or getattr(sink, "endpoint", None)
            sinks.append(f"{kind} {where}" if where else str(kind))
        if config.store.enabled:
            sinks.append(f"store {_masked_url(config.store.url)}")
        return (f"GraphQL at {paths}; {routes} mapped REST route{'s' * (routes != 1)}; "
                f"{len(trail.catalog)} catalogued events; to {', '.join(sinks) or 'nothing'}")
    except Exception as exc:  # describing must never be what breaks
        return f"(could not describe the config: {type(exc).__name__})"


def _masked_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url


def note_audited(what: str, trail: AuditTrail | None, *, app: bool = True) -> None:
    """``what`` is now audited into ``trail``: an app (``FastAPI app (main, 4 routes)``) or,
    with ``app=False``, a GraphQL hook. The first app prints the one line saying
    everything audited so far (hooks included); a process with hooks only says it when it
    starts serving, or at exit. An app instrumented after that line gets its own line."""
    with _report.lock:
        if what in _report.audited:
            return
        _report.audited.append(what)
        if not app:
            _report.hooks.add(what)
        if trail is not None:
            _report.trail = trail
        announced = _report.announced
        first = not _report.pending
        _report.pending = True
    _doctor("audited", what=what, app=app,
            detail=describe_trail(trail) if trail is not None else "")
    if first:
        atexit.register(announce)
    if announced:
        if app:
            _say(f"auditmw: also auditing {what} (pid {os.getpid()})")
    elif app:
        announce()


def announce() -> None:
    """The one line saying what this process audits (once)."""
    with _report.lock:
        if _report.announced or not _report.audited:
            return
        _report.announced = True
        what, trail = sorted(_report.audited, key=lambda w: w in _report.hooks), _report.trail
    detail = describe_trail(trail) if trail is not None else ""
    _say(f"auditmw: auditing {'; '.join(what)} (pid {os.getpid()}): {detail}")


def audited() -> list[str]:
    with _report.lock:
        return list(_report.audited)


def problems() -> dict[str, str]:
    with _report.lock:
        return dict(_report.problems)


def check_idle() -> bool:
    """Serving HTTP with no HTTP app instrumented: say so, once. Loudly when nothing at
    all is audited; when only GraphQL hooks are (an Ariadne or Strawberry ASGI app served
    on its own), say what that leaves out. ``True`` if it said something."""
    announce()  # if something is audited, say what before anything else
    with _report.lock:
        apps = [w for w in _report.audited if w not in _report.hooks]
        if apps or _report.warned_idle:
            return False
        _report.warned_idle = True
        why, hooks = dict(_report.problems), [w for w in _report.audited if w in _report.hooks]
    _doctor("idle", problems=why, hooks=hooks)
    pid = os.getpid()
    if hooks:
        _say(f"auditmw: this process (pid {pid}) serves HTTP but no HTTP app was "
             f"instrumented; only GraphQL executions are audited ({'; '.join(hooks)}): no "
             "REST route, siteAccess or HTTP status is seen. `auditmw doctor -- COMMAND` "
             "tells what it finds.")
        return True
    lines = [f"auditmw: WARNING: this process (pid {pid}) serves HTTP but auditmw "
             "instruments nothing in it: NO AUDIT EVENT WILL BE RECORDED."]
    for name, reason in sorted(why.items()):
        lines.append(f"auditmw:   {name}: {reason}")
    if not why:
        lines.append("auditmw:   no integration applied to this app's framework")
    lines.append("auditmw:   `auditmw doctor -- COMMAND` tells what it finds; docs/launcher.md")
    _say("\n".join(lines))
    return True


def note_serving() -> None:
    """The process accepted its first connection: check instrumentation a moment later."""
    with _report.lock:
        if _report.serving:
            return
        _report.serving = True
    _doctor("serving")
    timer = threading.Timer(SERVING_GRACE_S, check_idle)
    timer.daemon = True
    timer.start()


def watch_serving() -> None:
    """Notice the first ``accept()`` of this process (every socketserver, werkzeug,
    gunicorn and asyncio server accepts through :meth:`socket.socket.accept`), then put
    the original method back: one check per process, no cost per connection after it.
    A server that accepts in C (uvloop) is not seen; its ASGI app is instrumented at
    lifespan start-up, before it serves."""
    original = socket.socket.accept

    def accept(self: socket.socket) -> tuple[socket.socket, Any]:
        result = original(self)
        if socket.socket.accept is accept:
            socket.socket.accept = original  # type: ignore[method-assign]
        with contextlib.suppress(Exception):  # never the reason a connection fails
            note_serving()
        return result

    if getattr(original, "_auditmw_watch", False):
        return
    accept._auditmw_watch = True  # type: ignore[attr-defined]
    socket.socket.accept = accept  # type: ignore[method-assign]
