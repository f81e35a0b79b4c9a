"""``GET /api/audit-trail`` (one page of events) and ``GET /api/audit-trail/export``
(every matching event as a CSV, JSON, JSON-lines or XLSX download, streamed)."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import orjson

from auditmw.exports import content_type, export_chunks
from auditmw.server.access import identify, record_access, require_scope, scoped
from auditmw.server.context import ApiError
from auditmw.server.params import FORMATS, XLSX_MISSING, Filters, multi_values, parse_filters
from auditmw.server.streaming import prime, watched
from auditmw.store.base import InvalidCursor, Order, Page, Query

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext

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
        key = await run_in_threadpool(identify, ctx, request)
        require_scope(key)
        filters = scoped(parse_filters(raw), key)
        details = {"endpoint": "audit-trail", **filters.details()}
        page = await run_in_threadpool(fetch_page, ctx, filters)
    except ApiError as exc:
        await run_in_threadpool(record_access, ctx, request, key=key, status=exc.status,
                                details=details, message=exc.message)
        return _json({"message": exc.message}, exc.status)
    except Exception as exc:
        log.exception("auditmw: audit-trail query failed")
        await run_in_threadpool(record_access, ctx, request, key=key, status=500,
                                details=details, message=type(exc).__name__)
        return _json({"message": "Internal Server Error"}, 500)
    await run_in_threadpool(record_access, ctx, request, key=key, status=200,
                            details={**details, "returned": len(page.items)})
    return _json(page_body(page))


def _file_chunks(ctx: ServerContext, query: Query, order: Order, fmt: str
                 ) -> Iterator[bytes]:
    """The download; the store's first query runs before the first chunk (see
    :func:`prime`)."""
    events = iter(ctx.store.iter_events(query, order=order))
    first = next(events, None)
    yield from export_chunks(itertools.chain([first], events) if first else (), fmt)


async def export_events(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import StreamingResponse

    ctx: ServerContext = request.app.state.audit
    raw = multi_values(request.query_params.multi_items())
    details: dict[str, Any] = {"endpoint": "audit-trail/export", "params": raw}
    key = None
    try:
        key = await run_in_threadpool(identify, ctx, request)
        require_scope(key)
        formats = [v.strip().lower() for v in raw.pop("format", []) if v.strip()] or ["csv"]
        if len(formats) == 1 and formats[0] == "xlsx" and "xlsx" not in FORMATS:
            raise ApiError(400, XLSX_MISSING)
        if len(formats) > 1 or formats[0] not in FORMATS:
            raise ApiError(400, f"format: must be one of {', '.join(FORMATS)}")
        fmt = formats[0]
        filters = scoped(parse_filters(raw, paged=False), key)
        query = filters.query
        now = ctx.now()
        if query.end is None or query.end > now:
            # A snapshot up to this request: its own exportAuditTrail event stays out.
            query = Query(**{**_fields(query), "end": now})
        details = {"endpoint": "audit-trail/export", "format": fmt, **filters.details()}
        details.pop("limit", None)
        body = await prime(_file_chunks(ctx, query, filters.order, fmt))
    except ApiError as exc:
        await run_in_threadpool(record_access, ctx, request, key=key, status=exc.status,
                                details=details, message=exc.message)
        return _json({"message": exc.message}, exc.status)
    except Exception as exc:
        log.exception("auditmw: audit-trail export failed")
        await run_in_threadpool(record_access, ctx, request, key=key, status=500,
                                details=details, message=type(exc).__name__)
        return _json({"message": "Internal Server Error"}, 500)
    await run_in_threadpool(record_access, ctx, request, key=key, status=200, details=details)

    def on_break(exc: Exception, sent: int) -> None:
        log.error("auditmw: %s export broke after %d bytes", fmt, sent, exc_info=exc)
        record_access(ctx, request, key=key, status=500,
                      details={**details, "bytes_sent": sent},
                      message=f"export stream failed: {type(exc).__name__}")

    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        watched(body, on_break), media_type=content_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.{fmt}"',
                 "Cache-Control": "no-store"})


def _fields(query: Query) -> dict[str, Any]:
    return {name: getattr(query, name) for name in Query.__dataclass_fields__}
