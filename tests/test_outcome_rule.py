"""The one outcome rule and the one target rule (auditmw.outcome), as units."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import types
from typing import Any

import fastapi
import graphql
import pytest
import starlette.exceptions
import werkzeug.exceptions
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.errors import ConfigError
from auditmw.event import Target
from auditmw.outcome import (
    DEFAULT_RULES,
    DENIED_CODES,
    OutcomeRules,
    outcome_of_error,
    outcome_of_field,
    outcome_of_payload,
    outcome_of_route,
    outcome_of_status,
    target_of,
)


def _lookalike(module: str, qualname: str, base: type[Exception] = Exception,
               **attrs: Any) -> type[Exception]:
    """A class with the qualified name of a framework's exception, for frameworks this
    checkout does not install (the rule goes by names so the core imports none)."""
    cls = type(qualname, (base,), dict(attrs))
    cls.__module__ = module
    cls.__qualname__ = qualname
    return cls


DjangoPermissionDenied = _lookalike("django.core.exceptions", "PermissionDenied")
DrfAPIException = _lookalike("rest_framework.exceptions", "APIException", status_code=500)
DrfPermissionDenied = _lookalike("rest_framework.exceptions", "PermissionDenied",
                                 DrfAPIException, status_code=403)
DrfNotAuthenticated = _lookalike("rest_framework.exceptions", "NotAuthenticated",
                                 DrfAPIException, status_code=401)
DrfAuthFailed = _lookalike("rest_framework.exceptions", "AuthenticationFailed",
                           DrfAPIException, status_code=401)
DrfNotFound = _lookalike("rest_framework.exceptions", "NotFound", DrfAPIException,
                         status_code=404)


class HomeMadeHTTPException(Exception):
    """Named like a framework's, but not one: its status means nothing to the rule."""

    status_code = 403


def located(exc: Exception) -> graphql.GraphQLError:
    return graphql.located_error(exc, None, ["deleteScope"])


@pytest.mark.parametrize(("error", "outcome"), [
    pytest.param(PermissionError("no"), "denied", id="PermissionError"),
    pytest.param(starlette.exceptions.HTTPException(403), "denied", id="starlette-403"),
    pytest.param(starlette.exceptions.HTTPException(401), "denied", id="starlette-401"),
    pytest.param(starlette.exceptions.HTTPException(404), "failure", id="starlette-404"),
    pytest.param(fastapi.HTTPException(status_code=403, detail="x"), "denied",
                 id="fastapi-403"),
    pytest.param(fastapi.HTTPException(status_code=422), "failure", id="fastapi-422"),
    pytest.param(werkzeug.exceptions.Forbidden(), "denied", id="werkzeug-forbidden"),
    pytest.param(werkzeug.exceptions.Unauthorized(), "denied", id="werkzeug-unauthorized"),
    pytest.param(werkzeug.exceptions.NotFound(), "failure", id="werkzeug-404"),
    pytest.param(DjangoPermissionDenied(), "denied", id="django-PermissionDenied"),
    pytest.param(DrfPermissionDenied(), "denied", id="drf-PermissionDenied"),
    pytest.param(DrfNotAuthenticated(), "denied", id="drf-NotAuthenticated"),
    pytest.param(DrfAuthFailed(), "denied", id="drf-401-APIException"),
    pytest.param(DrfNotFound(), "failure", id="drf-404"),
    pytest.param(HomeMadeHTTPException(), "failure", id="status-attribute-alone"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "FORBIDDEN"}), "denied",
                 id="code-FORBIDDEN"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "access-denied"}), "denied",
                 id="code-access-denied-hasura"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "Unauthenticated"}), "denied",
                 id="code-mixed-case"),
    pytest.param(graphql.GraphQLError("x", extensions={"code": "BAD_USER_INPUT"}), "failure",
                 id="code-other"),
    pytest.param(located(starlette.exceptions.HTTPException(403)), "denied",
                 id="located-http-exception"),
    pytest.param(located(ValueError("x")), "failure", id="located-value-error"),
    pytest.param(ValueError("x"), "failure", id="ValueError"),
])
def test_exceptions(error: BaseException, outcome: str) -> None:
    assert outcome_of_error(error)[0] == outcome


