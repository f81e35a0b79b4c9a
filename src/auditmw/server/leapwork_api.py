"""``GET /api/v4/auditlogs/export``: the Leapwork controller's "Export Audit Logs".

Checks run in this order, the first failure answering: the key (401, 403), then
``fromDate`` (mandatory, valid), ``toDate`` (valid), the future rule, the order of the
two dates, and ``server.max_export_days``. The body is a JSON array, oldest first,
streamed a chunk at a time so a long range costs constant memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

import orjson

from auditmw.exports.leapwork import leapwork_record
from auditmw.server.access import scoped_query
from auditmw.server.context import ApiError
from auditmw.server.dates import local_to_utc, parse_leapwork_date
from auditmw.server.endpoint import Read, audited_endpoint
from auditmw.server.streaming import prime, watched
from auditmw.store.base import Query

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext


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
    # Compared as stated, on the wall clock: "from" must not come after the end of
    # "to"'s minute or day (so a date-time "from" may sit inside a date-only "to").
    if last is not None and first.start >= last.next_start:
        raise ApiError(400, FROM_AFTER_TO)
    if last is None:
        end = now + timedelta(microseconds=1)  # "now" itself is included
        local_end = end.astimezone(zone).replace(tzinfo=None)
    else:
        local_end = last.next_start
        end = local_to_utc(local_end, zone, "end")  # not in the future: cannot overflow
    # Counted in local calendar time, so a DST change never makes a day too long.
    if local_end - first.start > timedelta(days=max_days):
        raise ApiError(400, f"The date range cannot be longer than {max_days} days")
    return Window(start, end)


def _json_array(ctx: ServerContext, window: Window, query: Query) -> Iterator[bytes]:
    """The body, ``CHUNK_ROWS`` records a chunk; the first chunk comes after the first
    query, so :func:`prime` sees a failing store before any header is sent."""
    zone, edition = ctx.zone, ctx.edition
    events = iter(ctx.store.iter_events(query, order="asc", chunk_size=CHUNK_ROWS))
    first = next(events, None)
    if first is None:
        yield b"[]"
        return
    buffer = [orjson.dumps(leapwork_record(first, zone, edition))]
    opening = b"["
    for event in events:
        buffer.append(orjson.dumps(leapwork_record(event, zone, edition)))
        if len(buffer) >= CHUNK_ROWS:
            yield opening + b",".join(buffer)
            opening = b","
            buffer.clear()
    yield opening + b",".join(buffer) + b"]" if buffer else b"]"


def _dates(request: Request) -> dict[str, Any]:
    return {"fromDate": request.query_params.get("fromDate"),
            "toDate": request.query_params.get("toDate")}


@audited_endpoint("auditlogs/export", params=_dates)
async def export_audit_logs(read: Read) -> Response:
    from starlette.responses import StreamingResponse

    ctx = read.ctx
    window = export_window(read.details["fromDate"], read.details["toDate"], zone=ctx.zone,
                           now=ctx.now(), max_days=ctx.max_export_days)
    read.details |= {"start": _rfc3339(window.start), "end": _rfc3339(window.end)}
    query = scoped_query(Query(start=window.start, end=window.end), read.caller)
    if query.tenant:
        read.details["tenant"] = list(query.tenant)
    body = await prime(_json_array(ctx, window, query))
    return StreamingResponse(watched(body, read.broke), media_type="application/json")


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
