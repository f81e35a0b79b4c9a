"""``GET {prefix}/``: the Audit trail page, its static files and ``GET api/catalog``.

The page is one HTML file, one script and one style sheet shipped in
``auditmw/server/static`` (no build step, nothing fetched from elsewhere). It reads the
Data API with relative URLs, so it works under any prefix. Every answer carries a strict
Content-Security-Policy (scripts only from this server's files, no inline script, no
framing), ``nosniff``, ``no-referrer`` and ``X-Frame-Options: DENY``; the script puts
event data on the page as text only.

Standalone, the page asks for an access key once and keeps it for the tab
(``sessionStorage``). Mounted with ``host_auth``, it calls the API without a key and the
host app's signed-in user is accepted instead (see :mod:`auditmw.server.host_auth`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import orjson
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from auditmw.server.endpoint import Read, audited_endpoint

if TYPE_CHECKING:
    from starlette.requests import Request

    from auditmw.catalog import Catalog
    from auditmw.server.context import ServerContext

#: What the page may load: its own files and its own API, nothing else, and no framing.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "font-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
#: The files ``static/NAME`` serves, with their media types (anything else is a 404).
STATIC_TYPES: dict[str, str] = {
    "page.js": "text/javascript; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
AUTH_MARKER = "{{AUTH_MODE}}"


@dataclass(frozen=True, slots=True)
class Asset:
    """A file held in memory with its validator (files are a few kilobytes)."""

    body: bytes
    media_type: str
    etag: str

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')

    def response(self, request: Request) -> Response:
        headers = {**SECURITY_HEADERS, "ETag": self.etag, "Cache-Control": "no-cache"}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _static_file(name: str) -> bytes:
    return resources.files("auditmw.server").joinpath("static", name).read_bytes()


def load_assets(auth_mode: str) -> tuple[Asset, dict[str, Asset]]:
    """The page (told whether to ask for a key: ``key``, or ``host`` when mounted with
    host authentication) and the static files."""
    html = _static_file("index.html").decode()
    if AUTH_MARKER not in html:
        raise RuntimeError("auditmw: static/index.html lost its auth-mode marker")
    html = html.replace(AUTH_MARKER, auth_mode)
    from auditmw.server.params import FORMATS

    if "xlsx" not in FORMATS:  # no xlsxwriter here: the page does not offer XLSX
        html = re.sub(r'\s*<div class="choice"><input type="radio" id="fmt-xlsx".*?</div>', "",
                      html, count=1)
    page = Asset.of(html.encode(), "text/html; charset=utf-8")
    files = {name: Asset.of(_static_file(name), kind) for name, kind in STATIC_TYPES.items()}
    return page, files


def catalog_body(catalog: Catalog) -> bytes:
    """Categories and events for the page's filter choices, in catalogue order."""
    categories = [{"id": c.id, "name": c.name, "description": c.description}
                  for c in catalog.categories.values()]
    events = [{"name": e.name, "category": e.category, "action": e.action,
               "description": e.description} for e in catalog]
    return orjson.dumps({"categories": categories, "events": events})


def _json(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def routes(ctx: ServerContext) -> list[BaseRoute]:
    """The page's routes, at the audit server's root (``create_app`` adds them)."""
    page, files = load_assets("host" if ctx.host_auth is not None else "key")
    catalog = catalog_body(ctx.trail.catalog)

    async def index(request: Request) -> Response:
        return page.response(request)

    async def static(request: Request) -> Response:
        asset = files.get(request.path_params["name"])
        if asset is None:
            return Response(b"Not Found", status_code=404, media_type="text/plain",
                            headers=SECURITY_HEADERS)
        return asset.response(request)

    @audited_endpoint("catalog")
    async def catalog_endpoint(read: Read) -> Response:
        # The same key check as the Data API. A refusal is recorded like any refused
        # read; a granted read is not, as the catalogue holds no event.
        read.record = False
        return _json(catalog)

    return [
        Route("/", index, methods=["GET"]),
        Route("/static/{name}", static, methods=["GET"]),
        Route("/api/catalog", catalog_endpoint, methods=["GET"]),
    ]
