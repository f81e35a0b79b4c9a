"""``auditmw coverage``: the catalogue against live schemas of every supported kind and
against Starlette and Flask apps' routes; exit codes, text and JSON."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditmw.catalog import Catalog
from auditmw.cli import main
from auditmw.coverage import app_routes, compare, graphql_schema_of, load_object
from auditmw.errors import ConfigError

SCHEMAS = textwrap.dedent('''
    from __future__ import annotations
    import graphene, graphql, strawberry
    import ariadne

    SDL = """
    type Query { exportView(viewId: ID!): String  health: String }
    type Mutation { createAssetGroup(name: String!): String  deleteScope(id: ID!): Boolean
                    ping: String }
    """
    core = graphql.build_schema(SDL)
    ariadne_schema = ariadne.make_executable_schema(SDL)

    @strawberry.type
    class Query:
        @strawberry.field
        def export_view(self, view_id: strawberry.ID) -> str | None: return None
        @strawberry.field
        def health(self) -> str: return "ok"

    @strawberry.type
    class Mutation:
        @strawberry.mutation
        def create_asset_group(self, name: str) -> str | None: return None
        @strawberry.mutation
        def delete_scope(self, id: strawberry.ID) -> bool | None: return None
        @strawberry.mutation
        def ping(self) -> str | None: return None

    strawberry_schema = strawberry.Schema(query=Query, mutation=Mutation)

    class GQuery(graphene.ObjectType):
        export_view = graphene.String(view_id=graphene.ID(required=True))
        health = graphene.String()

    class GMutation(graphene.ObjectType):
        create_asset_group = graphene.String(name=graphene.String(required=True))
        delete_scope = graphene.Boolean(id=graphene.ID(required=True))
        ping = graphene.String()

    graphene_schema = graphene.Schema(query=GQuery, mutation=GMutation)

    from strawberry.asgi import GraphQL
    strawberry_app = GraphQL(strawberry_schema)
    not_a_schema = object()

    from starlette.applications import Starlette
    from starlette.routing import Mount, Route
    async def ok(request): ...
    starlette_app = Starlette(routes=[
        Route("/api/assets/{id:int}/resync", ok, methods=["POST"]),
        Mount("/v2", routes=[Route("/scopes/{id}", ok, methods=["DELETE"])]),
    ])

    empty_app = Starlette(routes=[])

    import flask
    flask_app = flask.Flask("coverage_flask")
    @flask_app.post("/api/assets/<int:id>/resync")
    def resync(id): return ""
''')

CONFIG = textwrap.dedent('''
    [catalog]
    builtin = false
    [catalog.categories.inv]
    name = "Inventory"
    [catalog.categories.data_extraction]
    name = "Data extraction"
    [catalog.events.createAssetGroup]
    category = "inv"
    [catalog.events.deleteScope]
    category = "inv"
    [catalog.events.exportView]
    category = "data_extraction"
    [catalog.events.mergeAssetGroups]
    category = "inv"
    [catalog.events.assetsResync]
    category = "inv"
    [[capture.routes]]
    method = "POST"
    path = "/api/assets/{id}/resync"
    event = "assetsResync"
    target = "id"
''')


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    module = tmp_path / "cov_schemas.py"
    module.write_text(SCHEMAS)
    (tmp_path / "auditmw.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    yield tmp_path
    sys.modules.pop("cov_schemas", None)


@pytest.mark.parametrize("attr", [
    pytest.param("core", id="graphql-core"),
    pytest.param("ariadne_schema", id="ariadne"),
    pytest.param("strawberry_schema", id="strawberry"),
    pytest.param("graphene_schema", id="graphene"),
    pytest.param("strawberry_app", id="app-holding-a-schema"),
])
def test_every_schema_kind_gives_the_same_report(project: Path, attr: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["coverage", "--schema", f"cov_schemas:{attr}", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["ok"] is False
    assert [g["event"] for g in report["catalogued_without_resolver"]] == ["mergeAssetGroups"]
    assert report["mutations_not_catalogued"] == ["ping"]
    # exportView is a data_extraction entry, so a query field serves it; without --app a
    # route mapped in capture.routes is taken as served
    assert sorted(report["covered"]) == \
        ["assetsResync", "createAssetGroup", "deleteScope", "exportView"]


@pytest.mark.parametrize("app", ["starlette_app", "flask_app"])
def test_mapped_route_present_in_the_app_is_covered(project: Path, app: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["coverage", "--schema", "cov_schemas:core", "--app", f"cov_schemas:{app}",
                 "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "assetsResync" in report["covered"]
    assert [g["event"] for g in report["catalogued_without_resolver"]] == ["mergeAssetGroups"]


@pytest.mark.parametrize(("app", "code", "gaps"), [
    pytest.param("starlette_app", 0, [], id="route-served"),
    pytest.param("empty_app", 1, ["assetsResync"], id="route-missing"),
])
def test_app_alone_checks_only_the_routes(project: Path, app: str, code: int, gaps: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A REST-only check: without --schema, GraphQL entries are not checked (as mapped
    routes are taken as served without --app), so a REST-only project can pass."""
    assert main(["coverage", "--app", f"cov_schemas:{app}", "--json"]) == code
    report = json.loads(capsys.readouterr().out)
    assert [g["event"] for g in report["catalogued_without_resolver"]] == gaps
    assert "createAssetGroup" in report["unchecked_without_schema"]
    assert "assetsResync" not in report["unchecked_without_schema"]


