"""No bypass: the same catalogued mutation, however it is dressed, is recorded once.

Driven against a deliberately lenient real endpoint (it accepts every encoding some
server accepts), so each variant truly executes; plus the real Strawberry app for the
variants it accepts itself.
"""

from __future__ import annotations

import gzip
import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from auditmw.asgi import AuditMiddleware
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.capture_apps import lenient_app, starlette_app

MUTATION = 'mutation Make { createAssetGroup(name: "bypass") { id } }'
JSON = {"content-type": "application/json"}


def body(query: str = MUTATION, **extra: Any) -> bytes:
    return json.dumps({"query": query, **extra}).encode()


VARIANTS = [
    pytest.param("POST", "/graphql", body(), JSON, 1, id="plain-json"),
    pytest.param("POST", "/graphql",
                 body().replace(b"createAssetGroup", b"\\u0063reate\\u0041ssetGroup"),
                 JSON, 1, id="json-unicode-escapes"),
    pytest.param("POST", "/graphql",
                 body().replace(b"mutation", b"\\u006dutation"), JSON, 1,
                 id="escaped-operation-keyword"),
    pytest.param("POST", "/graphql",
                 body('mutation#note\n,,Make\t{\r\n  # a comment { createAssetGroup }\n'
                      '\ufeffcreateAssetGroup  ,\n( name :\t"bypass" ) { id } }'),
                 JSON, 1, id="comments-and-odd-whitespace"),
    pytest.param("POST", "/graphql", body(), {"content-type": "text/plain"}, 1,
                 id="text-plain"),
    pytest.param("POST", "/graphql", body(), {}, 1, id="no-content-type"),
    pytest.param("POST", "/graphql", MUTATION.encode(),
                 {"content-type": "application/graphql"}, 1, id="application-graphql"),
    pytest.param("GET", "/graphql?query=" + quote(MUTATION), b"", {}, 1, id="get"),
    pytest.param("POST", "/graphql/", body(), JSON, 1, id="trailing-slash"),
    pytest.param("POST", "/graphql",
                 json.dumps([{"query": "{ hello }"}, {"query": MUTATION}]).encode(), JSON, 1,
                 id="inside-a-batch"),
    pytest.param("POST", "/graphql", gzip.compress(body()),
                 {**JSON, "content-encoding": "gzip"}, 1, id="gzip"),
    pytest.param("POST", "/graphql", body().decode().encode("utf-16"), JSON, 1,
                 id="utf-16-json"),
    pytest.param("POST", "/graphql",
                 body('mutation A { x: createAssetGroup(name: "1") { id } } '
                      'mutation Make { createAssetGroup(name: "bypass") { id } }',
                      operationName="Make"), JSON, 1, id="decoy-operation"),
]


@pytest.mark.parametrize(("method", "url", "content", "headers", "count"), VARIANTS)
async def test_each_variant_is_recorded(method: str, url: str, content: bytes,
                                        headers: dict[str, str], count: int) -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()])
    app = AuditMiddleware(lenient_app(), trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            response = await client.request(method, url, content=content, headers=headers)
    assert response.status_code == 200, response.text
    results = response.json() if isinstance(response.json(), list) else [response.json()]
    assert any((r.get("data") or {}).get("createAssetGroup") for r in results)
    assert [e["event"] for e in events] == ["createAssetGroup"] * count
    assert events[0]["details"] == {"name": "bypass"}
    assert events[0]["outcome"] == "success"


@pytest.mark.parametrize(("headers", "content"), [
    pytest.param(JSON, body(), id="json"),
    pytest.param(JSON, body().replace(b"createAssetGroup", b"\\u0063reateAssetGroup"),
                 id="unicode-escapes"),
    pytest.param({"content-type": "application/graphql"}, MUTATION.encode(),
                 id="application-graphql"),
])
async def test_real_strawberry_variants(headers: dict[str, str], content: bytes) -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()])
    app = AuditMiddleware(starlette_app(), trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            response = await client.post("/graphql", content=content, headers=headers)
    executed = response.status_code == 200 and "createAssetGroup" in response.text
    # Whatever Strawberry accepts is recorded; what it refuses is recorded as a failure.
    assert [e["event"] for e in events] == ["createAssetGroup"]
    assert events[0]["outcome"] == ("success" if executed else "failure")


async def test_a_mutation_over_get_refused_by_the_app_is_a_failed_attempt() -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()])
    app = AuditMiddleware(starlette_app(), trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            response = await client.get("/graphql", params={"query": MUTATION})
    assert response.status_code >= 400
    (event,) = events
    assert event["outcome"] == "failure"
    assert event["request"]["method"] == "GET"
