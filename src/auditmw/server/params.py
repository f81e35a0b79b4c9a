"""The Data API's query parameters: parsed strictly, refused with a message that says what
is allowed. Shared by ``/api/audit-trail``, its export and the GraphQL ``auditTrail``."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditmw.event import OUTCOMES
from auditmw.server.context import ApiError
from auditmw.server.dates import parse_rfc3339
from auditmw.store.base import Order, Query

FILTERS: tuple[str, ...] = ("event", "category", "actor", "outcome", "target", "ip", "tenant")
SINGLE: tuple[str, ...] = ("from", "to", "order", "limit", "cursor")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The export formats this installation can write: XLSX only with xlsxwriter (the
# "xlsx" extra), so the Data API, the OpenAPI document and the page never offer it else.
XLSX_MISSING = 'format xlsx needs xlsxwriter: pip install "auditmw[xlsx]"'


def _available_formats() -> tuple[str, ...]:
    import importlib.util

    try:
        has_xlsx = importlib.util.find_spec("xlsxwriter") is not None
    except (ImportError, ValueError):
        has_xlsx = False
    return ("csv", "json", "jsonl", "xlsx") if has_xlsx else ("csv", "json", "jsonl")


FORMATS: tuple[str, ...] = _available_formats()
#: ``format=verifiable``: one tenant's export that ``auditmw verify`` checks on its own
#: (:mod:`auditmw.integrity.excerpt`, docs/tenants.md).
VERIFIABLE = "verifiable"


@dataclass(frozen=True, slots=True)
class Filters:
    query: Query
    order: Order
    limit: int
    cursor: str | None

    def details(self) -> dict[str, Any]:
        """The filters as an audit event records them (only those given)."""
        q = self.query
        out: dict[str, Any] = {
            "from": _iso(q.start), "to": _iso(q.end), "order": self.order,
            "limit": self.limit, "cursor": self.cursor,
        }
        out |= {name: list(getattr(q, name)) for name in FILTERS if getattr(q, name)}
        return {k: v for k, v in out.items() if v is not None}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def parse_filters(values: Mapping[str, Sequence[str]], *, allowed_extra: Sequence[str] = (),
                  paged: bool = True) -> Filters:
    """``values`` maps each parameter to every value it was given.

    Unknown parameters are refused (a typo must not silently widen a query); empty
    values of optional parameters count as absent, as HTML forms send them.
    """
    known = set(FILTERS) | {"from", "to", "order"} | set(allowed_extra)
    if paged:
        known |= {"limit", "cursor"}
    for name in values:
        if name not in known:
            raise _bad(f"unknown parameter {name!r}; allowed: {', '.join(sorted(known))}")
    single: dict[str, str] = {}
    for name in SINGLE:
        given = [v for v in values.get(name, ()) if v.strip()]
        if len(given) > 1:
            raise _bad(f"{name}: give it at most once")
        if given:
            single[name] = given[0].strip()
    start = _time("from", single.get("from"))
    end = _time("to", single.get("to"))
    if end is not None:
        end += timedelta(microseconds=1)  # `to` is inclusive; the store's end is not
    if start is not None and end is not None and start >= end:
        raise _bad("from: must not be after to")
    order = single.get("order", "desc").lower()
    if order not in ("asc", "desc"):
        raise _bad(f"order: must be 'asc' or 'desc', not {single['order']!r}")
    limit = _limit(single.get("limit"))
    lists = {name: tuple(dict.fromkeys(v.strip() for v in values.get(name, ()) if v.strip()))
             for name in FILTERS}
    for outcome in lists["outcome"]:
        if outcome not in OUTCOMES:
            raise _bad(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    for ip in lists["ip"]:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise _bad(f"ip: {ip!r} is not an IPv4 or IPv6 address") from None
    query = Query(start=start, end=end, **lists)
    return Filters(query, "asc" if order == "asc" else "desc", limit, single.get("cursor"))


def _time(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_rfc3339(text)
    except ValueError as exc:
        raise _bad(f"{name}: {exc}") from None


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    try:
        limit = int(text) if text.isascii() else 0
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise _bad(f"limit: must be an integer from 1 to {MAX_LIMIT}, not {text!r}")
    return limit


def multi_values(items: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """``[(name, value), ...]`` (a query string's pairs) as name → every value."""
    out: dict[str, list[str]] = {}
    for name, value in items:
        out.setdefault(name, []).append(value)
    return out
