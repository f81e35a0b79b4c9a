"""Actor sources one at a time: JWT verification (keys, JWKS, refusals), context paths,
rows and impersonators, ``call:`` wrapping and its complaints, the Flask resolver inside
the app context, login usernames, and the idle gap on the GraphQL fast path."""

from __future__ import annotations

import json
import sqlite3
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auditmw.capture.actor import actor_from_user, as_actor, context_reader
from auditmw.capture.actor_jwt import JwtSource
from auditmw.capture.login import login_outcome, submitted_username
from auditmw.config import ActorConfig, JwtConfig
from auditmw.errors import ConfigError
from auditmw.event import Actor
from auditmw.trail import AuditTrail


def rsa_key() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return key, public


def bearer(claims: dict[str, Any], key: Any, alg: str = "RS256", **headers: Any) -> str:
    body = {"exp": int(time.time()) + 60, **claims}
    return "Bearer " + jwt.encode(body, key, algorithm=alg, headers=headers or None)


def _hs256_with(claims: dict[str, Any], secret: bytes) -> str:
    import base64
    import hashlib
    import hmac

    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    body = {"exp": int(time.time()) + 60, **claims}
    signing = part(b'{"alg":"HS256","typ":"JWT"}') + b"." + part(json.dumps(body).encode())
    signature = part(hmac.new(secret, signing, hashlib.sha256).digest())
    return "Bearer " + (signing + b"." + signature).decode()


def test_jwt_with_a_pem_key_believes_only_what_verifies() -> None:
    key, public = rsa_key()
    other, _ = rsa_key()
    source = JwtSource(JwtConfig(key=public, audience="api", issuer="https://id"))
    good = {"sub": "u1", "name": "Ann", "team": "ops", "aud": "api", "iss": "https://id",
            "act": {"sub": "admin-9"}}
    assert source.actor(bearer(good, key)) == Actor(
        id="u1", name="Ann", team="ops", on_behalf_of=Actor(id="admin-9", name="admin-9"))
    assert source.actor(bearer(good, other)) is None                       # forged
    assert source.actor(bearer({**good, "aud": "other"}, key)) is None     # audience
    assert source.actor(bearer({**good, "iss": "https://evil"}, key)) is None
    assert source.actor(bearer({**good, "exp": int(time.time()) - 5}, key)) is None
    no_exp = "Bearer " + jwt.encode(dict(good), key, algorithm="RS256")
    assert source.actor(no_exp) is None                                    # exp required
    unsigned = "Bearer " + jwt.encode(good, None, algorithm="none")
    assert source.actor(unsigned) is None
    # an HS256 token "signed" with the public key text (the classic confusion attack)
    assert source.actor(_hs256_with(good, public.encode())) is None
    assert source.actor("Bearer x.y.z") is None
    for garbage in (None, "", "Basic dTpw", "Bearer", "Bearer " + "a" * 20_000):
        assert source.actor(garbage) is None


def test_jwt_with_a_jwks_file_picks_the_key_by_kid(tmp_path: Path) -> None:
    key_a, _ = rsa_key()
    key_b, _ = rsa_key()
    keys = []
    for kid, key in (("a", key_a), ("b", key_b)):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    source = JwtSource(JwtConfig(jwks_file=str(path)))
    assert source.actor(bearer({"sub": "a1"}, key_a, kid="a")) == Actor(id="a1", name="a1")
    assert source.actor(bearer({"sub": "b1"}, key_b, kid="b")) == Actor(id="b1", name="b1")
    assert source.actor(bearer({"sub": "x"}, key_a, kid="b")) is None  # wrong key for kid
    assert source.actor(bearer({"sub": "x"}, key_a, kid="zz")) is None  # unknown kid


def test_jwt_configuration_mistakes_fail_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"actor\.jwt"):
        AuditTrail(store=False, sinks=[], actor={"sources": ["jwt:"]})
    with pytest.raises(ConfigError, match="never allowed"):
        AuditTrail(store=False, sinks=[], actor={"sources": ["jwt:"],
                                                 "jwt": {"key": "k", "algorithms": ["none"]}})
    with pytest.raises(ConfigError, match=r"actor\.jwt\.key_file"):
        JwtSource(JwtConfig(key_file=str(tmp_path / "missing.pem")))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"actor\.jwt\.jwks_file"):
        JwtSource(JwtConfig(jwks_file=str(tmp_path / "bad.json")))
    with pytest.raises(ConfigError, match="asymmetric"):
        JwtSource(JwtConfig(key="shared-secret", algorithms=["RS256"]))


