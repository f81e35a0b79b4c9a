"""Tenants (SPEC §15): events carry their tenant, and a tenant-scoped access key reads
that tenant's events alone on every read path — Data API, its exports, GraphQL
``AuditTrail`` and the Leapwork export — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw.cli import main
from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.ids import format_time, uuid7
from auditmw.server import create_app
from auditmw.store import Query, open_store
from auditmw.store.keys import KeyStore
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
TENANTS = ("acme", "globex", None)  # None: an event of no tenant (operator-level)
EVENTS = ("createAssetGroup", "deleteScope", "exportView")
N = 60


def _events() -> list[dict[str, Any]]:
    """Three tenants interleaved minute by minute, with varied events and actors."""
    out = []
    for i in range(N):
        tenant = TENANTS[i % 3]
        built = AuditEvent.create(
            EVENTS[i % len(EVENTS)], "inventory_configuration", "other",
            outcome="success" if i % 4 else "failure",
            actor=Actor(id=f"u{i % 5}", name=f"User {i % 5}"), client=Client(ip="10.0.0.1"),
            target=Target(id=f"t{i}"), details={"i": i}, channel="ui", source="graphql",
            tenant=tenant)
        moment = BASE + timedelta(minutes=i)
        ns = int(moment.timestamp()) * 1_000_000_000
        out.append(built.with_(id=uuid7(ns), time=format_time(moment)).to_dict())
    return out


EVENT_DICTS = _events()
UNTIL = format_time(BASE + timedelta(minutes=N))


def _tenant_of(index: int) -> str | None:
    return TENANTS[index % 3]


class Reader:
    def __init__(self, client: httpx.AsyncClient, trail: AuditTrail, keys: dict[str, str]):
        self.client, self.trail, self.keys = client, trail, keys

    async def get(self, path: str, key: str, params: Any = None) -> httpx.Response:
        return await self.client.get(path, params=params, headers={"accessKey": self.keys[key]})

    async def gql(self, key: str, args: str) -> httpx.Response:
        query = "{ auditTrail(" + args + ") { total next prev items { id tenant details } } }"
        return await self.client.post("/graphql", headers={"accessKey": self.keys[key]},
                                      json={"query": query})


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def reader(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Reader]:
    url = (f"sqlite:///{tmp_path / 'audit.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    # The Leapwork dates below are written in UTC: say so, rather than lean on the
    # machine's zone (a Django test earlier in the process sets $TZ).
    trail = AuditTrail(store=url, sinks=[], delivery={"mode": "sync"}, timezone="UTC")
    app = create_app(trail)
    ctx = app.state.audit
    ctx.store.write(EVENT_DICTS)
    keys = {"acme": ctx.keys.create("acme-reader", ["audit_logs"], tenant="acme")[1],
            "globex": ctx.keys.create("globex-reader", ["audit_logs"], tenant="globex")[1],
            "operator": ctx.keys.create("operator", ["audit_logs"])[1]}
    transport = httpx.ASGITransport(app=app, client=("192.0.2.9", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as client:
        yield Reader(client, trail, keys)
    for owned in ctx.owned:
        owned.close()
    trail.close()


def _expected(tenant: str | None, **match: Any) -> list[int]:
    """Row numbers (details.i) the operator or a tenant key should see, oldest first."""
    rows = []
    for i, event in enumerate(EVENT_DICTS):
        if tenant is not None and event.get("tenant") != tenant:
            continue
        if any(event[k] not in v for k, v in match.items()):
            continue
        rows.append(i)
    return rows


async def test_each_read_path_gives_a_tenant_key_its_own_events_only(reader: Reader) -> None:
    for key in ("acme", "globex"):
        want = _expected(key)
        page = await reader.get("/api/audit-trail", key,
                                {"to": UNTIL, "order": "asc", "limit": 1000})
        assert page.status_code == 200, page.text
        body = page.json()
        assert [e["details"]["i"] for e in body["items"]] == want
        assert body["total"] == len(want)  # the count too: nothing of the others leaks
        assert {e["tenant"] for e in body["items"]} == {key}

        for fmt in ("csv", "json", "jsonl"):
            export = await reader.get("/api/audit-trail/export", key,
                                      {"to": UNTIL, "order": "asc", "format": fmt})
            assert export.status_code == 200, export.text
            if fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(export.text)))
                got = [json.loads(r["details"])["i"] for r in rows]
            elif fmt == "json":
                got = [e["details"]["i"] for e in export.json()]
            else:
                got = [json.loads(line)["details"]["i"] for line in export.text.splitlines()]
            assert got == want, fmt

        gql = await reader.gql(key, f'to: "{UNTIL}", order: ASC, limit: 1000')
        assert gql.status_code == 200, gql.text
        trail = gql.json()["data"]["auditTrail"]
        assert [e["details"]["i"] for e in trail["items"]] == want
        assert trail["total"] == len(want)

        start = BASE.strftime("%Y-%m-%d %H:%M")
        leap = await reader.get("/api/v4/auditlogs/export", key, {"fromDate": start})
        assert leap.status_code == 200, leap.text
        assert len([r for r in leap.json() if r["Event"] in EVENTS]) == len(want)


async def test_the_operator_key_reads_every_tenant_and_can_filter(reader: Reader) -> None:
    page = await reader.get("/api/audit-trail", "operator",
                            {"to": UNTIL, "order": "asc", "limit": 1000})
    assert [e["details"]["i"] for e in page.json()["items"]] == _expected(None)
    both = await reader.get("/api/audit-trail", "operator",
                            {"to": UNTIL, "tenant": ["acme", "globex"], "limit": 1000})
    assert sorted(e["details"]["i"] for e in both.json()["items"]) == sorted(
        _expected("acme") + _expected("globex"))
    gql = await reader.gql("operator", f'to: "{UNTIL}", tenant: ["globex"], limit: 1000')
    assert gql.json()["data"]["auditTrail"]["total"] == len(_expected("globex"))


@pytest.mark.parametrize("ask", [["globex"], ["acme", "globex"], ["nobody"]])
async def test_asking_a_tenant_key_for_another_tenant_is_refused(reader: Reader,
                                                                 ask: list[str]) -> None:
    for path, params in (("/api/audit-trail", {"tenant": ask}),
                         ("/api/audit-trail/export", {"tenant": ask, "format": "json"})):
        answer = await reader.get(path, "acme", params)
        assert answer.status_code == 403, answer.text
        assert answer.json() == {"message": "AccessKey does not have the relevant scope "
                                            "permission"}
    gql = await reader.gql("acme", f"tenant: {json.dumps(ask)}")
    assert gql.status_code == 403
    # Its own tenant, named explicitly, is fine.
    own = await reader.get("/api/audit-trail", "acme", {"tenant": "acme", "to": UNTIL})
    assert own.status_code == 200
    assert own.json()["total"] == len(_expected("acme"))


async def test_a_read_names_the_tenant_it_covered_in_its_own_event(reader: Reader) -> None:
    with capture_audit_events(reader.trail) as events:
        await reader.get("/api/audit-trail", "acme", {"event": "deleteScope"})
        await reader.get("/api/audit-trail", "operator", {"tenant": "globex"})
    mine, operator = [e for e in events if e["event"] == "exportAuditTrail"]
    assert mine["tenant"] == "acme"
    assert mine["details"]["tenant"] == ["acme"]
    assert mine["actor"]["name"] == "acme-reader"
    assert "tenant" not in operator  # an operator's read is no tenant's event
    assert operator["details"]["tenant"] == ["globex"]


FILTER_VALUES = {
    "event": st.lists(st.sampled_from(EVENTS), max_size=2),
    "actor": st.lists(st.sampled_from([f"u{i}" for i in range(5)]), max_size=2),
    "outcome": st.lists(st.sampled_from(["success", "failure"]), max_size=1),
}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=st.fixed_dictionaries({}, optional=FILTER_VALUES),
       limit=st.integers(1, 7), order=st.sampled_from(["asc", "desc"]),
       hops=st.integers(0, 4))
async def test_no_filter_or_cursor_reaches_another_tenant(
        reader: Reader, filters: dict[str, list[str]], limit: int, order: str,
        hops: int) -> None:
    """Pages walked with the operator key hand out cursors; each of them, replayed by
    the acme key, still yields acme's events only, and walking acme's own pages with
    any filter gives exactly acme's matching events."""
    params: dict[str, Any] = {k: v for k, v in filters.items() if v}
    params |= {"to": UNTIL, "order": order, "limit": limit}
    cursor = None
    for _ in range(hops + 1):
        op = await reader.get("/api/audit-trail", "operator",
                              {**params, **({"cursor": cursor} if cursor else {})})
        assert op.status_code == 200
        cursor = op.json()["pagination"]["next"]
        if cursor is None:
            break
        foreign = await reader.get("/api/audit-trail", "acme", {**params, "cursor": cursor})
        assert foreign.status_code in (200, 400), foreign.text
        if foreign.status_code == 200:
            assert {e.get("tenant") for e in foreign.json()["items"]} <= {"acme"}
    seen: list[int] = []
    cursor = None
    for _ in range(N):
        page = await reader.get("/api/audit-trail", "acme",
                                {**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        body = page.json()
        assert {e["tenant"] for e in body["items"]} <= {"acme"}
        seen += [e["details"]["i"] for e in body["items"]]
        cursor = body["pagination"]["next"]
        if cursor is None:
            break
    match = {k: v for k, v in filters.items() if v}
    expected = _expected("acme", **{("actor" if k == "actor" else k): v
                                    for k, v in match.items() if k != "actor"})
    if "actor" in match:
        expected = [i for i in expected if EVENT_DICTS[i]["actor"]["id"] in match["actor"]]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen))


