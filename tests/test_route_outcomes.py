"""REST routes get the same truth (SPEC §3): a redirect records nothing unless the route
says ``success_status``; ``denied_redirect`` makes a redirect there ``denied``; a literal
path segment beats a parameter where templates overlap; check-config warns about the
overlap. Real Starlette (ASGI) and Flask (WSGI) apps."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.capture.routes import overlaps, specificity, templates_overlap
from auditmw.config import RouteConfig
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

ROUTES: list[dict[str, Any]] = [
    # a form that answers with redirects (POST-redirect-GET): 303 on success, the form
    # again (200) when it did not take, the login page when not signed in
    {"method": "POST", "path": "/forms/groups", "event": "createAssetGroup",
     "success_status": [303], "denied_redirect": "/login"},
    {"method": "POST", "path": "/api/assets/{id}/resync", "event": "assetsResync",
     "target": "id"},
    # the parameter first in config, the literal second: the literal still wins
    {"method": "DELETE", "path": "/api/groups/{id}", "event": "deleteAssetGroup",
     "target": "id"},
    {"method": "DELETE", "path": "/api/groups/all", "event": "deleteManyAssetGroups"},
]


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"},
                       capture={"routes": ROUTES})
    yield audit
    audit.close()


def form_outcome(signed_in: bool, name: str) -> tuple[int, str | None]:
    """The app's behaviour for the form: (status, Location)."""
    if not signed_in:
        return 302, "/login?next=/forms/groups"
    if name == "taken":
        return 200, None
    if name == "elsewhere":
        return 302, "/groups/pending"
    return 303, "https://app.example/groups/17"


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route

    async def form(request: Request) -> Response:
        data = await request.json()
        status, location = form_outcome("x-user" in request.headers, str(data.get("name")))
        if location is None:
            return PlainTextResponse("<form>name taken</form>", status_code=status)
        return RedirectResponse(location, status_code=status)

    async def resync(request: Request) -> Response:
        if request.path_params["id"] == "moved":
            return RedirectResponse("/api/v2/assets/moved/resync", status_code=307)
        return PlainTextResponse("ok")

    async def delete_one(request: Request) -> Response:
        return PlainTextResponse(f"deleted {request.path_params['id']}")

    async def delete_all(request: Request) -> Response:
        return PlainTextResponse("deleted all")

    return Starlette(routes=[
        Route("/forms/groups", form, methods=["POST"]),
        Route("/api/assets/{id}/resync", resync, methods=["POST"]),
        Route("/api/groups/all", delete_all, methods=["DELETE"]),
        Route("/api/groups/{id}", delete_one, methods=["DELETE"]),
    ])


def flask_app() -> Any:
    from flask import Flask, Response, redirect, request

    app = Flask(__name__)

    @app.post("/forms/groups")
    def form() -> Any:
        status, location = form_outcome("x-user" in request.headers,
                                        request.get_json().get("name", ""))
        if location is None:
            return Response("<form>name taken</form>", status=status)
        return redirect(location, code=status)

    @app.post("/api/assets/<id>/resync")
    def resync(id: str) -> Any:
        if id == "moved":
            return redirect("/api/v2/assets/moved/resync", code=307)
        return "ok"

    @app.delete("/api/groups/<id>")
    def delete_one(id: str) -> Any:
        return f"deleted {id}"

    @app.delete("/api/groups/all")
    def delete_all() -> Any:
        return "deleted all"

    return app


def call(kind: str, trail: AuditTrail, method: str, path: str,
         **kwargs: Any) -> tuple[int, list[dict[str, Any]]]:
    """One request through the audited app; (status, the events it made)."""
    if kind == "asgi":
        import asyncio

        from auditmw.asgi import AuditMiddleware

        app = AuditMiddleware(starlette_app(), trail=trail)

        async def go() -> int:
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 4001))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
                return (await c.request(method, path, **kwargs)).status_code

        with capture_audit_events(trail) as events:
            status = asyncio.run(go())
        return status, events
    from auditmw_flask import init_app

    flask = init_app(flask_app(), trail)
    with capture_audit_events(trail) as events, httpx.Client(
            transport=httpx.WSGITransport(app=flask), base_url="http://t") as c:
        status = c.request(method, path, **kwargs).status_code
    return status, events