def test_a_cause_chain_is_followed() -> None:
    outer = RuntimeError("outer")
    outer.__cause__ = PermissionError("inner")
    assert outcome_of_error(outer)[0] == "denied"
    assert outcome_of_error(RuntimeError("alone"))[0] == "failure"


@pytest.mark.parametrize(("error", "outcome", "kind"), [
    pytest.param({"message": "m", "path": ["a"], "extensions": {"code": "FORBIDDEN"}},
                 "denied", "FORBIDDEN", id="forbidden"),
    pytest.param({"message": "m", "extensions": {"code": "ACCESS_DENIED"}}, "denied",
                 "ACCESS_DENIED", id="access-denied"),
    pytest.param({"message": "m", "extensions": {"code": "NOT_FOUND"}}, "failure",
                 "NOT_FOUND", id="other-code"),
    pytest.param({"message": "m"}, "failure", "GraphQLError", id="no-code"),
    pytest.param({"message": "m", "extensions": "junk"}, "failure", "GraphQLError",
                 id="junk-extensions"),
])
def test_response_errors(error: dict[str, Any], outcome: str, kind: str) -> None:
    got, info = outcome_of_error(error)
    assert (got, info.type, info.message) == (outcome, kind, "m")


def test_an_exception_and_its_response_error_agree() -> None:
    raised = graphql.GraphQLError("locked", extensions={"code": "access_denied"})
    formatted = located(raised).formatted
    assert outcome_of_error(raised) == outcome_of_error(dict(formatted))


def test_denied_errors_extend_the_rule() -> None:
    rules = OutcomeRules.from_config(["NOT_ALLOWED", "json.decoder:JSONDecodeError"])
    assert outcome_of_error({"extensions": {"code": "not-allowed"}}, rules)[0] == "denied"
    assert outcome_of_error({"extensions": {"code": "not-allowed"}})[0] == "failure"
    import json

    bad = json.JSONDecodeError("x", "", 0)
    assert outcome_of_error(bad, rules)[0] == "denied"
    assert outcome_of_error(bad)[0] == "failure"
    assert outcome_of_error(PermissionError(), rules)[0] == "denied"  # built-ins stay


