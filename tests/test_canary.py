"""Canaries: random secret values under every listed key spelling — nested, in GraphQL
variables and literals, in values the app's validation rejects (so they reach error
messages), in a sensitive event's arguments, in headers — and not one byte of any of them
in the file sink, the store (SQLite with its -wal file, PostgreSQL), stdout, the spool,
the OTel exporter's records or the HTTP sink's payloads."""

from __future__ import annotations

import http.server
import json
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.redaction import BUILTIN_SECRET_FRAGMENTS, BUILTIN_SECRET_WORDS
from auditmw.trail import AuditTrail


def spellings() -> list[str]:
    """Every built-in key in the ways apps spell it (valid GraphQL names)."""
    out: list[str] = []
    for fragment in BUILTIN_SECRET_FRAGMENTS:
        out += [fragment, f"user_{fragment}", f"user{fragment.title()}",
                f"{fragment.upper()}_VALUE"]
    for word in BUILTIN_SECRET_WORDS:
        out += [word, f"{word}_code", f"my{word.title()}", word.upper()]
    return sorted(set(out))


KEYS = spellings()
INPUT_KEYS = [k for k in KEYS if k != "pin"]  # UserInput.pin is an Int (rejected below)
CANARIES: dict[str, str] = {}


def canary(label: str) -> str:
    """A fresh random value (hex: it survives every quoting unchanged)."""
    value = f"cnry{secrets.token_hex(12)}"
    CANARIES[label] = value
    return value


def sdl() -> str:
    fields = "\n".join(f"  {k}: String" for k in INPUT_KEYS)
    return f"""
input Nested {{
{fields}
  deeper: Nested
}}
input UserInput {{
  name: String!
  pin: Int
{fields}
  nested: Nested
  items: [Nested]
}}
type User {{ id: ID! name: String! }}
type Credential {{ id: ID! key: String name: String }}
type Query {{ hello: String }}
type Mutation {{
  createUser(input: UserInput!): User
  createCredential(key: String!, name: String): Credential
}}
"""


def flask_app(trail: AuditTrail) -> Any:
    from ariadne import MutationType, graphql_sync, make_executable_schema
    from auditmw_flask import init_app
    from flask import Flask, jsonify, request

    mutation = MutationType()

    @mutation.field("createUser")
    def create_user(_obj: Any, _info: Any, input: dict[str, Any]) -> dict[str, str]:
        if input.get("password"):  # the app's own validation quotes what it rejects
            raise ValueError(f"password {input['password']!r} is too weak "
                             f"(pin={input.get('pin')}, otp={input.get('otp')})")
        return {"id": "u-1", "name": input["name"]}

    @mutation.field("createCredential")
    def create_credential(_obj: Any, _info: Any, key: str, name: str = "") -> dict[str, Any]:
        return {"id": key, "key": key, "name": name}  # a careless payload: the key as id

    schema = make_executable_schema(sdl(), mutation)
    app = Flask("canary")

    @app.post("/graphql")
    def graphql() -> Any:
        ok, result = graphql_sync(schema, request.get_json(), context_value={})
        return jsonify(result), 200 if ok else 400

    init_app(app, trail)
    return app


def all_keys(prefix: str, keys: list[str] = INPUT_KEYS) -> dict[str, str]:
    return {k: canary(f"{prefix}.{k}") for k in keys}


def scenario(trail: AuditTrail, app: Any) -> None:
    client = app.test_client()
    variables = {"input": {"name": "ok", **all_keys("var"),
                           "nested": {**all_keys("nested"),
                                      "deeper": all_keys("deeper")},
                           "items": [all_keys("item")]}}
    query = "mutation M($input: UserInput!) { createUser(input: $input) { id } }"
    headers = {"X-Request-Id": f"Bearer {canary('request-id')}",
               "User-Agent": f"curl AKIA{canary('ua')[:16].upper()}",
               "Authorization": f"Bearer {canary('authorization')}"}
    client.post("/graphql", json={"query": query, "variables": variables},
                headers=headers).get_data()
    # literals, and an Int the schema rejects (graphql-core's message quotes it)
    pw, pin = canary("literal.password"), canary("literal.pin")
    client.post("/graphql", json={"query": f'mutation {{ createUser(input: {{name: "x", '
                                           f'password: "{pw}", pin: "{pin}"}}) {{ id }} }}'}
                ).get_data()
    client.post("/graphql", json={"query": query, "variables": {"input": {
        "name": "x", "pin": canary("var.pin.rejected")}}}).get_data()
    client.post("/graphql", json={"query": query, "variables": {"input": {
        "name": "x", "secretSauce": canary("var.unknown")}}}).get_data()
    # the app's own validation echoes the password (and pin, otp) in its error
    client.post("/graphql", json={"query": query, "variables": {"input": {
        "name": "x", "password": canary("rejected.password"), "otp": canary("rejected.otp")}}}
                ).get_data()
    # a sensitive entry: every argument, and a payload that repeats the key
    client.post("/graphql", json={"query": 'mutation C($k: String!) { createCredential('
                                           'key: $k, name: "ci") { id key } }',
                                  "variables": {"k": canary("sensitive.key")}}).get_data()
    key = canary("sensitive.literal")
    client.post("/graphql", json={"query": f'mutation {{ createCredential(key: "{key}") '
                                           f'{{ id }} }}'}).get_data()
    # by hand: every spelling, kebab and spaced ones too, nested in lists
    details = {**all_keys("record", KEYS), "api-key": canary("record.kebab"),
               "Client Secret": canary("record.spaced"),
               "list": [{"refresh-token": canary("record.list")}],
               "note": f"see -----BEGIN RSA PRIVATE KEY-----\n{canary('record.pem')}\n"}
    trail.record("createAssetGroup", details=details,
                 error=ValueError(f"rejected {details['password']} and {details['pin']}"))

    @trail.audited("createAssetGroup")
    def create_group(name: str, passphrase: str, signing_key: str) -> dict[str, str]:
        raise PermissionError(f"bad passphrase {passphrase}")

    with pytest.raises(PermissionError):
        create_group("g", canary("audited.passphrase"), canary("audited.signing_key"))