DOORS = ["asgi", "wsgi"]


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(("signed_in", "name", "status", "expected"), [
    pytest.param(True, "ops", 303, [("createAssetGroup", "success")], id="303-success"),
    pytest.param(True, "taken", 200, [("createAssetGroup", "failure")], id="200-form-again"),
    pytest.param(False, "ops", 302, [("createAssetGroup", "denied")], id="login-redirect"),
    pytest.param(True, "elsewhere", 302, [], id="unlisted-redirect-records-nothing"),
])
def test_a_form_that_answers_with_redirects(trail: AuditTrail, door: str, signed_in: bool,
                                            name: str, status: int,
                                            expected: list[tuple[str, str]]) -> None:
    headers = {"x-user": "ann"} if signed_in else {}
    got, events = call(door, trail, "POST", "/forms/groups", json={"name": name},
                       headers=headers)
    assert got == status
    assert [(e["event"], e["outcome"]) for e in events] == expected
    if expected and expected[0][1] == "denied":
        assert events[0]["error"] == {"type": "Redirect",
                                      "message": "HTTP 302 to /login"}


@pytest.mark.parametrize("door", DOORS)
def test_a_redirect_records_nothing_without_success_status(trail: AuditTrail,
                                                           door: str) -> None:
    status, events = call(door, trail, "POST", "/api/assets/moved/resync")
    assert status == 307
    assert events == []
    status, events = call(door, trail, "POST", "/api/assets/a1/resync")
    assert status == 200
    assert [(e["event"], e["outcome"], e["target"]) for e in events] == \
        [("assetsResync", "success", {"id": "a1"})]


@pytest.mark.parametrize("door", DOORS)
def test_a_literal_segment_beats_a_parameter(trail: AuditTrail, door: str) -> None:
    status, events = call(door, trail, "DELETE", "/api/groups/all")
    assert status == 200
    assert [(e["event"], e["target"]) for e in events] == [("deleteManyAssetGroups", {})]
    status, events = call(door, trail, "DELETE", "/api/groups/g7")
    assert status == 200
    assert [(e["event"], e["target"]) for e in events] == [("deleteAssetGroup", {"id": "g7"})]


def test_the_most_specific_template_wins_whatever_the_order() -> None:
    from auditmw.capture.routes import RouteTable
    from auditmw.catalog import Catalog

    templates = ["/a/{rest:path}", "/a/{x}/c", "/a/b/{y}", "/a/b/c", "/a/{n:int}/c",
                 "/a/v{n}/c"]
    catalog = Catalog.load()
    for order in (templates, templates[::-1]):
        table = RouteTable([RouteConfig(method="GET", path=p, event="deleteAsset")
                            for p in order], catalog)

        def winner(path: str, table: RouteTable = table) -> str | None:
            found = table.match("GET", path)
            return None if found is None else found.route.template

        assert winner("/a/b/c") == "/a/b/c"
        assert winner("/a/b/d") == "/a/b/{y}"
        assert winner("/a/7/c") == "/a/{n:int}/c"
        assert winner("/a/v7/c") == "/a/v{n}/c"
        assert winner("/a/x/c") == "/a/{x}/c"
        assert winner("/a/x/y/z") == "/a/{rest:path}"
    assert specificity("/a/b") > specificity("/a/{x}") > specificity("/{x}/b")


@pytest.mark.parametrize(("a", "b", "overlap"), [
    ("/api/groups/{id}", "/api/groups/all", True),
    ("/api/groups/{id}", "/api/groups/{key}", True),
    ("/api/groups/{id:int}", "/api/groups/all", False),
    ("/api/groups/{id:int}", "/api/groups/42", True),
    ("/api/groups/{id}", "/api/groups/{id}/members", False),
    ("/files/{rest:path}", "/files/a/b/c", True),
    ("/files/{rest:path}", "/files", False),
    ("/files/{name}.csv", "/files/report.csv", True),
    ("/files/{name}.csv", "/files/report.pdf", False),
    ("/api/assets/", "/api/assets", True),
    ("/a/{x}/c", "/a/b/{y}", True),
    ("/a/{x}/c", "/a/b/d", False),
    ("/{p:path}/{q:path}", "/{r:path}", True),
    ("/{p:path}/a", "/b/{q:path}", True),
    ("/{p:path}/a", "/{q:path}/b", False),
])
def test_templates_overlap(a: str, b: str, overlap: bool) -> None:
    assert templates_overlap(a, b) is overlap
    assert templates_overlap(b, a) is overlap