@pytest.mark.parametrize(("items", "message"), [
    (["nosuch.module.here:Error"], "capture.denied_errors[0]: cannot import"),
    (["CODE", "json:NoSuchName"], "capture.denied_errors[1]: 'json' has no 'NoSuchName'"),
    (["json:dumps"], "capture.denied_errors[0]: 'json:dumps' is not an exception class"),
    ([":Error"], "capture.denied_errors[0]"),
    (["  "], "capture.denied_errors[0]: an empty extension code"),
])
def test_bad_denied_errors_name_the_key(items: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        OutcomeRules.from_config(items)


def test_a_trail_refuses_a_bad_denied_error_at_start(tmp_path: Any) -> None:
    from auditmw.trail import AuditTrail

    with pytest.raises(ConfigError, match=r"capture\.denied_errors\[0\]"):
        AuditTrail(capture={"denied_errors": ["nosuch_pkg_x:Error"]}, store=False, sinks=[])
    with pytest.raises(ConfigError, match=r"capture\.denied_errors"):
        AuditTrail(capture={"denied_errors": ["a:"]}, store=False, sinks=[])


@pytest.mark.parametrize(("status", "outcome"), [
    (200, "success"), (201, "success"), (302, "success"), (401, "denied"), (403, "denied"),
    (404, "failure"), (500, "failure"), (None, "success"),
])
def test_status(status: int | None, outcome: str) -> None:
    assert outcome_of_status(status)[0] == outcome


@pytest.mark.parametrize(("path", "value", "expected"), [
    pytest.param("success", {"success": False, "errors": [{"message": "dup name"}]},
                 ("failure", "PayloadError", "dup name"), id="success-false"),
    pytest.param("success", {"success": True, "errors": []}, None, id="success-true"),
    pytest.param("success", {"errors": []}, None, id="flag-not-selected"),
    pytest.param("userErrors", {"userErrors": [{"message": "bad", "code": "TAKEN"}]},
                 ("failure", "TAKEN", "bad"), id="user-errors-list"),
    pytest.param("userErrors", {"userErrors": []}, None, id="user-errors-empty"),
    pytest.param("result.ok", {"result": {"ok": False,
                                          "errors": [{"code": "FORBIDDEN", "message": "no"}]}},
                 ("denied", "FORBIDDEN", "no"), id="nested-denied"),
    pytest.param("ok", {"ok": False}, ("failure", "PayloadError", "ok is false"),
                 id="no-error-list"),
    pytest.param("ok", None, None, id="null-payload"),
])
def test_errors_as_data(path: str, value: Any, expected: tuple[str, str, str] | None) -> None:
    got = outcome_of_payload(path, value)
    assert (None if got is None else (got[0], got[1].type, got[1].message)) == expected


def test_payload_objects_are_read_like_mappings() -> None:
    @dataclasses.dataclass
    class Payload:
        success: bool
        errors: list[str]

    got = outcome_of_field(value=Payload(False, ["name taken"]), outcome_path="success")
    assert got[0] == "failure"
    assert got[1] is not None
    assert got[1].message == "name taken"
    assert outcome_of_field(value=Payload(True, []), outcome_path="success") == \
        ("success", None)
    # an error decides before the payload is looked at
    assert outcome_of_field(error=PermissionError("x"), value=Payload(True, []),
                            outcome_path="success")[0] == "denied"


@pytest.mark.parametrize(("status", "location", "kwargs", "expected"), [
    pytest.param(302, "/done", {}, None, id="redirect-records-nothing"),
    pytest.param(307, "/graphql/", {}, None, id="307-records-nothing"),
    pytest.param(302, "/done", {"success_status": [302]}, "success", id="302-listed"),
    pytest.param(200, None, {"success_status": [302]}, "failure", id="200-not-listed"),
    pytest.param(303, "/x", {"success_status": [302]}, None, id="other-redirect"),
    pytest.param(302, "/login?next=/a", {"denied_redirect": "/login"}, "denied",
                 id="denied-redirect"),
    pytest.param(302, "https://sso.example/login/", {"denied_redirect": "/login"}, "denied",
                 id="denied-redirect-absolute"),
    pytest.param(302, "/login-help", {"denied_redirect": "/login"}, None,
                 id="not-the-denied-path"),
    pytest.param(302, "/login", {"denied_redirect": "/login", "success_status": [302]},
                 "denied", id="denied-beats-success"),
    pytest.param(302, "/home", {"denied_redirect": "/login", "success_status": [302]},
                 "success", id="success-elsewhere"),
    pytest.param(403, None, {"success_status": [403]}, "denied", id="403-always-denied"),
    pytest.param(200, None, {}, "success", id="plain-200"),
    pytest.param(500, None, {}, "failure", id="plain-500"),
])
def test_routes(status: int, location: str | None, kwargs: dict[str, Any],
                expected: str | None) -> None:
    got = outcome_of_route(status, location, **kwargs)
    assert (None if got is None else got[0]) == expected


@pytest.mark.parametrize(("path", "value", "arguments", "expected"), [
    pytest.param(None, {"id": 5, "name": "n", "__typename": "G"}, {}, Target("G", "5", "n"),
                 id="returned-object"),
    pytest.param("asset.key", {"asset": {"key": "k1"}}, {}, Target(None, "k1"),
                 id="path-in-data"),
    pytest.param("missing", None, {"missing": 3}, Target(None, "3"), id="path-in-arguments"),
    pytest.param("nothere", {"id": 1}, {}, Target(None, "1"), id="path-absent-falls-back"),
    pytest.param(None, {"success": True, "assetGroup": {"id": "g1", "name": "Ops"}}, {},
                 Target(None, "g1", "Ops"), id="wrapped-object"),
    pytest.param(None, True, {"input": {"id": "i9"}}, Target(None, "i9"), id="input-argument"),
    pytest.param(None, None, {"id": 4}, Target(None, "4"), id="argument-id"),
    pytest.param(None, None, {}, Target(), id="nothing"),
])
def test_target(path: str | None, value: Any, arguments: dict[str, Any],
                expected: Target) -> None:
    assert target_of(path, value, arguments) == expected


def test_target_types_come_from_the_schema_when_known() -> None:
    data = {"success": True, "assetGroup": {"id": "g1"}}
    assert target_of(None, data, {}, member_type={"assetGroup": "AssetGroup"}.get) == \
        Target("AssetGroup", "g1")
    assert target_of(None, {"id": "x"}, {}, type_name="Scope") == Target("Scope", "x")


@pytest.mark.subprocess
def test_the_core_imports_no_framework() -> None:
    code = ("import sys, auditmw.outcome, auditmw.capture.outcome\n"
            "bad = [m for m in ('starlette', 'fastapi', 'werkzeug', 'flask', 'django',"
            " 'rest_framework', 'strawberry') if m in sys.modules]\n"
            "assert not bad, bad")
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True)


