"""``GET /api/v4/auditlogs/export``: the Leapwork controller's "Export Audit Logs".

Checks run in this order, the first failure answering: the key (401, 403), then
``fromDate`` (mandatory, valid), ``toDate`` (valid), the future rule, the order of the
two dates, and ``server.max_export_days``. The body is a JSON array, oldest first,
streamed a chunk at a time so a long range costs constant memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import orjson

from auditmw.exports.leapwork import leapwork_record
from auditmw.server.access import authorize, record_access
from auditmw.server.context import ApiError
from auditmw.server.dates import local_to_utc, parse_leapwork_date
from auditmw.store.base import Query

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext
    from auditmw.server.keys import AccessKey

log = logging.getLogger("auditmw.server")

FROM_MANDATORY = "From Date is mandatory"
INVALID_FROM = "Invalid From Date"
INVALID_TO = "Invalid To Date"
IN_FUTURE = "From Date and To Date cannot be set to a date in future"
FROM_AFTER_TO = "From Date cannot be greater than To Date"
CHUNK_ROWS = 500


@dataclass(frozen=True, slots=True)
class Window:
    """The UTC range asked for: ``start`` inclusive, ``end`` exclusive."""

    start: datetime
    end: datetime


def export_window(from_text: str | None, to_text: str | None, *, zone: tzinfo,
                  now: datetime, max_days: int) -> Window:
    """The range of a ``fromDate``/``toDate`` pair, or :class:`ApiError` 400.

    ``toDate`` covers its whole stated minute or day; without it the range ends now.
    A date is in the future when the start of its minute or day is after ``now``.
    """
    if from_text is None or not from_text.strip():
        raise ApiError(400, FROM_MANDATORY)
    first = parse_leapwork_date(from_text)
    if first is None:
        raise ApiError(400, INVALID_FROM)
    last = parse_leapwork_date(to_text) if to_text and to_text.strip() else None
    if to_text and to_text.strip() and last is None:
        raise ApiError(400, INVALID_TO)
    try:
        start = local_to_utc(first.start, zone, "start")
    except OverflowError:
        raise ApiError(400, INVALID_FROM) from None
    try:
        last_start = None if last is None else local_to_utc(last.start, zone, "start")
    except OverflowError:
        raise ApiError(400, INVALID_TO) from None
    if start > now or (last_start is not None and last_start > now):
        raise ApiError(400, IN_FUTURE)
    if last is None:
        end = now + timedelta(microseconds=1)  # "now" itself is included
        local_end = end.astimezone(zone).replace(tzinfo=None)
    else:
        local_end = last.next_start
        end = local_to_utc(local_end, zone, "end")  # not in the future: cannot overflow
    if start >= end:
        raise ApiError(400, FROM_AFTER_TO)
    # Counted in local calendar time, so a DST change never makes a day too long.
    if local_end - first.start > timedelta(days=max_days):
        raise ApiError(400, f"The date range cannot be longer than {max_days} days")
    return Window(start, end)


def _json_array(ctx: ServerContext, window: Window, request: Request,
                details: dict[str, Any], key: AccessKey) -> Iterator[bytes]:
    """The body, a chunk of rows at a time (run by Starlette in a worker thread)."""
    zone, edition = ctx.zone, ctx.edition
    rows = 0
    buffer: list[bytes] = []
    try:
        events = ctx.store.iter_events(Query(start=window.start, end=window.end),
                                       order="asc", chunk_size=CHUNK_ROWS)
        yield b"["
        for event in events:
            buffer.append(orjson.dumps(leapwork_record(event, zone, edition)))
            rows += 1
            if len(buffer) >= CHUNK_ROWS:
                yield (b"," if rows > len(buffer) else b"") + b",".join(buffer)
                buffer.clear()
        if buffer:
            yield (b"," if rows > len(buffer) else b"") + b",".join(buffer)
        yield b"]"
    except Exception as exc:
        # Headers are gone: the client sees a cut-off (invalid) JSON body. Say so in
        # the trail, then let the server abort the connection.
        log.exception("auditmw: Leapwork export for key %r broke after %d rows", key.name,
                      rows)
        record_access(ctx, request, key=key, status=500, details={**details, "rows_sent": rows},
                      message=f"export stream failed: {type(exc).__name__}")
        raise


async def export_audit_logs(request: Request) -> Response:
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, StreamingResponse

    ctx: ServerContext = request.app.state.audit
    params = request.query_params
    details: dict[str, Any] = {"endpoint": "auditlogs/export",
                               "fromDate": params.get("fromDate"),
                               "toDate": params.get("toDate")}
    key = None
    try:
        key = await run_in_threadpool(authorize, ctx, request)
        window = export_window(params.get("fromDate"), params.get("toDate"), zone=ctx.zone,
                               now=ctx.now(), max_days=ctx.max_export_days)
    except ApiError as exc:
        await run_in_threadpool(record_access, ctx, request, key=key, status=exc.status,
                                details=details, message=exc.message)
        return JSONResponse({"message": exc.message}, status_code=exc.status)
    details |= {"start": _rfc3339(window.start), "end": _rfc3339(window.end)}
    await run_in_threadpool(record_access, ctx, request, key=key, status=200, details=details)
    return StreamingResponse(_json_array(ctx, window, request, details, key),
                             media_type="application/json")


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