# --- recording and keys -----------------------------------------------------------------


def test_record_and_acting_as_name_the_tenant(tmp_path: Path) -> None:
    trail = AuditTrail(store=f"sqlite:///{tmp_path / 'a.db'}", sinks=[],
                       delivery={"mode": "sync"})
    try:
        trail.record("siteAccess", tenant="acme")
        with trail.acting_as(Actor(id="cron", type="scheduler"), tenant="globex"):
            trail.record("deleteScope")
            trail.record("deleteScope", tenant="initech")  # the call's own tenant wins
        trail.record("siteAccess")
    finally:
        trail.close()
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        got = [e.get("tenant") for e in store.iter_events(Query())]
        assert got == ["acme", "globex", "initech", None]
        assert store.count(Query(tenant=("globex",))) == 1
    finally:
        store.close()


def test_async_delivery_keeps_the_tenant_of_the_recording_context(tmp_path: Path) -> None:
    trail = AuditTrail(store=f"sqlite:///{tmp_path / 'a.db'}", sinks=[])
    try:
        with trail.acting_as(Actor(id="job"), tenant="acme"):
            trail.emit_later(lambda: [AuditEvent.create("deleteScope", "x", "delete")])
    finally:
        trail.close()
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        (event,) = store.iter_events(Query())
        assert event["tenant"] == "acme"
    finally:
        store.close()


