"""``GET /api/audit-trail`` (one page of events) and ``GET /api/audit-trail/export``
(every matching event as a CSV, JSON, JSON-lines or XLSX download, streamed)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from auditmw.exports import content_type, export_chunks
from auditmw.server.access import scoped
from auditmw.server.context import ApiError
from auditmw.server.endpoint import Read, audited_endpoint, json_response
from auditmw.server.params import (
    FORMATS,
    VERIFIABLE,
    XLSX_MISSING,
    Filters,
    multi_values,
    parse_filters,
)
from auditmw.server.streaming import prime, watched
from auditmw.store.base import InvalidCursor, Order, Page, Query

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext


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


def _raw_params(request: Request) -> dict[str, Any]:
    return {"params": multi_values(request.query_params.multi_items())}


@audited_endpoint("audit-trail", params=_raw_params)
async def list_events(read: Read) -> Response:
    from starlette.concurrency import run_in_threadpool

    filters = scoped(parse_filters(read.details["params"]), read.caller)
    read.details = {"endpoint": "audit-trail", **filters.details()}
    page = await run_in_threadpool(fetch_page, read.ctx, filters)
    read.details["returned"] = len(page.items)
    return json_response(page_body(page))


def _file_chunks(ctx: ServerContext, query: Query, order: Order, fmt: str
                 ) -> Iterator[bytes]:
    """The download; the store's first query runs before the first chunk (see
    :func:`prime`)."""
    events = iter(ctx.store.iter_events(query, order=order))
    first = next(events, None)
    yield from export_chunks(itertools.chain([first], events) if first else (), fmt)


@audited_endpoint("audit-trail/export", params=_raw_params)
async def export_events(read: Read) -> Response:
    from starlette.responses import StreamingResponse

    raw = dict(read.details["params"])
    formats = [v.strip().lower() for v in raw.pop("format", []) if v.strip()] or ["csv"]
    if formats == [VERIFIABLE]:
        return await _verifiable_export(read, raw)
    if len(formats) == 1 and formats[0] == "xlsx" and "xlsx" not in FORMATS:
        raise ApiError(400, XLSX_MISSING)
    if len(formats) > 1 or formats[0] not in FORMATS:
        raise ApiError(400, f"format: must be one of {', '.join(FORMATS)}")
    fmt = formats[0]
    filters = scoped(parse_filters(raw, paged=False), read.caller)
    query = filters.query
    now = read.ctx.now()
    if query.end is None or query.end > now:
        # A snapshot up to this request: its own exportAuditTrail event stays out.
        query = Query(**{**_fields(query), "end": now})
    read.details = {"endpoint": "audit-trail/export", "format": fmt, **filters.details()}
    read.details.pop("limit", None)
    body = await prime(_file_chunks(read.ctx, query, filters.order, fmt))
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        watched(body, read.broke), media_type=content_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="audit-trail-{stamp}.{fmt}"',
                 "Cache-Control": "no-store"})


_CHUNK_BYTES = 65_536


def _verifiable_chunks(ctx: ServerContext, tenant: str) -> Iterator[bytes]:
    from auditmw.integrity.excerpt import ExcerptSource, excerpt_lines
    from auditmw.integrity.seals import load_signing_key

    integrity = ctx.trail.config.integrity
    signer = load_signing_key(integrity.signing_key) if integrity.signing_key else None
    buffer: list[bytes] = []
    size = 0
    for line in excerpt_lines(cast("ExcerptSource", ctx.store), tenant, key=integrity.key,
                              signer=signer):
        buffer.append(line)
        size += len(line)
        if size >= _CHUNK_BYTES:
            yield b"".join(buffer)
            buffer, size = [], 0
    yield b"".join(buffer)


async def _verifiable_export(read: Read, raw: dict[str, Any]) -> Response:
    """``format=verifiable``: a tenant key's whole trail (an operator names one
    ``tenant``), with the links and the signed record to check it alone
    (:mod:`auditmw.integrity.excerpt`)."""
    from starlette.responses import StreamingResponse

    from auditmw.integrity.excerpt import excerpt_tenant

    filters = scoped(parse_filters(raw, paged=False), read.caller)
    read.details = {"endpoint": "audit-trail/export", "format": VERIFIABLE,
                    **filters.details()}
    read.details.pop("limit", None)
    try:
        tenant = excerpt_tenant(filters.query)
    except ValueError as exc:
        raise ApiError(400, f"format: {exc}") from None
    body = await prime(_verifiable_chunks(read.ctx, tenant))
    stamp = read.ctx.now().strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        watched(body, read.broke), media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="audit-trail-{tenant}-'
                                        f'{stamp}.verifiable.jsonl"',
                 "Cache-Control": "no-store"})


def _fields(query: Query) -> dict[str, Any]:
    return {name: getattr(query, name) for name in Query.__dataclass_fields__}