def test_default_rules_are_the_built_ins_alone() -> None:
    assert OutcomeRules() == DEFAULT_RULES
    assert DEFAULT_RULES.classes == ()


def test_real_django_and_drf_exceptions_by_name() -> None:
    """The lookalikes above stand in where Django is not installed; where it is, the real
    classes must be recognised by the same names. In a child process: configuring
    Django's settings here would leave them configured for the Django project tests."""
    pytest.importorskip("django")
    pytest.importorskip("rest_framework")
    script = (
        "import django; from django.conf import settings; settings.configure(); "
        "django.setup()\n"
        "from django.core.exceptions import PermissionDenied\n"
        "from django.http import Http404\n"
        "from rest_framework import exceptions as drf\n"
        "from auditmw.outcome import outcome_of_error\n"
        "print([outcome_of_error(e)[0] for e in (PermissionDenied(), drf.PermissionDenied(),"
        " drf.NotAuthenticated(), drf.AuthenticationFailed(), drf.NotFound(), Http404())])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(
        ["denied", "denied", "denied", "denied", "failure", "failure"])


_codes = st.one_of(st.sampled_from(sorted(DENIED_CODES)), st.text(max_size=20),
                   st.sampled_from(["access-denied", "Forbidden", "not authorized", "NOPE"]))


@settings(deadline=None)
@given(code=_codes, message=st.text(min_size=1, max_size=50))  # graphql-core fills ""
def test_a_raised_error_and_its_response_agree(code: str, message: str) -> None:
    """What a hook sees (the raised GraphQLError) and what the HTTP door reads (the same
    error as the server formats it) give the same outcome and error, for any code."""
    raised = graphql.GraphQLError(message, extensions={"code": code})
    formatted = dict(located(raised).formatted)
    assert outcome_of_error(raised) == outcome_of_error(formatted)
    denied = (code.strip() and
              code.strip().upper().replace("-", "_").replace(" ", "_") in DENIED_CODES)
    assert (outcome_of_error(raised)[0] == "denied") is bool(denied)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
_payloads = st.recursive(
    st.dictionaries(st.sampled_from(["id", "key", "name", "success", "errors", "group",
                                     "__typename", "x"]), _scalars, max_size=5),
    lambda inner: st.dictionaries(st.sampled_from(["group", "result", "asset", "errors"]),
                                  inner | st.lists(inner, max_size=2), max_size=3),
    max_leaves=12)


@settings(deadline=None)
@given(value=_payloads, arguments=st.dictionaries(st.sampled_from(["id", "name", "input"]),
                                                  _scalars, max_size=3))
def test_target_and_payload_rules_never_raise_and_read_objects_like_mappings(
        value: dict[str, Any], arguments: dict[str, Any]) -> None:
    as_object = _objectify(value)  # as a resolver's returned object (no __typename)
    from_data, from_object = target_of(None, value, arguments), target_of(None, as_object,
                                                                          arguments)
    assert (from_data.id, from_data.name) == (from_object.id, from_object.name)
    for path in ("success", "errors", "result.success", "group.errors"):
        assert outcome_of_payload(path, value) == outcome_of_payload(path, as_object)


def _objectify(value: Any) -> Any:
    if isinstance(value, dict):
        return types.SimpleNamespace(**{k: _objectify(v) for k, v in value.items()
                                        if k.isidentifier() and not k.startswith("__")})
    if isinstance(value, list):
        return [_objectify(v) for v in value]
    return value