class Collector(http.server.ThreadingHTTPServer):
    bodies: list[bytes]


@pytest.fixture
def http_sink() -> Iterator[Collector]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            server.bodies.append(self.rfile.read(length))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = Collector(("127.0.0.1", 0), Handler)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def leaks(blob: bytes) -> list[str]:
    return [label for label, value in CANARIES.items() if value.encode() in blob
            or value.upper().encode() in blob]


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_no_canary_anywhere(backend: str, tmp_path: Path, http_sink: Collector,
                            capfd: pytest.CaptureFixture[str],
                            request: pytest.FixtureRequest) -> None:
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

    from auditmw.sinks.otel import OtelSink

    CANARIES.clear()
    db = tmp_path / "audit.db"
    store_url = f"sqlite:///{db}" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    exporter = InMemoryLogRecordExporter()
    port = http_sink.server_address[1]
    trail = AuditTrail(
        store={"url": store_url},
        catalog={"events": {"createUser": {"category": "accounts_configuration",
                                           "action": "create"}}},
        delivery={"spool_dir": str(tmp_path / "spool"), "max_retries": 0,
                  "retry_backoff_s": 0.05, "shutdown_timeout_s": 2},
        sinks=[{"type": "file", "path": str(tmp_path / "audit.jsonl"), "fsync": "never"},
               {"type": "stdout"},
               {"type": "http", "url": f"http://127.0.0.1:{port}/ingest", "format": "ndjson"},
               {"type": "http", "url": "http://127.0.0.1:9/down", "max_retries": 0},
               OtelSink(exporter, service="canary")])
    app = flask_app(trail)
    scenario(trail, app)
    trail.flush(3)  # the sink that is down never finishes: its events go to the spool
    wal = db.with_name(db.name + "-wal")
    live_wal = wal.read_bytes() if wal.exists() else b""
    trail.close()

    file_bytes = (tmp_path / "audit.jsonl").read_bytes()
    events = [json.loads(line) for line in file_bytes.splitlines()]
    names = [e["event"] for e in events]
    # the scenario really recorded: the executed fields, the sensitive ones, the manual
    assert names.count("createCredential") == 2
    assert names.count("createUser") >= 2
    assert names.count("createAssetGroup") == 2
    assert any(e.get("error") for e in events if e["event"] == "createUser")
    for event in events:
        if event["event"] == "createCredential":
            assert "id" not in event["target"]  # the key it echoed is not the target

    assert leaks(file_bytes) == []
    out = capfd.readouterr().out.encode()
    assert b'"createCredential"' in out  # the stdout sink wrote
    assert leaks(out) == []
    assert http_sink.bodies, "the HTTP sink received nothing"
    assert leaks(b"\n".join(http_sink.bodies)) == []
    otel = "\n".join(f"{r.log_record.body!r} {dict(r.log_record.attributes or {})!r}"
                     for r in exporter.get_finished_logs()).encode()
    assert otel
    assert leaks(otel) == []
    spooled = b"".join(p.read_bytes() for p in (tmp_path / "spool").rglob("*") if p.is_file())
    assert spooled, "nothing was spooled for the sink that is down"
    assert leaks(spooled) == []
    if backend == "sqlite":
        stored = db.read_bytes() + live_wal + (wal.read_bytes() if wal.exists() else b"")
        assert b"createCredential" in stored
        assert leaks(stored) == []
    else:
        import psycopg

        with psycopg.connect(store_url) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            dump = "\n".join(str(row) for t in tables
                             for row in conn.execute(f'SELECT * FROM "{t}"'))
        assert "createCredential" in dump
        assert leaks(dump.encode()) == []
