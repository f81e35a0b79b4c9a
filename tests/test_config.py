"""Configuration: layering, ${VAR} expansion, env overrides, and errors that name the key."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditmw.config import (
    FileSinkConfig,
    HttpSinkConfig,
    env_overrides,
    load_config,
)
from auditmw.errors import ConfigError

FULL_EXAMPLE = '''
service = "inventory-api"
timezone = "Europe/Brussels"

[capture]
graphql_paths = ["/graphql"]
max_body_bytes = 1_048_576
details = "redacted"
redact = "mask"
redact_keys = []
trusted_proxies = ["10.0.0.0/8"]
ip = "full"
api_credential_headers = ["authorization", "x-api-key"]
site_access = { routes = ["POST /login"], idle_s = 1800 }
[[capture.routes]]
method = "POST"
path = "/api/assets/{id}/resync"
event = "assetsResync"
target = "id"

[actor]
sources = ["scope.user", "flask_login", "graphql_context", "header:X-Authenticated-User"]
resolver = "myapp.audit:resolve_actor"

[catalog]
builtin = true
files = []
disabled_categories = []
disabled_events = []

[delivery]
mode = "async"
fail_closed = false
queue_size = 10_000
overflow = "block"
batch_size = 500
flush_interval_s = 0.5
spool_dir = ".auditmw/spool"
shutdown_timeout_s = 10

[integrity]
chain = true
key = "${AUDITMW_HMAC_KEY}"

[[sinks]]
type = "file"
path = "audit.jsonl"
rotate_bytes = 104_857_600
fsync = "batch"

[[sinks]]
type = "http"
url = "http://127.0.0.1:9000/ingest"
format = "json"
headers = { Authorization = "Bearer ${SIEM_TOKEN}" }
signing_key = "${AUDITMW_SIGNING_KEY}"

[[sinks]]
type = "otel"
endpoint = "http://127.0.0.1:4318"

[store]
url = "sqlite:///auditmw.db"
retention_days = 365

[server]
prefix = "/audit"
mount = false
edition = "enterprise"
max_export_days = 366
'''


def test_the_specs_full_example_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "auditmw.toml"
    path.write_text(FULL_EXAMPLE, encoding="utf-8")
    env = {"AUDITMW_HMAC_KEY": "k1", "SIEM_TOKEN": "t0k"}
    config = load_config(path, environ=env)
    assert config.service == "inventory-api"
    assert config.integrity.key == "k1"
    http = config.sinks[1]
    assert isinstance(http, HttpSinkConfig)
    assert http.headers == {"Authorization": "Bearer t0k"}
    assert http.signing_key == ""  # unset variable → empty
    assert config.capture.routes[0].event == "assetsResync"
    assert config.capture.site_access.idle_s == 1800


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.sinks == [FileSinkConfig(path="./auditmw-audit.jsonl")]
    assert config.store.url == "sqlite:///./auditmw.db"
    assert config.delivery.mode == "async"
    assert config.capture.details == "redacted"


def test_file_discovery_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "auditmw.toml").write_text('service = "from-cwd"\n', encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text('service = "from-env"\n', encoding="utf-8")
    assert load_config(environ={}).service == "from-cwd"
    assert load_config(environ={"AUDITMW_CONFIG": str(other)}).service == "from-env"
    explicit = tmp_path / "x.toml"
    explicit.write_text('service = "explicit"\n', encoding="utf-8")
    assert load_config(explicit, environ={"AUDITMW_CONFIG": str(other)}).service == "explicit"


def test_layers_file_then_env_then_keywords(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('service = "file"\n[delivery]\nqueue_size = 10\nbatch_size = 7\n',
                    encoding="utf-8")
    env = {"AUDITMW_DELIVERY__QUEUE_SIZE": "20", "AUDITMW_SERVICE": "env"}
    config = load_config(path, environ=env, delivery={"queue_size": 30})
    assert config.service == "env"
    assert config.delivery.queue_size == 30
    assert config.delivery.batch_size == 7  # untouched by the layers above


@pytest.mark.parametrize(("name", "value", "expected"), [
    pytest.param("AUDITMW_DELIVERY__FAIL_CLOSED", "true", {"delivery": {"fail_closed": True}},
                 id="bool"),
    pytest.param("AUDITMW_CAPTURE__TRUSTED_PROXIES", '["10.0.0.0/8"]',
                 {"capture": {"trusted_proxies": ["10.0.0.0/8"]}}, id="array"),
    pytest.param("AUDITMW_STORE__URL", "postgresql://u@h/db",
                 {"store": {"url": "postgresql://u@h/db"}}, id="plain-string"),
    pytest.param("AUDITMW_CONFIG", "x.toml", {}, id="not-an-override"),
    pytest.param("AUDITMW_HMAC_KEY", "k", {}, id="secret-not-an-override"),
])
def test_env_overrides(name: str, value: str, expected: dict[str, object]) -> None:
    assert env_overrides({name: value}) == expected


def test_var_expansion_with_default() -> None:
    config = load_config({"service": "${NAME:-fallback}-${REGION}"}, environ={"REGION": "eu"})
    assert config.service == "fallback-eu"


@pytest.mark.parametrize(("data", "message"), [
    pytest.param({"delivery": {"mode": "fast"}},
                 "delivery.mode: Input should be 'async' or 'sync' (got 'fast')", id="literal"),
    pytest.param({"delivery": {"modee": "sync"}}, "delivery.modee: unknown key", id="typo"),
    pytest.param({"bogus": 1}, "bogus: unknown key", id="unknown-table"),
    pytest.param({"delivery": {"queue_size": 0}}, "delivery.queue_size: Input should be greater",
                 id="range"),
    pytest.param({"sinks": [{"type": "file", "fsync": "sometimes"}]},
                 "sinks.0.fsync: Input should be 'always', 'batch' or 'never'", id="sink-value"),
    pytest.param({"sinks": [{"type": "http"}]}, "sinks.0.url: Field required",
                 id="sink-missing"),
    pytest.param({"sinks": [{"type": "http", "url": "ftp://x"}]},
                 "sinks.0.url: must be an http:// or https:// URL", id="sink-url"),
    pytest.param({"capture": {"trusted_proxies": ["10.0.0.0/33"]}},
                 "capture.trusted_proxies: '10.0.0.0/33' is not an IP address or CIDR",
                 id="cidr"),
    pytest.param({"capture": {"ip": "masked"}},
                 "capture.ip: Input should be 'full', 'anonymized' or 'none'", id="ip-mode"),
    pytest.param({"capture": {"redact": "hash"}}, "capture.redact = 'hash' needs integrity.key",
                 id="hash-needs-key"),
    pytest.param({"capture": {"site_access": {"routes": ["/login"]}}},
                 "capture.site_access.routes: route '/login' must be 'METHOD /path'",
                 id="route-form"),
    pytest.param({"actor": {"sources": ["cookie"]}},
                 "actor.sources: 'cookie' is not an actor source", id="actor-source"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not an IANA",
                 id="zone"),
    pytest.param({"store": {"batch_size": 0}},
                 "store.batch_size: Input should be greater than or equal to 1",
                 id="store-batch"),
    pytest.param({"store": {"url": "mysql://x"}},
                 "store.url: must start with sqlite:/// or postgresql://", id="store-url"),
    pytest.param({"server": {"edition": "community"}},
                 "server.edition: Input should be 'enterprise' or 'platform'", id="edition"),
])
def test_bad_values_name_the_key_and_what_is_allowed(data: dict[str, object],
                                                     message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(data, environ={})


def test_bad_env_override_names_the_key() -> None:
    with pytest.raises(ConfigError, match=re.escape("delivery.overflow: Input should be")):
        load_config({}, environ={"AUDITMW_DELIVERY__OVERFLOW": "explode"})


def test_masked_hides_secrets() -> None:
    config = load_config({
        "integrity": {"key": "s3cret"},
        "store": {"url": "postgresql://app:pw@db:5432/audit"},
        "sinks": [{"type": "http", "url": "http://x", "signing_key": "sk",
                   "headers": {"Authorization": "Bearer t"}}],
    }, environ={})
    masked = config.masked()
    text = repr(masked)
    for secret in ("s3cret", ":pw@", "'sk'", "Bearer t"):
        assert secret not in text
    assert masked["store"]["url"] == "postgresql://app:***@db:5432/audit"


def test_bad_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[delivery\nmode = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditmw", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False,
                          env={"PATH": "/usr/bin:/bin", "AUDITMW_HMAC_KEY": "topsecret"})


def test_check_config_cli(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('service = "svc"\n[integrity]\nkey = "${AUDITMW_HMAC_KEY}"\n',
                    encoding="utf-8")
    ok = run_cli("check-config", "-c", str(good), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert '"service": "svc"' in ok.stdout
    assert "topsecret" not in ok.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text('[delivery]\noverflow = "explode"\n', encoding="utf-8")
    failed = run_cli("check-config", "-c", str(bad), cwd=tmp_path)
    assert failed.returncode == 2
    assert "delivery.overflow" in failed.stderr
    assert "'block', 'drop' or 'spool'" in failed.stderr


def test_catalog_cli_table_and_json(tmp_path: Path) -> None:
    import json

    table = run_cli("catalog", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "createAssetGroup" in table.stdout
    assert "115 events in 6 categories" in table.stdout
    as_json = json.loads(run_cli("catalog", "--json", "--category", "site_access",
                                 cwd=tmp_path).stdout)
    assert [e["name"] for e in as_json["events"]] == ["siteAccess"]
