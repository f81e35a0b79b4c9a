"""Serve the audit pages inside the audited app (``server.mount = true``).

Requests whose path is under ``server.prefix`` go to :func:`auditmw.server.create_app`;
everything else goes to the app untouched. The audit server is built on the first such
request. In a Starlette/FastAPI app it is a ``Mount`` route, so the host's own
middleware (authentication included) runs first and ``server.host_auth`` can accept the
host's signed-in user; for any other ASGI app it is a dispatcher in front of the app;
for a WSGI app (Flask) the ASGI audit server runs behind a2wsgi in front of the app,
where only access keys apply.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
WSGIApp = Callable[[dict[str, Any], Any], Iterable[bytes]]

_MARK = "_auditmw_mounted"


def under_prefix(route: str, prefix: str) -> bool:
    return route == prefix or route.startswith(prefix + "/")


class _LazyServer:
    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail
        self._lock = threading.Lock()
        self._app: Any = None

    def get(self) -> Any:
        with self._lock:
            if self._app is None:
                from auditmw.server import create_app

                self._app = create_app(self.trail)
            return self._app


class MountedAuditServer:
    """ASGI: the audit server under ``prefix``, the app everywhere else."""

    def __init__(self, app: ASGIApp, trail: AuditTrail, prefix: str | None = None) -> None:
        self.app = app
        self.prefix = (trail.config.server.prefix if prefix is None else prefix) or "/audit"
        self.server = _LazyServer(trail)
        setattr(self, _MARK, True)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path, root = scope.get("path", ""), scope.get("root_path", "")
            route = path[len(root):] if root and path.startswith(root) else path
            if route == self.prefix:
                location = (root + self.prefix + "/").encode("latin-1")
                await send({"type": "http.response.start", "status": 307,
                            "headers": [(b"location", location), (b"content-length", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
            if under_prefix(route, self.prefix):
                await self.server.get()(dict(scope, root_path=root + self.prefix), receive,
                                        send)
                return
        await self.app(scope, receive, send)


class MountedAuditServerWSGI:
    """WSGI: the audit server (through a2wsgi) under ``prefix``, the app elsewhere."""

    def __init__(self, app: WSGIApp, trail: AuditTrail, prefix: str | None = None) -> None:
        self.app = app
        self.prefix = (trail.config.server.prefix if prefix is None else prefix) or "/audit"
        self.server = _LazyServer(trail)
        self._bridge: Any = None
        self._lock = threading.Lock()
        setattr(self, _MARK, True)

    def _wsgi_server(self) -> Any:
        with self._lock:
            if self._bridge is None:
                from a2wsgi import ASGIMiddleware

                self._bridge = ASGIMiddleware(self.server.get())
            return self._bridge

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        route = environ.get("PATH_INFO", "") or "/"
        if route == self.prefix:
            location = environ.get("SCRIPT_NAME", "") + self.prefix + "/"
            start_response("307 Temporary Redirect",
                           [("Location", location), ("Content-Length", "0")])
            return [b""]
        if under_prefix(route, self.prefix):
            inner = dict(environ, SCRIPT_NAME=environ.get("SCRIPT_NAME", "") + self.prefix,
                         PATH_INFO=route[len(self.prefix):] or "/")
            result: Iterable[bytes] = self._wsgi_server()(inner, start_response)
            return result
        return self.app(environ, start_response)


class _LazyASGI:
    """An ASGI app that builds the audit server on its first request."""

    def __init__(self, trail: AuditTrail) -> None:
        self.server = _LazyServer(trail)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the host app owns the lifespan
            return
        await self.server.get()(scope, receive, send)


def mount_into_starlette(app: Any, trail: AuditTrail) -> bool:
    """Add the audit server as the first ``Mount`` route of a Starlette/FastAPI app."""
    if not trail.config.server.mount or is_mounted(app):
        return False
    from starlette.routing import Mount

    prefix = trail.config.server.prefix or "/audit"
    app.router.routes.insert(0, Mount(prefix, app=_LazyASGI(trail)))
    setattr(app, _MARK, True)
    return True


def is_mounted(app: Any) -> bool:
    return bool(getattr(app, _MARK, False))


def mount_asgi(app: ASGIApp, trail: AuditTrail) -> ASGIApp:
    """``app`` with the audit pages under ``server.prefix`` when ``server.mount`` is on."""
    if not trail.config.server.mount or is_mounted(app):
        return app
    return MountedAuditServer(app, trail)


def mount_wsgi(app: WSGIApp, trail: AuditTrail) -> WSGIApp:
    if not trail.config.server.mount or is_mounted(app):
        return app
    return MountedAuditServerWSGI(app, trail)
