"""Transparency: through the middleware the app receives the very same messages and the
client the very same response messages as without it (hypothesis), and fuzzed bodies
never raise from auditmw nor change the app's answer."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw.asgi import AuditMiddleware
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.capture_apps import starlette_app

TRAIL = AuditTrail(store=False, sinks=[MemorySink()], capture={"max_body_bytes": 4096})

NAMES = ["createAssetGroup", "deleteScope", "exportView", "hello", "mutation", "query",
         "{", "}", "(", ")", ":", '"', "\\u0063", "[", "]", ",", " ", "\n", "id"]
fragments = st.lists(st.sampled_from(NAMES), max_size=30).map("".join)
json_bodies = st.builds(lambda q, op: json.dumps({"query": q, "operationName": op}).encode(),
                        fragments, st.none() | st.sampled_from(["A", "Make"]))
bodies = st.one_of(st.binary(max_size=600), json_bodies, fragments.map(str.encode),
                   st.builds(lambda b: b * 900, json_bodies))  # some above the body limit
header_values = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)
request_headers = st.lists(st.tuples(
    st.sampled_from(["content-type", "x-forwarded-for", "authorization", "x-other",
                     "content-encoding", "user-agent"]), header_values), max_size=5)
response_chunks = st.lists(st.binary(max_size=200), max_size=6)


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    parts, last = [], 0
    for point in points:
        parts.append(data[last:point])
        last = point
    parts.append(data[last:])
    return parts


def echo_app(status: int, chunks: list[bytes], seen: list[Any]) -> Any:
    """Reads the whole body, then streams ``chunks`` (and the body's length)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            seen.append(message)
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"x-seen", str(len(seen)).encode())]})
        for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


async def drive(app: Any, path: str, parts: list[bytes],
                headers: list[tuple[str, str]]) -> list[Any]:
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1}
                for i, p in enumerate(parts)]
    inbox = list(reversed(messages))
    sent: list[Any] = []

    async def receive() -> Any:
        return inbox.pop() if inbox else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "client": ("192.0.2.1", 5),
             "server": ("testserver", 80),
             "headers": [(k.encode(), v.encode()) for k, v in headers]}
    await app(scope, receive, send)
    return sent


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, cuts=st.lists(st.integers(0, 10_000), max_size=4),
       headers=request_headers, status=st.sampled_from([200, 201, 400, 401, 403, 500]),
       chunks=response_chunks, path=st.sampled_from(["/graphql", "/graphql/", "/other"]))
def test_the_middleware_changes_no_byte(body: bytes, cuts: list[int],
                                        headers: list[tuple[str, str]], status: int,
                                        chunks: list[bytes], path: str) -> None:
    parts = split(body, cuts)
    bare_seen: list[Any] = []
    wrapped_seen: list[Any] = []
    bare = asyncio.run(drive(echo_app(status, chunks, bare_seen), path, parts, headers))
    wrapped = asyncio.run(drive(AuditMiddleware(echo_app(status, chunks, wrapped_seen),
                                                trail=TRAIL), path, parts, headers))
    assert wrapped_seen == bare_seen
    assert wrapped == bare


# --- fuzzed bodies against the real Strawberry app -----------------------------------

def deep(levels: int) -> str:
    return "mutation { createAssetGroup(name: \"d\") " + "{ id " * levels + "}" * levels + " }"


FUZZ = [
    pytest.param(b"\xff\xfe\xfd{\"query\": \"mutation {\xc3\x28 createAssetGroup}\"}",
                 id="invalid-utf8"),
    pytest.param(b'{"query": "mutation { createAssetGroup(name: \\"x\\") { id } }"',
                 id="broken-json"),
    pytest.param(b'{"query": 12, "variables": [1, 2]}', id="wrong-types"),
    pytest.param(json.dumps({"query": "{ " + " ".join(f"a{i}: hello" for i in range(10_000))
                             + " }"}).encode(), id="10k-aliases"),
    pytest.param(json.dumps({"query": deep(1000)}).encode(), id="1000-deep-nesting"),
    pytest.param(b"[" * 1000 + b"]" * 1000, id="1000-deep-json"),
    pytest.param(gzip.compress(b"{" * 100_000), id="gzip-garbage"),
]


@pytest.mark.parametrize("content", FUZZ)
async def test_fuzzed_bodies_never_raise_nor_change_the_answer(content: bytes) -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()])
    answers = []
    for app in (starlette_app(), AuditMiddleware(starlette_app(), trail=trail)):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.post("/graphql", content=content,
                                         headers={"content-type": "application/json"})
        answers.append((response.status_code, response.content))
    assert answers[0] == answers[1]
    assert trail.stats()["emit_errors"] == 0


async def test_many_aliases_of_a_catalogued_field_are_each_recorded() -> None:
    trail = AuditTrail(store=False, sinks=[MemorySink()])
    query = "mutation { " + " ".join(f'a{i}: deleteAssetGroup(id: "{i}")'
                                     for i in range(1000)) + " }"
    app = AuditMiddleware(starlette_app(), trail=trail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        with capture_audit_events(trail) as events:
            response = await client.post("/graphql", json={"query": query})
    assert len(response.json()["data"]) == 1000
    assert len(events) == 1000
    assert {e["target"]["id"] for e in events} == {str(i) for i in range(1000)}


async def test_a_50_mb_body_passes_through_untouched() -> None:
    """Above ``max_body_bytes`` the body is replayed as far as read, then handed over."""
    import hashlib

    content = json.dumps({"query": 'mutation { deleteAssetGroup(id: "' + "x" * 50_000_000
                          + '") }'}).encode()

    async def digest(scope: Any, receive: Any, send: Any) -> None:
        hasher, count = hashlib.sha256(), 0
        while True:
            message = await receive()
            hasher.update(message.get("body", b""))
            count += 1
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": hasher.hexdigest().encode()})

    trail = AuditTrail(store=False, sinks=[MemorySink()])
    parts = [content[i:i + 65536] for i in range(0, len(content), 65536)]
    bare = await drive(digest, "/graphql", parts, [("content-type", "application/json")])
    wrapped = await drive(AuditMiddleware(digest, trail=trail), "/graphql", parts,
                          [("content-type", "application/json")])
    assert wrapped == bare
    assert bare[1]["body"] == hashlib.sha256(content).hexdigest().encode()
    assert trail.stats()["emit_errors"] == 0