def test_overlap_warnings_name_both_routes_and_the_winner() -> None:
    routes = [RouteConfig(**r) for r in ROUTES]
    assert overlaps(routes) == [
        "capture.routes[2] (DELETE /api/groups/{id}) and capture.routes[3] "
        "(DELETE /api/groups/all) overlap: a path both match is recorded as "
        "capture.routes[3] (deleteManyAssetGroups)"]
    other_method = [RouteConfig(method="GET", path="/x/{id}", event="deleteAsset"),
                    RouteConfig(method="POST", path="/x/all", event="deleteAsset")]
    assert overlaps(other_method) == []


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditmw", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin"})


@pytest.mark.subprocess
def test_check_config_warns_about_overlaps_and_checks_denied_errors(tmp_path: Path) -> None:
    config = tmp_path / "auditmw.toml"
    config.write_text(
        "[capture]\ndenied_errors = ['json:JSONDecodeError', 'NOT_ALLOWED']\n"
        "[[capture.routes]]\nmethod = 'DELETE'\npath = '/api/groups/{id}'\n"
        "event = 'deleteAssetGroup'\n"
        "[[capture.routes]]\nmethod = 'DELETE'\npath = '/api/groups/all'\n"
        "event = 'deleteManyAssetGroups'\n", encoding="utf-8")
    ok = _cli("check-config", "-c", str(config), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr.strip() == (
        "warning: capture.routes[0] (DELETE /api/groups/{id}) and capture.routes[1] "
        "(DELETE /api/groups/all) overlap: a path both match is recorded as "
        "capture.routes[1] (deleteManyAssetGroups)")
    bad = tmp_path / "bad.toml"
    bad.write_text("[capture]\ndenied_errors = ['CODE', 'no_such_module_q:Error']\n",
                   encoding="utf-8")
    failed = _cli("check-config", "-c", str(bad), cwd=tmp_path)
    assert failed.returncode == 2
    assert "capture.denied_errors[1]: cannot import 'no_such_module_q'" in failed.stderr
    assert "Traceback" not in failed.stderr


@pytest.mark.parametrize(("route", "message"), [
    ({"success_status": [99]}, "99 is not an HTTP status"),
    ({"path": "/a/{id}/b/{id:int}"}, "parameter {id} appears twice"),
    ({"denied_redirect": "login"}, "must be a path starting with '/'"),
])
def test_bad_route_options_name_the_key(route: dict[str, Any], message: str) -> None:
    from auditmw.errors import ConfigError

    with pytest.raises(ConfigError, match=r"capture\.routes\.0\.") as caught:
        AuditTrail(store=False, sinks=[], capture={"routes": [
            {"method": "POST", "path": "/x", "event": "deleteAsset", **route}]})
    assert message in str(caught.value)


_segment = st.sampled_from(["a", "b", "1", "{x}", "{n:int}", "v{n}", "{p:path}"])


def _numbered(segments: list[str]) -> str:
    """A template from segments, each parameter named apart (``{x}`` → ``{x0}``)."""
    return "/" + "/".join(
        re.sub(r"\{(\w+)(:\w+)?\}", lambda m, i=i: f"{{{m.group(1)}{i}{m.group(2) or ''}}}",
               part) for i, part in enumerate(segments))


_templates = st.lists(_segment, min_size=1, max_size=3).map(_numbered)
_paths = st.lists(st.sampled_from(["a", "b", "1", "v1", "c"]), min_size=1,
                  max_size=4).map(lambda s: "/" + "/".join(s))


@settings(deadline=None)  # the box is shared; correctness, not speed, is tested here
@given(templates=st.lists(_templates, min_size=2, max_size=4, unique=True),
       path=_paths)
def test_a_path_goes_to_the_most_specific_matching_template(templates: list[str],
                                                            path: str) -> None:
    from auditmw.capture.routes import RouteTable, compile_template
    from auditmw.catalog import Catalog

    table = RouteTable([RouteConfig(method="GET", path=t, event="deleteAsset")
                        for t in templates], Catalog.load())
    matching = [t for t in templates if compile_template(t).match(path)]
    found = table.match("GET", path)
    if not matching:
        assert found is None
        return
    assert found is not None
    assert found.route.template in matching
    assert all(specificity(found.route.template) >= specificity(t) for t in matching)
    for first in matching:  # a path both match: the overlap check must have said so
        for second in matching:
            assert templates_overlap(first, second)