def test_keys_cli_creates_and_lists_tenant_keys(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    assert main(["keys", "create", "--store", url, "--name", "acme", "--scope",
                 "audit_logs", "--tenant", "acme", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["tenant"] == "acme"
    assert main(["keys", "list", "--store", url, "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["tenant"] == "acme"
    assert "key" not in listed
    assert main(["keys", "create", "--store", url, "--name", "x", "--scope", "audit_logs",
                 "--tenant", "  "]) == 1
    assert "--tenant" in capsys.readouterr().err


def test_a_key_table_from_before_tenants_upgrades_and_keeps_operator_keys(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE auditmw_access_keys (id TEXT PRIMARY KEY, name TEXT NOT "
                     "NULL, scopes TEXT NOT NULL, secret_hash TEXT NOT NULL, pepper_id TEXT "
                     "NOT NULL DEFAULT '', created TEXT NOT NULL, expires TEXT, revoked TEXT)")
    keys = KeyStore(f"sqlite:///{path}")
    try:
        old = keys.list_keys()
        assert old == []
        _, text = keys.create("new", ["audit_logs"], tenant="acme")
        verified = keys.verify(text)
        assert verified is not None
        assert verified.tenant == "acme"
    finally:
        keys.close()


def test_store_filters_by_tenant_on_both_backends(tmp_path: Path,
                                                  postgres_url: str) -> None:
    for url in (f"sqlite:///{tmp_path / 'audit.db'}", postgres_url):
        store = open_store(url)
        try:
            store.write(EVENT_DICTS)
            for tenant in ("acme", "globex"):
                got = [e["details"]["i"] for e in store.iter_events(Query(tenant=(tenant,)))]
                assert got == _expected(tenant)
                assert store.count(Query(tenant=(tenant,))) == len(got)
        finally:
            store.close()


# --- capture.tenant: the request's tenant, on real apps through both doors -------------

SITE_ROUTES = [{"method": "POST", "path": "/sites/{site}/assets/{id}/resync",
                "event": "assetsResync", "target": "id"}]


def _starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def resync(request: Any) -> Any:
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/sites/{site}/assets/{id}/resync", resync,
                                   methods=["POST"])])


def _flask_app() -> Any:
    import flask

    app = flask.Flask("tenants")

    @app.post("/sites/<site>/assets/<id>/resync")
    def resync(site: str, id: str) -> Any:
        return {"ok": True}

    return app


def _tenant_trail(rule: str, **capture: Any) -> AuditTrail:
    from auditmw.testing import MemorySink

    return AuditTrail(store=False, sinks=[MemorySink()],
                      capture={"routes": SITE_ROUTES, "tenant": rule, **capture})


CASES = [
    # rule, peer, headers, host, expected tenant
    pytest.param("path:/sites/{tenant}/...", "203.0.113.9", {}, "app.test", "acme",
                 id="path"),
    pytest.param("host:{tenant}.example.com", "203.0.113.9", {}, "globex.example.com",
                 "globex", id="host"),
    pytest.param("host:{tenant}.example.com", "203.0.113.9", {}, "evil.test", None,
                 id="host-other-domain"),
    pytest.param("header:X-Site-Id", "10.0.0.5", {"X-Site-Id": "initech"}, "app.test",
                 "initech", id="header-from-trusted-proxy"),
    pytest.param("header:X-Site-Id", "203.0.113.9", {"X-Site-Id": "initech"}, "app.test",
                 None, id="header-from-client-not-believed"),
    pytest.param("header:X-Site-Id", "10.0.0.5", {"X-Site-Id": "a b <script>"},
                 "app.test", None, id="header-garbage"),
    pytest.param("call:test_tenants:tenant_from_header", "203.0.113.9",
                 {"X-Org": "umbrella"}, "app.test", "umbrella", id="call"),
]


def tenant_from_header(request: Any) -> str | None:
    """A ``call:`` tenant function of the app's own (this test module)."""
    return request.header("X-Org")


@pytest.mark.parametrize(("rule", "peer", "headers", "host", "tenant"), CASES)
async def test_capture_tenant_asgi(rule: str, peer: str, headers: dict[str, str], host: str,
                                   tenant: str | None) -> None:
    from auditmw.asgi import AuditMiddleware

    trail = _tenant_trail(rule, trusted_proxies=["10.0.0.0/8"])
    app = AuditMiddleware(_starlette_app(), trail=trail)
    transport = httpx.ASGITransport(app=app, client=(peer, 4711))
    with capture_audit_events(trail) as events:
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as c:
            answer = await c.post("/sites/acme/assets/a1/resync", headers=headers)
            assert answer.status_code == 200
    (event,) = events
    assert event["event"] == "assetsResync"
    assert event.get("tenant") == tenant
    trail.close()


@pytest.mark.parametrize(("rule", "peer", "headers", "host", "tenant"), CASES)
def test_capture_tenant_wsgi(rule: str, peer: str, headers: dict[str, str], host: str,
                             tenant: str | None) -> None:
    from auditmw.wsgi import AuditMiddleware

    trail = _tenant_trail(rule, trusted_proxies=["10.0.0.0/8"])
    flask_app = _flask_app()
    flask_app.wsgi_app = AuditMiddleware(flask_app.wsgi_app, trail=trail)  # type: ignore[method-assign]
    with capture_audit_events(trail) as events:
        answer = flask_app.test_client().post(
            "/sites/acme/assets/a1/resync", headers={**headers, "Host": host},
            environ_base={"REMOTE_ADDR": peer})
        answer.get_data()  # the events are recorded once the body has been sent
        assert answer.status_code == 200
    (event,) = events
    assert event.get("tenant") == tenant
    trail.close()


@pytest.mark.parametrize("bad", ["site", "header:", "host:example.com", "path:/sites/",
                                 "call:nomodule", "path:/{tenant}/{tenant}"])
def test_a_bad_capture_tenant_fails_at_start_naming_the_key(bad: str) -> None:
    from auditmw.errors import ConfigError

    with pytest.raises(ConfigError, match=r"capture\.tenant"):
        AuditTrail(store=False, sinks=[], capture={"tenant": bad})


# --- capture.tenant = "graphql_context:...": the tenant only the GraphQL context knows ---

GQL_SCHEMA = "type Query { a: Int } type Mutation { createAssetGroup(name: String): Int }"


def _graphql_trail() -> AuditTrail:
    from auditmw.testing import MemorySink

    return AuditTrail(store=False, sinks=[MemorySink()],
                      capture={"tenant": "graphql_context:site.slug"})


class _Site:
    def __init__(self, slug: Any) -> None:
        self.slug = slug


@pytest.mark.parametrize(("slug", "tenant"), [("acme", "acme"), (42, "42"),
                                              ("a b <x>", None), (None, None)])
async def test_capture_tenant_from_the_graphql_context_through_the_asgi_door(
        slug: Any, tenant: str | None) -> None:
    """A Starlette app running graphql-core with the auditing middleware, behind the
    ASGI door: the field's event takes the tenant the operation's context names."""
    import graphql
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from auditmw.asgi import AuditMiddleware
    from auditmw.graphql import AuditResolverMiddleware

    trail = _graphql_trail()
    schema = graphql.build_schema(GQL_SCHEMA)

    async def endpoint(request: Any) -> Any:
        body = await request.json()
        result = graphql.graphql_sync(
            schema, body["query"], root_value={"createAssetGroup": lambda info, **_: 1},
            context_value={"request": request, "site": _Site(slug)},
            middleware=[AuditResolverMiddleware(trail)])
        return JSONResponse({"data": result.data})

    app = AuditMiddleware(Starlette(routes=[Route("/graphql", endpoint, methods=["POST"])]),
                          trail=trail)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4711))
    with capture_audit_events(trail) as events:
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as c:
            answer = await c.post("/graphql", json={
                "query": 'mutation { createAssetGroup(name: "x") }'})
            assert answer.json() == {"data": {"createAssetGroup": 1}}
    (event,) = events
    assert event["event"] == "createAssetGroup"
    assert event.get("tenant") == tenant
    trail.close()


def test_capture_tenant_from_the_graphql_context_without_an_http_door() -> None:
    """No door (a job, a test client calling graphql directly): the hook records the
    field itself, with the context's tenant."""
    import graphql

    from auditmw.graphql import AuditResolverMiddleware

    trail = _graphql_trail()
    with capture_audit_events(trail) as events:
        graphql.graphql_sync(
            graphql.build_schema(GQL_SCHEMA), 'mutation { createAssetGroup(name: "y") }',
            root_value={"createAssetGroup": lambda info, **_: 1},
            context_value={"site": {"slug": "globex"}},
            middleware=[AuditResolverMiddleware(trail)])
    (event,) = events
    assert event.get("tenant") == "globex"
    trail.close()


def test_a_bad_graphql_context_tenant_fails_at_start() -> None:
    from auditmw.errors import ConfigError

    for bad in ("graphql_context:", "graphql_context:site..slug"):
        with pytest.raises(ConfigError, match=r"capture\.tenant"):
            AuditTrail(store=False, sinks=[], capture={"tenant": bad})
