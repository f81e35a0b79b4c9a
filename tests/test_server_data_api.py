"""The Data API (`/api/audit-trail`), its file export and GraphQL `AuditTrail`: filters,
keyset pagination, limits, parameter errors, access keys and the self-audit."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.exports import CSV_COLUMNS
from auditmw.ids import format_time, uuid7
from auditmw.server import create_app
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)

# (name, event, category, outcome, actor id, actor name, target id, ip)
ROWS = [
    ("a", "createAssetGroup", "inventory_configuration", "success", "u1", "Ann", "g1", "10.0.0.1"),
    ("b", "deleteAssetGroup", "inventory_configuration", "failure", "u2", "Bob", "g1", "10.0.0.2"),
    ("c", "deleteScope", "discovery_configuration", "denied", "u1", "Ann", "s9", "10.0.0.1"),
    ("d", "exportView", "data_extraction", "success", "u3", "Cy", "v1", "2001:db8::1"),
    ("e", "createAssetGroup", "inventory_configuration", "success", "u2", "Bob", "g2", "10.0.0.2"),
    ("f", "triggerScan", "discovery_configuration", "success", "u1", "Ann", "s9", "10.0.0.3"),
    ("g", "createAssetGroup", "inventory_configuration", "failure", "u3", "Cy", "g3", "10.0.0.1"),
]


def _time(index: int) -> datetime:
    return BASE + timedelta(minutes=index)


def _events() -> list[dict[str, Any]]:
    out = []
    for index, (name, event, category, outcome, uid, uname, tid, ip) in enumerate(ROWS):
        built = AuditEvent.create(
            event, category, "other", outcome=outcome, actor=Actor(id=uid, name=uname),
            client=Client(ip=ip), target=Target(id=tid, name=f"{tid}-name"),
            details={"row": name, "formula": "=1+1" if name == "a" else "plain"},
            channel="ui", source="graphql")
        moment = _time(index)
        ns = int(moment.timestamp()) * 1_000_000_000
        out.append(built.with_(id=uuid7(ns), time=format_time(moment)).to_dict())
    return out


class Api:
    def __init__(self, client: httpx.AsyncClient, trail: AuditTrail, keys: dict[str, str]):
        self.client, self.trail, self.keys = client, trail, keys

    async def get(self, path: str, params: Any = None, key: str | None = "good"
                  ) -> httpx.Response:
        headers = {"accessKey": self.keys[key]} if key else {}
        return await self.client.get(path, params=params, headers=headers)

    async def gql(self, query: str, variables: dict[str, Any] | None = None,
                  key: str | None = "good") -> httpx.Response:
        headers = {"accessKey": self.keys[key]} if key else {}
        return await self.client.post("/graphql", headers=headers,
                                      json={"query": query, "variables": variables})

    async def names(self, params: Any = None) -> list[str]:
        response = await self.get("/api/audit-trail", params)
        assert response.status_code == 200, response.text
        return [item["details"]["row"] for item in response.json()["items"]]


@pytest.fixture(params=["sqlite", "postgresql"])
async def api(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Api]:
    """The server over each backend: the same answers from SQLite and PostgreSQL."""
    url = (f"sqlite:///{tmp_path / 'audit.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    trail = AuditTrail(store=url, sinks=[])
    app = create_app(trail)
    ctx = app.state.audit
    ctx.store.write(_events())
    keys = {"good": ctx.keys.create("reader", ["audit_logs"])[1],
            "noscope": ctx.keys.create("other", ["billing"])[1]}
    transport = httpx.ASGITransport(app=app, client=("192.0.2.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        # The events of the fixture only: later self-audit events are newer than `to`.
        yield Api(client, trail, keys)
    for owned in ctx.owned:  # what the app's lifespan would close (ASGITransport runs none)
        owned.close()
    trail.close()


UNTIL = {"to": format_time(_time(len(ROWS)))}


@pytest.mark.parametrize(("params", "expected"), [
    pytest.param({}, "gfedcba", id="all-newest-first"),
    pytest.param({"order": "asc"}, "abcdefg", id="oldest-first"),
    pytest.param({"event": "createAssetGroup"}, "gea", id="event"),
    pytest.param({"event": ["deleteScope", "triggerScan"]}, "fc", id="event-repeated-is-or"),
    pytest.param({"category": "discovery_configuration"}, "fc", id="category"),
    pytest.param({"actor": "u1"}, "fca", id="actor-by-id"),
    pytest.param({"actor": "Bob"}, "eb", id="actor-by-name"),
    pytest.param({"outcome": ["failure", "denied"]}, "gcb", id="outcome"),
    pytest.param({"target": "s9"}, "fc", id="target-by-id"),
    pytest.param({"target": "g1-name"}, "ba", id="target-by-name"),
    pytest.param({"ip": "10.0.0.1"}, "gca", id="ip"),
    pytest.param({"ip": "2001:db8::1"}, "d", id="ipv6"),
    pytest.param({"event": "createAssetGroup", "outcome": "success"}, "ea", id="and"),
    pytest.param({"from": format_time(_time(2)), "to": format_time(_time(4))}, "edc",
                 id="from-to-inclusive"),
    pytest.param({"from": _time(5).astimezone(datetime.now().astimezone().tzinfo).isoformat()},
                 "gf", id="from-with-offset"),
    pytest.param({"event": "", "actor": ""}, "gfedcba", id="empty-values-ignored"),
    pytest.param({"actor": "nobody"}, "", id="no-match"),
])
async def test_filters(api: Api, params: dict[str, Any], expected: str) -> None:
    merged = {"to": UNTIL["to"], **params}
    assert "".join(await api.names(merged)) == expected


async def test_page_shape_and_total(api: Api) -> None:
    response = await api.get("/api/audit-trail", {**UNTIL, "limit": 2, "event": "createAssetGroup"})
    body = response.json()
    assert set(body) == {"items", "pagination", "total"}
    assert body["total"] == 3
    assert body["pagination"]["limit"] == 2
    assert body["pagination"]["prev"] is None
    assert body["pagination"]["next"]
    assert body["items"][0]["schema"] == "auditmw/1"


@pytest.mark.parametrize("order", ["desc", "asc"])
async def test_cursor_walk_visits_each_event_once_and_back(api: Api, order: str) -> None:
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(10):  # bounded: 7 events, 3 a page
        params = {**UNTIL, "limit": 3, "order": order, **({"cursor": cursor} if cursor else {})}
        body = (await api.get("/api/audit-trail", params)).json()
        pages.append(body)
        seen += [i["details"]["row"] for i in body["items"]]
        cursor = body["pagination"]["next"]
        if cursor is None:
            break
    expected = "abcdefg" if order == "asc" else "gfedcba"
    assert "".join(seen) == expected
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    # prev from the last page gives the middle page again
    back = (await api.get("/api/audit-trail", {**UNTIL, "limit": 3, "order": order,
                                               "cursor": pages[-1]["pagination"]["prev"]})).json()
    assert back["items"] == pages[1]["items"]


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"limit": "0"}, "limit: must be an integer from 1 to 1000, not '0'", id="limit-0"),
    pytest.param({"limit": "1001"}, "limit: must be an integer from 1 to 1000, not '1001'",
                 id="limit-1001"),
    pytest.param({"limit": "ten"}, "limit: must be an integer from 1 to 1000, not 'ten'",
                 id="limit-text"),
    pytest.param({"limit": ["1", "2"]}, "limit: give it at most once", id="limit-twice"),
    pytest.param({"evnt": "x"}, "unknown parameter 'evnt'", id="typo"),
    pytest.param({"outcome": "ok"}, "outcome: 'ok' is not one of success, failure, denied",
                 id="outcome"),
    pytest.param({"ip": "10.0.0"}, "ip: '10.0.0' is not an IPv4 or IPv6 address", id="ip"),
    pytest.param({"from": "2024-01-01"}, "from: must be an RFC 3339 date-time with an offset",
                 id="from-date-only"),
    pytest.param({"to": "2024-01-01T00:00:00"}, "to: must be an RFC 3339", id="to-no-offset"),
    pytest.param({"from": "2024-01-02T00:00:00Z", "to": "2024-01-01T00:00:00Z"},
                 "from: must not be after to", id="from-after-to"),
    pytest.param({"order": "newest"}, "order: must be 'asc' or 'desc'", id="order"),
    pytest.param({"cursor": "garbage!"}, "cursor: invalid cursor", id="cursor-garbage"),
])
async def test_bad_parameters_are_400_with_a_clear_message(api: Api, params: dict[str, Any],
                                                           message: str) -> None:
    response = await api.get("/api/audit-trail", params)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


async def test_default_and_max_limit(api: Api) -> None:
    ctx_store = api.client._transport.app.state.audit.store  # type: ignore[attr-defined]
    many = []
    for i in range(1005):
        built = AuditEvent.create("exportView", "data_extraction", "export",
                                  details={"row": f"bulk{i}"})
        moment = BASE - timedelta(days=1, seconds=i)
        many.append(built.with_(id=uuid7(int(moment.timestamp()) * 10**9),
                                time=format_time(moment)).to_dict())
    ctx_store.write(many)
    default = (await api.get("/api/audit-trail", UNTIL)).json()
    assert len(default["items"]) == 100
    assert default["pagination"]["limit"] == 100
    biggest = (await api.get("/api/audit-trail", {**UNTIL, "limit": 1000})).json()
    assert len(biggest["items"]) == 1000
    assert biggest["total"] == 1005 + len(ROWS)


async def test_cursor_of_the_other_order_is_refused(api: Api) -> None:
    first = (await api.get("/api/audit-trail", {**UNTIL, "limit": 2})).json()
    response = await api.get("/api/audit-trail",
                             {"limit": 2, "order": "asc", "cursor": first["pagination"]["next"]})
    assert response.status_code == 400
    assert "cursor" in response.json()["message"]


@pytest.mark.parametrize("time_us", [2**62, -(2**62)])
async def test_a_forged_cursor_beyond_any_time_is_a_400(api: Api, time_us: int) -> None:
    import base64

    forged = base64.urlsafe_b64encode(f"1|desc|nx|{time_us}|x".encode()).decode().rstrip("=")
    response = await api.get("/api/audit-trail", {"cursor": forged})
    assert response.status_code == 400
    assert response.json()["message"] == ("cursor: invalid cursor: use a next/prev value "
                                          "from an earlier page")


@pytest.mark.parametrize("path", ["/api/audit-trail", "/api/audit-trail/export"])
@pytest.mark.parametrize(("key", "status", "message"), [
    pytest.param(None, 401, "Incorrect Accesskey", id="missing"),
    pytest.param("noscope", 403, "AccessKey does not have the relevant scope permission",
                 id="no-scope"),
])
async def test_same_401_403_everywhere(api: Api, path: str, key: str | None, status: int,
                                       message: str) -> None:
    with capture_audit_events(api.trail) as audit:
        response = await api.get(path, {}, key=key)
    assert (response.status_code, response.json()) == (status, {"message": message})
    assert [(e["event"], e["outcome"]) for e in audit] == [("exportAuditTrail", "denied")]
    assert audit[0]["client"]["ip"] == "192.0.2.9"


async def test_granted_and_refused_calls_are_audited(api: Api) -> None:
    with capture_audit_events(api.trail) as audit:
        await api.get("/api/audit-trail", {**UNTIL, "event": "exportView", "limit": 5})
        await api.get("/api/audit-trail", {"limit": "0"})
        await api.get("/api/audit-trail", {}, key=None)
    assert [e["outcome"] for e in audit] == ["success", "failure", "denied"]
    granted = audit[0]
    assert granted["actor"]["name"] == "reader"
    assert granted["actor"]["type"] == "api"
    assert granted["details"]["event"] == ["exportView"]
    assert granted["details"]["limit"] == 5
    assert granted["source"] == "rest"
    assert granted["channel"] == "api"
    assert audit[1]["error"]["message"].startswith("limit:")
    assert audit[2]["actor"] == {"id": None, "name": None, "type": "anonymous"}
    # And they are in the store, readable through the API itself.
    assert api.trail.flush(timeout=10)
    mine = (await api.get("/api/audit-trail", {"event": "exportAuditTrail", "limit": 50})).json()
    assert {i["outcome"] for i in mine["items"]} >= {"success", "failure", "denied"}


# --- the file export -----------------------------------------------------------------------

async def test_csv_export_equals_the_data_api(api: Api) -> None:
    params = {**UNTIL, "event": "createAssetGroup"}
    response = await api.get("/api/audit-trail/export", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="audit-trail-')
    assert disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    listed = (await api.get("/api/audit-trail", params)).json()["items"]
    assert [r["id"] for r in rows] == [i["id"] for i in listed]
    assert list(rows[0]) == list(CSV_COLUMNS)
    formula_row = next(r for r in rows if json.loads(r["details"].lstrip("'"))["row"] == "a")
    assert not formula_row["details"].startswith("=")


@pytest.mark.parametrize(("fmt", "media"), [
    ("json", "application/json"), ("jsonl", "application/x-ndjson"),
])
async def test_json_exports(api: Api, fmt: str, media: str) -> None:
    response = await api.get("/api/audit-trail/export", {**UNTIL, "format": fmt, "order": "asc"})
    assert response.headers["content-type"] == media
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    items = (response.json() if fmt == "json"
             else [json.loads(line) for line in response.text.splitlines()])
    assert [i["details"]["row"] for i in items] == list("abcdefg")


async def test_xlsx_export_opens(api: Api) -> None:
    import openpyxl

    response = await api.get("/api/audit-trail/export", {**UNTIL, "format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    book.close()
    assert rows[0] == tuple(CSV_COLUMNS)
    assert len(rows) == 1 + len(ROWS)


async def test_export_is_a_snapshot_without_its_own_event(api: Api) -> None:
    response = await api.get("/api/audit-trail/export", {"format": "jsonl",
                                                          "event": "exportAuditTrail"})
    assert response.text == ""  # its own granted event is newer than the snapshot


@pytest.mark.parametrize(("params", "message"), [
    pytest.param({"format": "pdf"}, "format: must be one of csv, json, jsonl, xlsx", id="format"),
    pytest.param({"limit": "5"}, "unknown parameter 'limit'", id="no-paging"),
])
async def test_export_bad_parameters(api: Api, params: dict[str, str], message: str) -> None:
    response = await api.get("/api/audit-trail/export", params)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


# --- GraphQL ------------------------------------------------------------------------------

QUERY = """query Trail($page: Page, $cursor: String, $event: [String!], $to: String) {
  auditTrail(limit: 3, page: $page, cursor: $cursor, event: $event, to: $to) {
    total limit next prev
    items { id event outcome actor { id name type } client { ip } target { id name }
            details durationMs }
  }
}"""


async def _gql_page(api: Api, **variables: Any) -> dict[str, Any]:
    response = await api.gql(QUERY, {"to": UNTIL["to"], **variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    page: dict[str, Any] = body["data"]["auditTrail"]
    return page


def _rows(page: dict[str, Any]) -> str:
    return "".join(item["details"]["row"] for item in page["items"])


async def test_graphql_pages_first_next_prev_last(api: Api) -> None:
    first = await _gql_page(api)
    assert (_rows(first), first["total"], first["prev"]) == ("gfe", 7, None)
    second = await _gql_page(api, page="NEXT", cursor=first["next"])
    assert _rows(second) == "dcb"
    third = await _gql_page(api, page="NEXT", cursor=second["next"])
    assert (_rows(third), third["next"]) == ("a", None)
    back = await _gql_page(api, page="PREV", cursor=third["prev"])
    assert _rows(back) == "dcb"
    last = await _gql_page(api, page="LAST")
    assert (_rows(last), last["next"]) == ("cba", None)
    before_last = await _gql_page(api, page="PREV", cursor=last["prev"])
    assert _rows(before_last) == "fed"


async def test_graphql_filters_and_fields(api: Api) -> None:
    page = await _gql_page(api, event=["deleteScope"])
    assert page["total"] == 1
    item = page["items"][0]
    assert item["actor"] == {"id": "u1", "name": "Ann", "type": "user"}
    assert item["client"] == {"ip": "10.0.0.1"}
    assert item["target"] == {"id": "s9", "name": "s9-name"}
    assert item["durationMs"] == 0.0


@pytest.mark.parametrize(("variables", "message"), [
    pytest.param({"page": "NEXT"}, "page: NEXT needs the cursor of the page before",
                 id="next-without-cursor"),
    pytest.param({"page": "PREV", "cursor": "nonsense"}, "cursor: invalid cursor",
                 id="bad-cursor"),
    pytest.param({"event": [""], "to": "yesterday"}, "to: must be an RFC 3339",
                 id="bad-date"),
])
async def test_graphql_argument_errors(api: Api, variables: dict[str, Any], message: str
                                       ) -> None:
    response = await api.gql(QUERY, variables)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith(message)


def _edited(cursor: str) -> str:
    """A genuine cursor with its position moved and its signature kept."""
    import base64

    body, _, mac = cursor.partition(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
    moved = payload.replace("|n", "|p", 1)
    return base64.urlsafe_b64encode(moved.encode()).decode().rstrip("=") + "." + mac


async def _foreign_cursor(tmp_path: Path) -> str:
    from auditmw.store import Query, open_store

    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        other.write(_events())
        cursor = other.query(Query(), limit=2).next
    finally:
        other.close()
    assert cursor is not None
    return cursor


@pytest.mark.parametrize("kind", ["edited", "foreign"])
async def test_a_forged_or_foreign_cursor_is_a_400_on_the_data_api_and_graphql(
        api: Api, tmp_path: Path, kind: str) -> None:
    first = (await api.get("/api/audit-trail", {**UNTIL, "limit": 2})).json()
    genuine = first["pagination"]["next"]
    assert (await api.get("/api/audit-trail", {**UNTIL, "limit": 2, "cursor": genuine})
            ).status_code == 200
    cursor = _edited(genuine) if kind == "edited" else await _foreign_cursor(tmp_path)
    response = await api.get("/api/audit-trail", {**UNTIL, "limit": 2, "cursor": cursor})
    assert response.status_code == 400
    assert response.json()["message"] == ("cursor: invalid cursor: use a next/prev value "
                                          "from an earlier page")
    gql = await api.gql(QUERY, {"to": UNTIL["to"], "page": "NEXT", "cursor": cursor})
    assert gql.status_code == 400
    assert gql.json()["errors"][0]["message"].startswith("cursor: invalid cursor")
    ok = await api.gql(QUERY, {"to": UNTIL["to"], "page": "NEXT", "cursor": genuine})
    assert ok.status_code == 200


async def test_graphql_next_with_a_prev_cursor_is_refused(api: Api) -> None:
    third = await _gql_page(api, page="LAST")
    response = await api.gql(QUERY, {"page": "NEXT", "cursor": third["prev"]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "cursor: page NEXT needs a next cursor"


@pytest.mark.parametrize(("key", "status", "code"), [
    pytest.param(None, 401, "UNAUTHENTICATED", id="missing"),
    pytest.param("noscope", 403, "FORBIDDEN", id="no-scope"),
])
async def test_graphql_401_403(api: Api, key: str | None, status: int, code: str) -> None:
    with capture_audit_events(api.trail) as audit:
        response = await api.gql("{ auditTrail { total } }", key=key)
    assert response.status_code == status
    body = response.json()
    assert body["message"] in ("Incorrect Accesskey",
                               "AccessKey does not have the relevant scope permission")
    assert body["errors"][0]["extensions"]["code"] == code
    assert [(e["outcome"], e["source"]) for e in audit] == [("denied", "graphql")]


async def test_graphql_bad_documents(api: Api) -> None:
    syntax = await api.gql("{ auditTrail { ")
    assert syntax.status_code == 400
    assert syntax.json()["errors"]
    unknown = await api.gql("{ auditTrail { nope } }")
    assert unknown.status_code == 400
    empty = await api.client.post("/graphql", headers={"accessKey": api.keys["good"]},
                                  content=b"[1, 2]")
    assert empty.status_code == 400
    assert empty.json()["message"] == "the body must be a JSON object with a query"


async def test_graphql_get_and_introspection_and_audit(api: Api) -> None:
    with capture_audit_events(api.trail) as audit:
        response = await api.client.get(
            "/graphql", params={"query": "{ __type(name: \"AuditTrail\") { name } "
                                         "auditTrail(event: [\"exportView\"]) { total } }"},
            headers={"accessKey": api.keys["good"]})
    assert response.json()["data"]["__type"] == {"name": "AuditTrail"}
    assert len(audit) == 1
    event = audit[0]
    assert (event["outcome"], event["source"], event["actor"]["name"]) == (
        "success", "graphql", "reader")
    assert event["details"]["queries"][0]["event"] == ["exportView"]


async def test_root_is_the_page_module_if_installed_and_openapi_is_served(api: Api) -> None:
    import importlib.util

    root = await api.client.get("/")
    if importlib.util.find_spec("auditmw.server.page") is None:
        assert root.status_code == 404
        assert root.json() == {"message": "Not Found"}
    else:
        assert root.status_code == 200
    missing = await api.client.get("/no/such/path")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Not Found"}
    spec = (await api.client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {"/api/v4/auditlogs/export", "/api/audit-trail",
                                  "/api/audit-trail/export", "/graphql"}


@pytest.mark.parametrize(("trusted", "expected"), [
    pytest.param(["127.0.0.0/8"], "203.0.113.7", id="behind-a-trusted-proxy"),
    pytest.param([], "127.0.0.1", id="untrusted-header-ignored"),
])
async def test_self_audit_client_ip_honours_trusted_proxies(
        tmp_path: Path, trusted: list[str], expected: str) -> None:
    trail = AuditTrail(store=f"sqlite:///{tmp_path / 'audit.db'}", sinks=[],
                       capture={"trusted_proxies": trusted})
    app = create_app(trail)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://a.test") as client:
            with capture_audit_events(trail) as audit:
                await client.get("/api/audit-trail",
                                 headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        trail.close()
        app.state.audit.close()
    assert audit[0]["client"]["ip"] == expected


# Routes anyone may fetch: the page shell, its files and the API description read no event.
PUBLIC_ROUTES = {"/", "/static/{name}", "/openapi.json"}


async def test_every_reading_route_identifies_scopes_and_records_the_call(api: Api) -> None:
    """Every other route of the app refuses a missing key (401) and a key without the
    scope (403), and each refusal is one exportAuditTrail event naming the route: a new
    route that skipped ``audited_endpoint`` would fail here."""
    app = api.client._transport.app  # type: ignore[attr-defined]
    paths = sorted({route.path for route in app.routes} - PUBLIC_ROUTES)
    assert {"/api/audit-trail", "/api/audit-trail/export", "/api/v4/auditlogs/export",
            "/graphql", "/api/catalog"} <= set(paths)
    for path in paths:
        for key, status in ((None, 401), ("noscope", 403)):
            with capture_audit_events(api.trail) as audit:
                answer = await api.get(path, key=key)
            assert answer.status_code == status, (path, key)
            assert [(e["event"], e["outcome"], e["request"]["status"]) for e in audit] == [
                ("exportAuditTrail", "denied", status)], path
            endpoint = audit[0]["details"]["endpoint"]
            assert path.endswith("/" + endpoint) or path == f"/{endpoint}", (path, endpoint)


async def test_a_failing_read_is_answered_500_and_recorded(api: Api) -> None:
    """What breaks inside a handler is the caller's 500 and a failure event, never a
    silent or unrecorded read."""
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    ctx = api.client._transport.app.state.audit  # type: ignore[attr-defined]
    ctx.store.query = broken
    with capture_audit_events(api.trail) as audit:
        answer = await api.get("/api/audit-trail")
    assert answer.status_code == 500
    assert answer.json() == {"message": "Internal Server Error"}
    assert [(e["outcome"], e["error"]["message"]) for e in audit] == [
        ("failure", "RuntimeError")]