@pytest.mark.parametrize("source", ["call:nodots", "call::f", "call:mod:", "call:a-b:f",
                                    "graphql_context:a..b", "header:", "jwtx", "whoami"])
def test_unknown_or_malformed_sources_fail_at_start(source: str) -> None:
    with pytest.raises(ConfigError, match=r"actor\.sources"):
        AuditTrail(store=False, sinks=[], actor={"sources": [source]})


def test_context_paths_then_conventions() -> None:
    read = context_reader(["graphql_context:auth.user", "graphql_context"],
                          lambda ctx: Actor(id="fallback"))
    assert read({"auth": {"user": {"id": 5, "name": "Five"}}}) == Actor(id="5", name="Five")
    assert read(SimpleNamespace(auth=SimpleNamespace(user="kim"))) == Actor(id="kim",
                                                                             name="kim")
    assert read({"auth": None}) == Actor(id="fallback")
    only_path = context_reader(["graphql_context:current_user.sub"], lambda ctx: Actor(id="x"))
    assert only_path({"current_user": {"sub": 42}}) == Actor(id="42", name="42")
    assert only_path({}) is None


def test_rows_mappings_objects_and_impersonators() -> None:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    row = db.execute("SELECT 1 AS id, 'kim' AS username, 'pbkdf2:hash' AS password").fetchone()
    assert actor_from_user(row) == Actor(id="1", name="kim")
    mapped = SimpleNamespace(_mapping={"user_id": 9, "email": "e@x"})
    assert actor_from_user(mapped) == Actor(id="9", name="e@x")
    acting = SimpleNamespace(id="u2", name="Bo", impersonator=SimpleNamespace(id="adm",
                                                                              name="Ada"))
    assert actor_from_user(acting) == Actor(id="u2", name="Bo",
                                            on_behalf_of=Actor(id="adm", name="Ada"))
    assert actor_from_user(SimpleNamespace(id="x", is_authenticated=False)) is None
    assert as_actor({"id": 3, "name": "N", "on_behalf_of": {"id": "a"}}) == Actor(
        id="3", name="N", on_behalf_of=Actor(id="a"))
    # an app's user dict that is not an actor dict is read as a user, not trusted as-is
    assert as_actor({"id": 7, "email": "k@x", "hashed_password": "h"}) == Actor(id="7",
                                                                                name="k@x")


def test_on_behalf_of_round_trips_through_the_event() -> None:
    from auditmw.event import AuditEvent

    event = AuditEvent.create("x", "c", "other", actor=Actor(
        id="u", name="U", on_behalf_of=Actor(id="a", name="A")))
    data = event.to_dict()
    assert data["actor"]["on_behalf_of"] == {"id": "a", "name": "A", "type": "user"}
    assert AuditEvent.from_dict(data).actor == event.actor


def _module(tmp_path: Path, name: str, body: str) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))


