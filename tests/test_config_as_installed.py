"""Config, catalogue and coverage as a stranger uses them (issue 15): ``builtin = false``,
paths relative to the config file, route converters, app factories, a missing extra."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditmw.catalog import Catalog
from auditmw.cli import main
from auditmw.config import load_config
from auditmw.coverage import app_routes, compare, load_object, normalise_path
from auditmw.errors import ConfigError
from auditmw.trail import AuditTrail


def test_builtin_false_keeps_the_events_auditmw_records_itself() -> None:
    catalog = Catalog.load(builtin=False)
    assert sorted(catalog.entries) == [
        "addLegalHold", "exportAuditTrail", "removeLegalHold", "siteAccess"]
    assert catalog.get("siteAccess").category == "site_access"  # type: ignore[union-attr]
    assert catalog.get("addLegalHold").category == "audit_administration"  # type: ignore[union-attr]


def test_a_trail_with_builtin_false_records_site_access_and_exports(tmp_path: Path) -> None:
    trail = AuditTrail(catalog={"builtin": False}, sinks=[], store={"enabled": False})
    try:
        for name in ("siteAccess", "exportAuditTrail", "addLegalHold", "removeLegalHold"):
            assert name in trail.catalog
    finally:
        trail.close()


def test_builtin_false_with_a_built_in_category_says_why() -> None:
    with pytest.raises(ConfigError) as raised:
        Catalog.load(builtin=False, extra={"events": {
            "myEvent": {"category": "inventory_configuration", "description": "x"}}})
    message = str(raised.value)
    assert "built-in category" in message
    assert "builtin = false" in message
    assert "[catalog.categories.inventory_configuration]" in message
    assert "known: " not in message


def test_unknown_category_never_lists_nothing() -> None:
    known = "known: audit_administration, data_extraction, site_access"
    with pytest.raises(ConfigError, match=known):
        Catalog.load(builtin=False, extra={"events": {
            "myEvent": {"category": "nope", "description": "x"}}})


def test_catalog_files_resolve_against_the_config_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "extra.toml").write_text(textwrap.dedent("""
        [categories.mine]
        name = "Mine"
        [events.doMyThing]
        category = "mine"
    """), encoding="utf-8")
    (folder / "auditmw.toml").write_text('[catalog]\nfiles = ["extra.toml"]\n', encoding="utf-8")
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(folder / "auditmw.toml")
    assert config.catalog.files == [str(folder / "extra.toml")]
    trail = AuditTrail.from_config(str(folder / "auditmw.toml"),
                                   sinks=[], store={"enabled": False})
    try:
        assert "doMyThing" in trail.catalog
    finally:
        trail.close()


def test_absolute_and_env_paths_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "auditmw.toml").write_text(
        '[catalog]\nfiles = ["/abs/x.toml", "${NOPE:-rel}/y.toml"]\n', encoding="utf-8")
    config = load_config(tmp_path / "auditmw.toml", environ={})
    assert config.catalog.files == ["/abs/x.toml", "rel/y.toml"]


@pytest.mark.parametrize(("written", "same"), [
    ("/items/{id:int}", "/items/{id}"), ("/items/<int:id>", "/items/{id}"),
    ("/items/<id>", "/items/{id}"), ("/a/{x:path}/b/<string:y>", "/a/{x}/b/{y}"),
])
def test_route_converters_are_one_spelling(written: str, same: str) -> None:
    assert normalise_path(written) == same


FACTORY_APP = textwrap.dedent('''
    import flask

    def create_app():
        app = flask.Flask("factory")
        @app.post("/api/items/<int:id>/resync")
        def resync(id):
            return ""
        return app
''')


def test_coverage_accepts_an_app_factory_and_matches_converters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "flaskr.py").write_text(FACTORY_APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for spec in ("flaskr:create_app", "flaskr:create_app()"):
        routes = set(app_routes(load_object(spec, "--app")))
        assert ("POST", "/api/items/{id}/resync") in routes
    config = load_config({"catalog": {"builtin": False,
                                      "categories": {"inv": {"name": "Inv"}},
                                      "events": {"itemsResync": {"category": "inv"}}},
                          "capture": {"routes": [{"method": "POST",
                                                  "path": "/api/items/{id:int}/resync",
                                                  "event": "itemsResync"}]}})
    catalog = Catalog.load(builtin=False, extra={
        "categories": config.catalog.categories, "events": config.catalog.events})
    report = compare(catalog, None, routes=config.capture.routes,
                     app_route_set=set(app_routes(load_object("flaskr:create_app", "--app"))))
    assert report.covered == ["itemsResync"]
    assert not report.unimplemented


def test_check_config_warns_about_events_the_config_relies_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "auditmw.toml").write_text(textwrap.dedent("""
        [capture.site_access]
        routes = ["POST /login"]
        [[capture.routes]]
        method = "POST"
        path = "/api/x"
        event = "createAssetGroup"
        [catalog]
        disabled_events = ["siteAccess", "exportAuditTrail", "createAssetGroup"]
    """), encoding="utf-8")
    assert main(["check-config", "-c", str(tmp_path / "auditmw.toml")]) == 0
    err = capsys.readouterr().err
    assert "capture.site_access is configured but siteAccess is not in the catalogue" in err
    assert "capture.routes.0: POST /api/x records 'createAssetGroup'" in err
    assert "exportAuditTrail is not in the catalogue" in err


def test_check_config_is_quiet_on_the_defaults(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    assert main(["check-config"]) == 0
    assert "warning" not in capsys.readouterr().err


WITHOUT_XLSX = textwrap.dedent('''
    import asyncio, json, sys
    sys.modules["xlsxwriter"] = None      # as if the "xlsx" extra were not installed
    import httpx
    from auditmw.trail import AuditTrail
    from auditmw.server import create_app

    async def main():
        trail = AuditTrail(store={"url": "sqlite:///" + sys.argv[1]}, sinks=[])
        app = create_app(trail)
        _, key = app.state.audit.keys.create("k", ["audit_logs"])
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            spec = (await client.get("/openapi.json")).json()
            page = (await client.get("/")).text
            answer = await client.get("/api/audit-trail/export", params={"format": "xlsx"},
                                      headers={"accessKey": key})
        trail.close()
        print(json.dumps({"openapi": json.dumps(spec), "page": page,
                          "status": answer.status_code, "body": answer.text}))

    asyncio.run(main())
''')


def test_xlsx_without_its_extra_is_hidden_and_refused_by_name(tmp_path: Path) -> None:
    import json

    script = tmp_path / "probe.py"
    script.write_text(WITHOUT_XLSX, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "audit.db")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert '"xlsx"' not in out["openapi"]
    assert 'id="fmt-xlsx"' not in out["page"]
    assert 'id="fmt-csv"' in out["page"] or "fmt-" in out["page"]
    assert out["status"] == 400
    assert 'pip install \\"auditmw[xlsx]\\"' in out["body"] or \
        'pip install "auditmw[xlsx]"' in out["body"]


def test_read_files_of_sinks_and_jwt_resolve_against_the_config_folder(tmp_path: Path) -> None:
    from auditmw.config import resolve_file_paths

    data = resolve_file_paths({"sinks": [{"type": "http", "url": "https://x", "ca_file": "ca.pem",
                                          "path": "out.jsonl"}],
                               "actor": {"jwt": {"key_file": "keys/pub.pem"}}}, tmp_path)
    assert data["sinks"][0]["ca_file"] == str(tmp_path / "ca.pem")
    assert data["sinks"][0]["path"] == "out.jsonl"  # written files stay cwd-relative
    assert data["actor"]["jwt"]["key_file"] == str(tmp_path / "keys" / "pub.pem")
