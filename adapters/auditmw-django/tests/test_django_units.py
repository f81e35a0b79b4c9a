"""The pieces on their own: config (url_name routes, settings.AUDITMW, the TOML hand-over
to the CLI), where the launcher puts the middleware, actors from DRF's request.auth."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import pytest
from auditmw_django.actors import api_actor
from auditmw_django.conf import as_toml
from auditmw_django.launcher import MIDDLEWARE_PATH, with_audit_middleware

from auditmw.config import load_config
from auditmw.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "django_inventory"
AUTH = "django.contrib.auth.middleware.AuthenticationMiddleware"
HIJACK = "hijack.middleware.HijackUserMiddleware"


def test_route_takes_a_path_or_a_url_name_never_both_or_neither() -> None:
    ok = load_config({"capture": {"routes": [
        {"method": "post", "url_name": "assetgroup-list", "event": "createAssetGroup"}]}})
    assert ok.capture.routes[0].url_name == "assetgroup-list"
    assert ok.capture.routes[0].method == "POST"
    for bad in ({"method": "POST", "event": "createAssetGroup"},
                {"method": "POST", "event": "createAssetGroup", "path": "/a",
                 "url_name": "a"}):
        with pytest.raises(ConfigError, match=r"capture\.routes\.0.*exactly one of path"):
            load_config({"capture": {"routes": [bad]}})


def test_plain_asgi_middleware_says_url_name_routes_are_not_its_own(
        caplog: pytest.LogCaptureFixture) -> None:
    from auditmw.asgi import AuditMiddleware
    from auditmw.trail import AuditTrail

    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    trail = AuditTrail({"capture": {"routes": [
        {"method": "POST", "url_name": "x-list", "event": "createAssetGroup"}]}},
        sinks=[], store=False)
    try:
        with caplog.at_level(logging.WARNING, logger="auditmw.capture"):
            AuditMiddleware(app, trail=trail)
    finally:
        trail.close()
    assert "url_name" in caplog.text


@pytest.mark.parametrize(("given", "wanted"), [
    ([AUTH], [AUTH, MIDDLEWARE_PATH]),
    (["a", AUTH, "b", HIJACK, "c"], ["a", AUTH, "b", HIJACK, MIDDLEWARE_PATH, "c"]),
    (["a", "b"], ["a", "b", MIDDLEWARE_PATH]),
    ([AUTH, "auditmw_django.middleware.AuditMiddleware", "z"],
     [AUTH, "auditmw_django.middleware.AuditMiddleware", "z"]),
])
def test_launcher_puts_the_middleware_after_authentication(given: list[str],
                                                           wanted: list[str]) -> None:
    assert with_audit_middleware(given) == wanted


def test_settings_dict_reaches_the_cli_as_equal_toml() -> None:
    data = {"service": "inv \"quoted\" é", "capture": {"graphql_paths": ["/g"], "routes": [
        {"method": "POST", "url_name": "a-list", "event": "createAssetGroup", "target": None}],
        "max_body_bytes": 1024, "site_access": {"idle_s": 1.5}},
        "sinks": [{"type": "http", "url": "http://127.0.0.1:9/x",
                   "headers": {"Authorization": "Bearer ${TOKEN}"}}],
        "delivery": {"fail_closed": False}}
    back = tomllib.loads(as_toml(data))
    data["capture"]["routes"][0].pop("target")  # type: ignore[index]
    assert back == data


def test_example_settings_and_toml_say_the_same(django_project: dict[str, str]) -> None:
    from django.conf import settings

    with (EXAMPLE / "auditmw.toml").open("rb") as fh:
        from_file = tomllib.load(fh)
    from_settings = dict(settings.AUDITMW)
    # the one difference: the file mounts the pages (auditmw run), settings use urls.py
    assert from_file.pop("server") == {"mount": True, "host_auth": True}
    assert from_settings.pop("server") == {"host_auth": True}
    assert from_file == from_settings


def test_bad_settings_fail_at_start_naming_the_key(django_project: dict[str, str]) -> None:
    from auditmw_django.conf import get_trail, set_trail
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    set_trail(None)
    with override_settings(AUDITMW={"delivery": {"mode": "sometimes"}}), \
            pytest.raises(ImproperlyConfigured, match=r"(?s)settings\.AUDITMW.*delivery\.mode"):
        get_trail()
    with override_settings(AUDITMW=["not", "a", "dict"]), \
            pytest.raises(ImproperlyConfigured, match="must be a dict"):
        get_trail()
    set_trail(None)


class _Token:
    """DRF's Token: its primary key is the secret itself."""

    def __init__(self, key: str, user: Any = None) -> None:
        self.pk = self.key = key
        self.user = user


class _ApiKey:
    def __init__(self) -> None:
        self.id, self.prefix, self.name, self.hashed_key = 4, "AbC12", "ci-bot", "secret"


def test_drf_auth_names_an_actor_without_its_secret() -> None:
    assert api_actor(_Token("s3cr3t-token")) is None
    user = type("U", (), {"is_authenticated": True, "pk": 5, "username": "eve"})()
    named = api_actor(_Token("s3cr3t-token", user))
    assert named is not None
    assert (named.id, named.name) == ("5", "eve")
    key = api_actor(_ApiKey())
    assert key is not None
    assert (key.id, key.name, key.type) == ("AbC12", "ci-bot", "api")
    claims = api_actor({"user_id": 12, "username": "svc", "exp": 1})
    assert claims is not None
    assert (claims.id, claims.name, claims.type) == ("12", "svc", "api")
    assert api_actor("raw-token-string") is None
