"""``GET /api/audit-trail`` (one page of events) and ``GET /api/audit-trail/export``
(every matching event as a CSV, JSON, JSON-lines or XLSX download, streamed)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from auditmw.exports import content_type, export_chunks
from auditmw.server.access import authorize, record_access
from auditmw.server.context import ApiError
from auditmw.server.params import FORMATS, Filters, multi_values, parse_filters
from auditmw.store.base import InvalidCursor, Page, Query, StoreError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext
    from auditmw.server.keys import AccessKey

log = logging.getLogger("auditmw.server")



def fetch_page(ctx: ServerContext, filters: Filters) -> Page:
    """One page from the store; a cursor it cannot read is the client's 400."""
    try:
        return ctx.store.query(filters.query, order=filters.order, limit=filters.limit,
                               cursor=filters.cursor, with_total=True)
    except InvalidCursor as exc:
        raise ApiError(400, f"cursor: {exc}") from None


def page_body(page: Page) -> dict[str, Any]:
    return {"items": page.items,
            "pagination": {"limit": page.limit, "next": page.next, "prev": page.prev},
            "total": page.total}


def _json(body: Any, status: int = 200) -> Response:
    from starlette.responses import Response

    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


async def list_events(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool

    ctx: ServerContext = request.app.state.audit
    raw = multi_values(request.query_params.multi_items())
    details: dict[str, Any] = {"endpoint": "audit-trail", "params": raw}
    key = None
    try:
        key = await run_in_threadpool(authorize, ctx, request)
        filters = parse_filters(raw)
        details = {"endpoint": "audit-trail", **filters.details()}
        page = await run_in_threadpool(fetch_page, ctx, filters)
    except ApiError as exc:
        await run_in_threadpool(record_access, ctx, request, key=key, status=exc.status,
                                details=details, message=exc.message)
        return _json({"message": exc.message}, exc.status)
    await run_in_threadpool(record_access, ctx, request, key=key, status=200,
                            details={**details, "returned": len(page.items)})
    return _json(page_body(page))


def _stream(ctx: ServerContext, query: Query, *, order: str, fmt: str, request: Request,
            details: dict[str, Any], key: AccessKey) -> Iterator[bytes]:

    try:
        events = ctx.store.iter_events(query, order="asc" if order == "asc" else "desc")
        yield from export_chunks(events, fmt)
    except Exception as exc:
        log.exception("auditmw: %s export for key %r broke", fmt, key.name)
        record_access(ctx, request, key=key, status=500, details=details,
                      message=f"export stream failed: {type(exc).__name__}")
        raise


async def export_events(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    ctx: ServerContext = request.app.state.audit
    raw = multi_values(request.query_params.multi_items())
    details: dict[str, Any] = {"endpoint": "audit-trail/export", "params": raw}
    key = None
    try:
        key = await run_in_threadpool(authorize, ctx, request)
        formats = [v.strip().lower() for v in raw.pop("format", []) if v.strip()] or ["csv"]
        if len(formats) > 1 or formats[0] not in FORMATS:
            raise ApiError(400, f"format: must be one of {', '.join(FORMATS)}")
        fmt = formats[0]
        filters = parse_filters(raw, paged=False)
        query = filters.query
        now = ctx.now()
        if query.end is None or query.end > now:
            # A snapshot up to this request: its own exportAuditTrail event stays out.
            query = Query(**{**_fields(query), "end": now})
        details = {"endpoint": "audit-trail/export", "format": fmt, **filters.details()}
        details.pop("limit", None)
    except ApiError as exc:
        await run_in_threadpool(record_access, ctx, request, key=key, status=exc.status,
                                details=details, message=exc.message)
        return _json({"message": exc.message}, exc.status)
    except StoreError as exc:  # pragma: no cover - defensive, reported without internals
        log.exception("auditmw: export refused by the store: %s", exc)
        return _json({"message": "Internal Server Error"}, 500)
    await run_in_threadpool(record_access, ctx, request, key=key, status=200, details=details)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        _stream(ctx, query, order=filters.order, fmt=fmt, request=request,
                details=details, key=key),
        media_type=content_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.{fmt}"',
                 "Cache-Control": "no-store"})


def _fields(query: Query) -> dict[str, Any]:
    return {name: getattr(query, name) for name in Query.__dataclass_fields__}