def test_call_sources_wrap_sync_and_async_functions(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from auditmw.capture import actor_calls
    from auditmw.context import RequestState, current_request
    from auditmw.event import Client

    _module(tmp_path, "calls_mod_a", """
        def current(token):
            return None if token == "none" else {"id": token, "name": token.title()}

        async def acurrent(token):
            return {"id": token}
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    actor_calls.register(["call:calls_mod_a:current", "call:calls_mod_a:acurrent"])
    import calls_mod_a

    state = RequestState("GET", "/", Client(), "ui")
    token = current_request.set(state)
    try:
        assert calls_mod_a.current("none") is None
        assert calls_mod_a.current("kim") == {"id": "kim", "name": "Kim"}
        calls_mod_a.current("sam")  # the first user of the request is kept
        asyncio.run(calls_mod_a.acurrent("ann"))
    finally:
        current_request.reset(token)
    assert state.extra["call:calls_mod_a:current"] == {"id": "kim", "name": "Kim"}
    assert state.extra["call:calls_mod_a:acurrent"] == {"id": "ann"}
    assert calls_mod_a.current("outside") == {"id": "outside", "name": "Outside"}


def test_call_sources_say_what_they_cannot_wrap(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from auditmw.capture import actor_calls

    _module(tmp_path, "calls_mod_b", "x = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    actor_calls.register(["call:calls_mod_b:missing"])
    import calls_mod_b  # noqa: F401

    assert "cannot wrap missing in calls_mod_b" in capsys.readouterr().err
    actor_calls.warn_unimported(["call:never_imported_mod_x:f"])
    actor_calls.warn_unimported(["call:never_imported_mod_x:f"])
    err = capsys.readouterr().err
    assert err.count("module never_imported_mod_x has not been imported") == 1
    assert "never_imported_mod_x" not in sys.modules


def test_flask_resolver_runs_inside_the_app_context(tmp_path: Path) -> None:
    from auditmw_flask import init_app
    from flask import Flask, g

    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(store=False, delivery={"mode": "sync"},
                       sinks=[{"type": "file", "path": str(path), "fsync": "never"}],
                       capture={"site_access": {"routes": ["POST /login"]}})
    app = Flask("resolver")

    @app.post("/login")
    def login() -> str:
        g.account = {"uid": "g-42", "label": "From g"}
        return "ok"

    def resolve(_environ: Any) -> Any:
        account = g.account  # only there while the app context lives
        return Actor(id=account["uid"], name=account["label"])

    init_app(app, trail, actor_getter=resolve)
    app.test_client().post("/login").get_data()
    trail.close()
    (event,) = [json.loads(x) for x in path.read_text().splitlines()]
    assert event["actor"]["id"] == "g-42"


def test_login_username_never_the_password() -> None:
    form = b"username=kim&password=hunter2-secret&remember=1"
    assert submitted_username(form, "application/x-www-form-urlencoded") == "kim"
    assert submitted_username(b'{"email": "a@b", "password": "x"}', "application/json") \
        == "a@b"
    assert submitted_username(b'{"password": "only"}', "application/json") is None
    assert submitted_username(b"password=only", "application/x-www-form-urlencoded") is None
    assert submitted_username(b"\xff\xfe garbage", None) is None
    assert submitted_username(b"username=" + b"k" * 5000,
                              "application/x-www-form-urlencoded") == "k" * 256


@pytest.mark.parametrize(("status", "signed_in", "location", "ctype", "outcome"), [
    (401, False, None, None, "denied"),
    (403, True, None, None, "denied"),
    (400, False, None, "application/json", "failure"),
    (302, True, "/", "text/html", "success"),
    (302, False, "/login", "text/html", "failure"),
    (302, False, "http://x/login?next=/a", "text/html", "failure"),
    (302, False, "/", "text/html", "success"),
    (200, False, None, "text/html; charset=utf-8", "failure"),
    (200, True, None, "text/html", "success"),
    (200, False, None, "application/json", "success"),
])
def test_login_outcomes(status: int, signed_in: bool, location: str | None,
                        ctype: str | None, outcome: str) -> None:
    assert login_outcome(status, signed_in, "/login", location, ctype)[0] == outcome


@pytest.mark.parametrize("idle", [None, 1800])
async def test_idle_gap_sees_graphql_requests_that_select_nothing_catalogued(
        tmp_path: Path, idle: float | None) -> None:
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from auditmw.asgi import AuditMiddleware

    async def graphql(request: Request) -> JSONResponse:
        request.scope["user"] = {"id": "u-me", "name": "Me"}  # the app's own auth
        return JSONResponse({"data": {"me": "u-me"}})

    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(store=False, delivery={"mode": "sync"},
                       sinks=[{"type": "file", "path": str(path), "fsync": "never"}],
                       capture={"site_access": {"idle_s": idle}} if idle else {})
    app = AuditMiddleware(Starlette(routes=[Route("/graphql", graphql, methods=["POST"])]),
                          trail=trail)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for _ in range(2):
            await client.post("/graphql", json={"query": "{ me }"})
    trail.close()
    events = [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
    if idle is None:
        assert events == []  # the fast path: nothing to watch
    else:
        assert [(e["event"], e["actor"]["id"]) for e in events] == [("siteAccess", "u-me")]


def test_actor_config_defaults_are_the_documented_ones() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "actors.md").read_text()
    for source in ActorConfig().sources:
        assert f"`{source}`" in doc
