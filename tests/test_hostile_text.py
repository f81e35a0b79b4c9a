"""Text a client controls cannot make its own event unrecordable (issue 21's review, the
"client trying to hide what it does" of the brief).

A JSON body may carry a lone surrogate (``"\\ud800"``: Python's ``json`` decodes it into
a ``str`` UTF-8 cannot encode) or a NUL (``"\\u0000"``: PostgreSQL's ``text`` cannot hold
it). Before, the first made every encoder raise (the event was dropped with a log line)
and the second made the PostgreSQL store refuse the whole batch, other users' events
with it. Real apps, the default pipeline (chain on), a JSON-lines file, a real store;
the ground truth is the counter inside the resolver.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auditmw import codec
from auditmw.store import Query, open_store
from auditmw.store.rows import column_text
from auditmw.trail import AuditTrail
from support import evasion_apps

LONE = "x\ud800y"
NUL = "a\x00b"
# The mutation names its target with the argument: target_name/details carry the text.
QUERY = "mutation ($n: String!) { createAssetGroup(name: $n) { id } }"


def body(name: str) -> bytes:
    # json.dumps writes a lone surrogate as the escape \ud800 (what a client sends).
    return json.dumps({"query": QUERY, "variables": {"n": name}}).encode()


@pytest.fixture(params=["ariadne-flask", "strawberry-starlette"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def audited(tmp_path: Path, store_url: str) -> Iterator[tuple[AuditTrail, Path, str]]:
    log = tmp_path / "audit.jsonl"
    trail = AuditTrail(store={"url": store_url}, sinks=[{"type": "file", "path": str(log)}],
                       delivery={"mode": "sync", "spool_dir": str(tmp_path / "spool")})
    yield trail, log, store_url
    trail.close()


async def send(stack: str, app: Any, content: bytes) -> int:
    headers = {"content-type": "application/json"}
    if stack in evasion_apps.ASGI_STACKS:
        transport: Any = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.post("/graphql", content=content, headers=headers)
                    ).status_code
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://t") as sync:
        return sync.post("/graphql", content=content, headers=headers).status_code


async def test_a_hostile_argument_is_recorded_with_its_neighbours(
        stack: str, audited: tuple[AuditTrail, Path, str]) -> None:
    trail, log, store_url = audited
    app = evasion_apps.build(stack, trail)
    evasion_apps.EXECUTIONS.clear()
    sent = ["before", LONE, NUL, "after"]
    for name in sent:
        assert await send(stack, app, body(name)) == 200
    ran = [e["args"]["name"] for e in evasion_apps.EXECUTIONS]
    assert ran == sent  # the resolver ran four times, with the text as sent
    assert trail.flush(10)

    lines = [json.loads(line) for line in log.read_text().splitlines()]
    names = [e["details"]["name"] for e in lines]
    # The file holds four events; a lone surrogate is written as its six-character escape
    # (UTF-8 cannot hold it), a NUL exactly (JSON escapes it).
    assert names == ["before", "x\\ud800y", NUL, "after"]

    store = open_store(store_url)
    try:
        stored = list(store.iter_stored())
        assert [s.event["details"]["name"] for s in stored] == names
        for row in stored:  # the columns still say what the signed JSON says
            assert row.disagreements == []
        # a filter on the hostile value finds its event (the column holds U+FFFD)
        for name in (LONE, NUL):
            page = store.query(Query(target=(name,)))
            assert [e["details"]["name"] for e in page.items] == [
                codec.safe_text(name)]
    finally:
        store.close()

    verified = subprocess.run([sys.executable, "-m", "auditmw", "verify", str(log)],
                              check=False, capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_codec_escapes_lone_surrogates_keys_and_values() -> None:
    line = codec.dumps({"k\udfff": [LONE, {"in": "\ud83d"}], "ok": "é"})
    assert json.loads(line) == {"k\\udfff": ["x\\ud800y", {"in": "\\ud83d"}], "ok": "é"}
    assert codec.dumps({"a": "plain"}) == b'{"a":"plain"}'
    assert codec.utf8(LONE) == b"x\\ud800y"


def test_column_text_is_what_both_backends_hold() -> None:
    assert column_text(NUL) == "a\ufffdb"
    assert column_text(LONE) == "x\\ud800y"
    assert column_text("plain") == "plain"
    assert column_text(None) is None
    assert column_text(7) == "7"


def test_every_encoder_writes_a_lone_surrogate_as_the_json_does() -> None:
    """The binary encoders (OTLP, the SDK exporter's attributes, syslog's header) write
    the same escape the JSON does, never bytes that are not UTF-8 (a collector refuses
    the batch) and never an exception (the event lost)."""
    from auditmw.sinks.otel import scalar
    from auditmw.sinks.otlp import any_value, key_field
    from auditmw.sinks.syslog import SyslogSink

    assert scalar(LONE) == "x\\ud800y"
    assert scalar("é") == "é"
    assert any_value(LONE).endswith(b"x\\ud800y")
    assert key_field("k\udfff").endswith(b"k\\udfff")
    sink = SyslogSink("127.0.0.1:9", protocol="udp")
    try:
        message = sink.message({"id": "1", "event": "createAssetGroup", "outcome": "success",
                                "time": "2026-12-01T00:00:00.000000Z",
                                "actor": {"id": LONE}})
    finally:
        sink.close()
    message.decode("utf-8")  # valid UTF-8 throughout
    # RFC 5424 escapes the backslash inside a parameter; the JSON body escapes it too
    assert b'actor="x\\\\ud800y"]' in message
    assert message.endswith(b'{"actor":{"id":"x\\\\ud800y"},"event":"createAssetGroup",'
                            b'"id":"1","outcome":"success","time":"2026-12-01T00:00:00.000000Z"}')
