"""Assemble the Starlette app of the audit server (imported only when a server is made)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from auditmw.server.context import ServerContext, utc_now
from auditmw.server.data_api import export_events, list_events
from auditmw.server.dates import resolve_zone
from auditmw.server.endpoint import json_response
from auditmw.server.graphql_api import build_schema, graphql_endpoint
from auditmw.server.host_auth import HostAuth, resolve_host_auth
from auditmw.server.leapwork_api import export_audit_logs
from auditmw.server.openapi import openapi_document
from auditmw.store.keys import KeyStore

if TYPE_CHECKING:
    from auditmw.store.base import Store
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.server")
PAGE_MODULE = "auditmw.server.page"


async def _openapi(request: Request) -> Response:
    return json_response(openapi_document(request.scope.get("root_path", "") or "/"), 200)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
    return json_response({"message": detail}, status)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.error("auditmw: audit server error on %s", request.url.path, exc_info=exc)
    return json_response({"message": "Internal Server Error"}, 500)


def _page_routes(ctx: ServerContext) -> list[BaseRoute]:
    """``GET /``: the Audit trail page, when ``auditmw.server.page`` is installed."""
    if importlib.util.find_spec(PAGE_MODULE) is None:
        return []
    routes: list[BaseRoute] = importlib.import_module(PAGE_MODULE).routes(ctx)
    return routes


def create_app(trail: AuditTrail, *, store: Store | None = None,
               keys: KeyStore | None = None, prefix: str = "",
               clock: Callable[[], datetime] | None = None,
               host_auth: bool | HostAuth | None = None) -> Starlette:
    """The audit server over ``trail``'s store; see docs/server.md.

    Routes sit at the app's root, for mounting under ``server.prefix``
    (``Mount("/audit", create_app(trail))``); ``prefix`` puts them under a path instead
    (what ``auditmw serve`` does). ``store`` defaults to the trail's own store (``trail.store``;
    else the configured ``store.url`` is opened), ``keys`` to the access keys in that
    store's database.
    ``host_auth`` (default ``server.host_auth``): when mounted in a host app, accept its
    signed-in user instead of a key (``True``: ``scope["user"]``; or a callable, see
    docs/page.md).
    """
    cfg = trail.config
    owned: list[Any] = []
    if store is None:
        store = trail.store
    if store is None:
        from auditmw.store import open_configured_store

        store = open_configured_store(cfg.store)
        owned.append(store)
    if keys is None:  # in the store's database, through its connections
        keys = KeyStore(store, pepper=cfg.server.keys_pepper)
    ctx = ServerContext(trail=trail, store=store, keys=keys, zone=resolve_zone(cfg.timezone),
                        edition=cfg.server.edition, max_export_days=cfg.server.max_export_days,
                        clock=clock or utc_now, owned=owned,
                        host_auth=resolve_host_auth(
                            cfg.server.host_auth if host_auth is None else host_auth))
    routes: list[BaseRoute] = [
        Route("/api/v4/auditlogs/export", export_audit_logs, methods=["GET"]),
        Route("/api/audit-trail", list_events, methods=["GET"]),
        Route("/api/audit-trail/export", export_events, methods=["GET"]),
        Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
        Route("/openapi.json", _openapi, methods=["GET"]),
        *_page_routes(ctx),
    ]
    if prefix.strip("/"):
        routes = [Mount("/" + prefix.strip("/"), routes=routes)]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error, 500: _server_error})
    app.state.audit = ctx
    app.state.graphql_schema = build_schema()
    return app
