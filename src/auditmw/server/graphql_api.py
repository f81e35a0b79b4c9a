"""The trail as GraphQL at ``/graphql``: ``{ auditTrail(...) { items {...} total ... } }``.

``auditTrail`` takes the Data API's filters plus ``limit``, ``cursor`` and
``page: FIRST | NEXT | PREV | LAST``: ``FIRST`` (the default) and ``LAST`` ignore the
cursor; ``NEXT`` needs the ``next`` cursor of the page before and ``PREV`` its ``prev``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from auditmw.server.access import scoped
from auditmw.server.context import ApiError
from auditmw.server.data_api import fetch_page, page_body
from auditmw.server.endpoint import Read, audited_endpoint, json_response
from auditmw.server.params import parse_filters
from auditmw.store.base import Page

if TYPE_CHECKING:
    from graphql import GraphQLSchema
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.server.context import ServerContext
    from auditmw.store.base import Store

SDL = '''
"Any JSON value (event details)."
scalar JSON

enum Page { FIRST NEXT PREV LAST }
enum Order { ASC DESC }

type Actor { id: String  name: String  type: String!  team: String }
type Client { ip: String  hostname: String  userAgent: String }
type Target { type: String  id: String  name: String }
type Request { method: String  path: String  status: Int  id: String  operation: String }
type Error { type: String!  message: String! }

"One audit event (schema auditmw/1)."
type AuditEvent {
  id: ID!  time: String!  event: String!  category: String!  action: String!
  outcome: String!  actor: Actor!  client: Client!  channel: String!  source: String!
  target: Target!  details: JSON  request: Request  trace: JSON  durationMs: Float
  error: Error  service: JSON  integrity: JSON  tenant: String
}

"One page of the audit trail."
type AuditTrail {
  items: [AuditEvent!]!
  "Every event matching the filters, across all pages."
  total: Int
  limit: Int!
  "Pass as cursor with page: NEXT for the following page; null on the last page."
  next: String
  "Pass as cursor with page: PREV for the page before; null on the first page."
  prev: String
}

type Query {
  auditTrail(
    "RFC 3339 date-time, inclusive." from: String
    "RFC 3339 date-time, inclusive." to: String
    event: [String!]  category: [String!]  actor: [String!]  outcome: [String!]
    target: [String!]  ip: [String!]
    "Tenants to read (an operator key); a tenant key always reads its own alone."
    tenant: [String!]
    order: Order = DESC  limit: Int = 100  cursor: String  page: Page = FIRST
  ): AuditTrail!
}
'''


_EVENT_KEYS = {"durationMs": "duration_ms", "userAgent": "user_agent"}


def _field(source: Any, info: Any, **_: Any) -> Any:
    """Resolve a field from the event dict, camelCase names read from snake_case keys."""
    name = info.field_name
    if isinstance(source, dict):
        return source.get(_EVENT_KEYS.get(name, name))
    return getattr(source, name, None)


def _far_cursor(store: Store, order: str) -> str:
    """A backward cursor anchored beyond the last event in ``order``: the last page."""
    from datetime import UTC, datetime

    from auditmw.store.cursors import Cursor
    from auditmw.store.rows import datetime_to_us

    # The ends of what every backend can hold as a time (PostgreSQL goes through Python's
    # datetime, whose range ends at years 1 and 9999), not beyond them.
    edge = datetime(1, 1, 2, tzinfo=UTC) if order == "desc" else \
        datetime(9999, 12, 30, tzinfo=UTC)
    return store.encode_cursor(Cursor(datetime_to_us(edge), "", order, forward=False))


def resolve_audit_trail(_: Any, info: Any, **args: Any) -> dict[str, Any]:
    ctx: ServerContext = info.context["audit"]
    page_kind = args.pop("page", "FIRST")
    order = str(args.pop("order", "DESC")).lower()
    limit = args.pop("limit", 100)
    cursor = args.pop("cursor", None)
    values: dict[str, list[str]] = {
        name: (value if isinstance(value, list) else [value])
        for name, value in args.items() if value is not None}
    values |= {"order": [order], "limit": [str(limit)]}
    if page_kind in ("NEXT", "PREV"):
        if not cursor:
            raise ApiError(400, f"page: {page_kind} needs the cursor of the page before")
        values["cursor"] = [cursor]
    filters = scoped(parse_filters(values), info.context["caller"])
    info.context["filters"].append({**filters.details(), "page": page_kind})
    if page_kind in ("NEXT", "PREV"):
        try:
            forward = ctx.store.decode_cursor(cursor, order).forward
        except ValueError as exc:
            raise ApiError(400, f"cursor: {exc}") from None
        if forward != (page_kind == "NEXT"):
            wanted = "next" if page_kind == "NEXT" else "prev"
            raise ApiError(400, f"cursor: page {page_kind} needs a {wanted} cursor")
    if page_kind == "LAST":
        filters = type(filters)(filters.query, filters.order, filters.limit,
                                _far_cursor(ctx.store, filters.order))
        page = fetch_page(ctx, filters)
        page = Page(items=page.items, next=None, prev=page.prev, total=page.total,
                    limit=page.limit)
    else:
        page = fetch_page(ctx, filters)
    body = page_body(page)
    return {"items": body["items"], "total": body["total"], **body["pagination"]}


def build_schema() -> GraphQLSchema:
    from graphql import GraphQLScalarType, build_schema

    schema = build_schema(SDL)
    json_type = schema.type_map["JSON"]
    assert isinstance(json_type, GraphQLScalarType)
    json_type.serialize = lambda value: value  # type: ignore[method-assign]
    query_type = schema.query_type
    assert query_type is not None
    query_type.fields["auditTrail"].resolve = resolve_audit_trail
    return schema


def _graphql_error(status: int, message: str) -> dict[str, Any]:
    """A refusal or failure as GraphQL clients read it (``errors``), with the REST
    ``message`` too."""
    if status >= 500:
        return {"message": message, "errors": [{"message": message}]}
    return {"message": message,
            "errors": [{"message": message, "extensions": {"code": _code(status)}}]}


@audited_endpoint("graphql", source="graphql", error_body=_graphql_error)
async def graphql_endpoint(read: Read) -> Response:
    from starlette.concurrency import run_in_threadpool

    query, variables, operation = await _read_request(read.request)
    context: dict[str, Any] = {"audit": read.ctx, "filters": [], "caller": read.caller}
    result, read.status = await run_in_threadpool(
        _execute, read.request.app.state.graphql_schema, query, variables, operation,
        context)
    read.details |= {"operation": operation, "queries": context["filters"]}
    errors = result.get("errors")
    read.message = errors[0]["message"] if errors else None
    return json_response(result, read.status)


def _code(status: int) -> str:
    return {401: "UNAUTHENTICATED", 403: "FORBIDDEN"}.get(status, "BAD_REQUEST")


async def _read_request(request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
    """``(query, variables, operationName)`` from a GET query string or a POST body."""
    if request.method == "GET":
        params = request.query_params
        variables_text = params.get("variables")
        raw: dict[str, Any] = {"query": params.get("query"),
                               "operationName": params.get("operationName")}
        try:
            raw["variables"] = orjson.loads(variables_text) if variables_text else None
        except orjson.JSONDecodeError:
            raise ApiError(400, "variables: not valid JSON") from None
    else:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if kind == "application/graphql":
            raw = {"query": body.decode("utf-8", "replace")}
        else:
            try:
                raw = orjson.loads(body)
            except orjson.JSONDecodeError:
                raise ApiError(400, "the body must be a JSON object with a query") from None
    if not isinstance(raw, dict):
        raise ApiError(400, "the body must be a JSON object with a query")
    query, variables, operation = raw.get("query"), raw.get("variables"), \
        raw.get("operationName")
    if not isinstance(query, str) or not query.strip():
        raise ApiError(400, "query: a GraphQL document is required")
    if variables is not None and not isinstance(variables, dict):
        raise ApiError(400, "variables: must be a JSON object")
    if operation is not None and not isinstance(operation, str):
        raise ApiError(400, "operationName: must be a string")
    return query, variables, operation


def _execute(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None,
             operation: str | None, context: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Run the document; 400 when it cannot run at all, else 200 with data and errors."""
    from graphql import GraphQLError, execute_sync, parse, validate

    try:
        document = parse(query, max_tokens=10_000)
    except GraphQLError as exc:
        return {"errors": [exc.formatted]}, 400
    problems = validate(schema, document)
    if problems:
        return {"errors": [p.formatted for p in problems]}, 400
    result = execute_sync(schema, document, variable_values=variables,
                          operation_name=operation, context_value=context,
                          field_resolver=_field)
    status = 200
    originals = [e.original_error for e in result.errors or ()]
    if any(o is not None and not isinstance(o, ApiError) for o in originals):
        status = 500
    elif any(isinstance(o, ApiError) for o in originals):
        status = max(o.status for o in originals if isinstance(o, ApiError))
    elif result.errors and result.data is None:
        status = 400  # bad variables or operation name: nothing ran
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [_public_error(e) for e in result.errors]
    return out, status


def _public_error(error: Any) -> dict[str, Any]:
    """A resolver's :class:`ApiError` says what was wrong; anything else is not shown."""
    formatted: dict[str, Any] = error.formatted
    original = getattr(error, "original_error", None)
    if original is not None and not isinstance(original, ApiError):
        formatted = {**formatted, "message": "Internal Server Error"}
    return formatted