def test_a_module_that_cannot_load_yet_is_matched_by_name(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A Django app's exceptions module imported before ``django.setup()`` raises: the
    entry still counts, by the class's qualified name, and the log says so."""
    (tmp_path / "early_app_errors.py").write_text(
        "raise RuntimeError('Apps aren\\'t loaded yet.')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with caplog.at_level("WARNING", logger="auditmw"):
        rules = OutcomeRules.from_config(["early_app_errors:Refused"])
    assert "capture.denied_errors[0]" in caplog.text
    assert "matching early_app_errors:Refused by name" in caplog.text
    refused = _lookalike("early_app_errors", "Refused")
    assert outcome_of_error(refused(), rules)[0] == "denied"
    assert outcome_of_error(refused())[0] == "failure"
    assert outcome_of_error(_lookalike("early_app_errors", "Other")(), rules)[0] == "failure"


def test_audited_functions_use_the_same_rules() -> None:
    from auditmw.testing import capture_audit_events
    from auditmw.trail import AuditTrail

    trail = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"},
                       capture={"denied_errors": ["NOT_ALLOWED"]})
    try:
        @trail.audited("deleteAssetGroup")
        def delete(id: str, how: str) -> dict[str, Any]:
            if how == "http":
                raise fastapi.HTTPException(status_code=403)
            if how == "code":
                raise graphql.GraphQLError("no", extensions={"code": "not_allowed"})
            return {"deleted": True, "group": {"id": id, "name": "Ops"}}

        with capture_audit_events(trail) as events:
            for how in ("http", "code"):
                with pytest.raises(Exception):  # noqa: B017, PT011 - re-raised unchanged
                    delete("g1", how)
            delete("g2", "ok")
        assert [(e["outcome"], e["target"]) for e in events] == [
            ("denied", {"id": "g1"}), ("denied", {"id": "g1"}),
            ("success", {"id": "g2", "name": "Ops"})]
    finally:
        trail.close()


@pytest.mark.subprocess
def test_outcome_path_in_a_catalogue_file_and_the_catalog_listing(tmp_path: Any) -> None:
    import json
    import subprocess

    from auditmw.catalog import Catalog

    (tmp_path / "catalog.toml").write_text(
        "[events.createInvoice]\ncategory = 'inventory_configuration'\n"
        "outcome_path = 'result.ok'\n", encoding="utf-8")
    catalog = Catalog.load(files=[tmp_path / "catalog.toml"])
    entry = catalog.get("createInvoice")
    assert entry is not None
    assert entry.outcome_path == "result.ok"
    (tmp_path / "auditmw.toml").write_text("[catalog]\nfiles = ['catalog.toml']\n",
                                           encoding="utf-8")
    listed = subprocess.run([sys.executable, "-m", "auditmw", "catalog", "--json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=True, env={"PATH": "/usr/bin:/bin"})
    events = {e["name"]: e for e in json.loads(listed.stdout)["events"]}
    assert events["createInvoice"]["outcome_path"] == "result.ok"
    assert events["createAssetGroup"]["outcome_path"] is None


def test_denied_errors_from_inside_the_apps_own_import(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trail built while the app's package is still importing (what ``auditmw run``
    can do): a circular import, or a module that is itself still loading, is matched by
    name rather than stopping the trail."""
    package = tmp_path / "circ_app"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from auditmw.outcome import OutcomeRules\n"
        "RULES = OutcomeRules.from_config(['circ_app.errors:Refused', 'circ_app:Late'])\n"
        "class Late(Exception):\n    pass\n"
        "VERSION = 1\n", encoding="utf-8")
    (package / "errors.py").write_text(
        "from circ_app import VERSION  # not defined yet: a circular import\n"
        "class Refused(Exception):\n    pass\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    module = importlib.import_module("circ_app")
    try:
        rules = module.RULES
        assert rules.names == frozenset({"circ_app.errors.Refused", "circ_app.Late"})
        assert outcome_of_error(module.Late(), rules)[0] == "denied"
        assert outcome_of_error(_lookalike("circ_app.errors", "Refused")(), rules)[0] == \
            "denied"
    finally:
        for name in ("circ_app", "circ_app.errors"):
            sys.modules.pop(name, None)


def test_a_missing_dependency_of_an_existing_module_is_matched_by_name(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "needs_missing.py").write_text("import no_such_dependency_zz\n",
                                               encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    rules = OutcomeRules.from_config(["needs_missing:Refused"])
    assert rules.names == frozenset({"needs_missing.Refused"})
    with pytest.raises(ConfigError, match=r"capture\.denied_errors\[0\]: cannot import"):
        OutcomeRules.from_config(["no_such_pkg_qq.sub:Refused"])  # the package is missing