def test_mapped_route_missing_from_the_app_is_a_gap(project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["coverage", "--schema", "cov_schemas:core", "--app", "cov_schemas:empty_app"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Catalogued events with no resolver or route (2):" in out
    assert "expects a mutation field or route POST /api/assets/{id}/resync" in out


def test_clean_project_exits_zero_with_text(project: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    config = CONFIG.replace('[catalog.events.mergeAssetGroups]\ncategory = "inv"\n', "")
    config += '\n[catalog.events.ping]\ncategory = "inv"\n'
    (project / "clean.toml").write_text(config)
    code = main(["coverage", "-c", "clean.toml", "--schema", "cov_schemas:graphene_schema",
                 "--app", "cov_schemas:starlette_app"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "5 catalogued events covered, 0 without a resolver or route, 0 mutations" in out


def test_text_report_lists_both_gaps(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", "--schema", "cov_schemas:core"]) == 1
    out = capsys.readouterr().out
    assert "Catalogued events with no resolver or route (1):" in out
    assert "mergeAssetGroups  inv  expects a mutation field\n" in out
    assert "Mutations missing from the catalogue (1):\n  ping" in out


def test_ignore_names_events_recorded_by_code(project: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["coverage", "--schema", "cov_schemas:core", "--app", "cov_schemas:flask_app",
                 "--ignore", "mergeAssetGroups", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["ignored"] == ["mergeAssetGroups"]
    assert report["catalogued_without_resolver"] == []
    assert code == 1  # ping is still not catalogued


@pytest.mark.parametrize(("argv", "message"), [
    pytest.param(["--schema", "cov_schemas"], "must be 'module:attribute'", id="no-colon"),
    pytest.param(["--schema", "nope_module:x"], "cannot import 'nope_module'", id="no-module"),
    pytest.param(["--schema", "cov_schemas:missing"], "has no attribute 'missing'",
                 id="no-attr"),
    pytest.param(["--schema", "cov_schemas:not_a_schema"], "object is not a GraphQL schema",
                 id="not-a-schema"),
    pytest.param(["--app", "cov_schemas:core"], "is not a Starlette, FastAPI or Flask app",
                 id="not-an-app"),
    pytest.param(["--schema", "cov_schemas:core", "--ignore", "nothing"],
                 "--ignore: not catalogued: nothing", id="unknown-ignore"),
    pytest.param([], "give --schema", id="nothing-to-compare"),
])
def test_bad_input_exits_2_naming_the_option(project: Path, argv: list[str], message: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage", *argv]) == 2
    assert message in capsys.readouterr().err


def test_builtin_catalogue_and_self_recorded_events() -> None:
    import graphql

    catalog = Catalog.load()
    schema = graphql.build_schema("type Query { a: Int } type Mutation { createAssetGroup: Int }")
    report = compare(catalog, schema, site_access_configured=True)
    assert report.covered == ["createAssetGroup"]
    assert {"exportAuditTrail", "siteAccess"} <= set(report.ignored)
    assert len(report.unimplemented) == len(catalog) - 5  # 1 covered, 4 self-recorded
    assert not report.uncatalogued_mutations


def test_routes_of_mounts_and_flask_converters(project: Path) -> None:
    routes = set(app_routes(load_object("cov_schemas:starlette_app", "--app")))
    assert ("POST", "/api/assets/{id}/resync") in routes
    assert ("DELETE", "/v2/scopes/{id}") in routes
    flask_routes = set(app_routes(load_object("cov_schemas:flask_app", "--app")))
    assert ("POST", "/api/assets/{id}/resync") in flask_routes


def test_schema_of_rejects_with_the_option_name() -> None:
    with pytest.raises(ConfigError, match=r"^--schema: int is not"):
        graphql_schema_of(3)


@pytest.mark.subprocess
def test_command_line_exit_code_for_ci(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditmw", "coverage", "--schema", "cov_schemas:core", "--json"],
        cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["mutations_not_catalogued"] == ["ping"]
