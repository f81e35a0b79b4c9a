"""One validated configuration object: defaults < TOML file < ``AUDITMW_*`` env < kwargs.

Every table forbids unknown keys, so a typo fails at start with its key path. ``${VAR}``
(or ``${VAR:-default}``) in any string is replaced from the environment; an unset
variable without a default becomes the empty string (``integrity.key`` then falls back
to plain SHA-256, as documented).

Environment overrides: ``AUDITMW_<TABLE>__<KEY>=value`` (double underscore between
levels), e.g. ``AUDITMW_DELIVERY__MODE=sync`` or ``AUDITMW_SERVICE=api``. A value is read
as a TOML value when it is one (numbers, booleans, arrays), else as a string. Other
``AUDITMW_*`` names (``AUDITMW_CONFIG``, ``AUDITMW_HMAC_KEY``...) are not overrides.

The tables are in :mod:`auditmw.config.capture` (capture, actor, catalog),
:mod:`auditmw.config.delivery` (delivery, integrity, sinks) and
:mod:`auditmw.config.store` (store, server); every name is importable from here.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator

from auditmw.config.base import (
    CONFIG_ENV,
    DEFAULT_FILE,
    DEFAULT_JSONL,
    DEFAULT_STORE,
    DocumentFormat,
    Table,
)
from auditmw.config.capture import (
    BUILTIN_ACTOR_SOURCES,
    ActorConfig,
    CaptureConfig,
    CatalogConfig,
    JwtClaimsConfig,
    JwtConfig,
    RouteConfig,
    SiteAccessConfig,
)
from auditmw.config.delivery import (
    CustomSinkConfig,
    DeliveryConfig,
    FileSinkConfig,
    HttpSinkConfig,
    IntegrityConfig,
    LoggingSinkConfig,
    NatsSinkConfig,
    OtelSinkConfig,
    SinkConfig,
    StdoutSinkConfig,
    StructlogSinkConfig,
    SyslogSinkConfig,
)
from auditmw.config.store import RetentionConfig, ServerConfig, StoreConfig, TenantRetentionConfig
from auditmw.errors import ConfigError, format_validation_error

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_FILE",
    "DEFAULT_JSONL",
    "DEFAULT_STORE",
    "DocumentFormat",
    "Table",
    "BUILTIN_ACTOR_SOURCES",
    "ActorConfig",
    "CaptureConfig",
    "CatalogConfig",
    "JwtClaimsConfig",
    "JwtConfig",
    "RouteConfig",
    "SiteAccessConfig",
    "CustomSinkConfig",
    "DeliveryConfig",
    "FileSinkConfig",
    "HttpSinkConfig",
    "IntegrityConfig",
    "LoggingSinkConfig",
    "NatsSinkConfig",
    "OtelSinkConfig",
    "SinkConfig",
    "StdoutSinkConfig",
    "StructlogSinkConfig",
    "SyslogSinkConfig",
    "RetentionConfig",
    "ServerConfig",
    "StoreConfig",
    "TenantRetentionConfig",
    "Config",
    "build_config",
    "deep_merge",
    "env_overrides",
    "expand_vars",
    "find_config_file",
    "load_config",
    "read_toml",
    "resolve_file_paths",
]


def _default_sinks() -> list[SinkConfig]:
    return [FileSinkConfig()]


class Config(Table):
    service: str = "app"
    timezone: str | None = None
    capture: CaptureConfig = Field(default_factory=CaptureConfig)
    actor: ActorConfig = Field(default_factory=ActorConfig)
    catalog: CatalogConfig = Field(default_factory=CatalogConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    integrity: IntegrityConfig = Field(default_factory=IntegrityConfig)
    sinks: list[SinkConfig] = Field(default_factory=_default_sinks)
    store: StoreConfig = Field(default_factory=StoreConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str | None) -> str | None:
        if zone:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"{zone!r} is not an IANA time zone name such as 'Europe/Brussels'"
                ) from None
        return zone or None

    @model_validator(mode="after")
    def _hash_needs_key(self) -> Config:
        if self.capture.redact == "hash" and not self.integrity.key:
            raise ValueError(
                "capture.redact = 'hash' needs integrity.key (e.g. key = "
                "\"${AUDITMW_HMAC_KEY}\"): an unkeyed hash of a secret can be guessed")
        return self

    def masked(self) -> dict[str, Any]:
        """The effective config as plain data with every secret replaced by ``***``."""
        masked: dict[str, Any] = _mask(self.model_dump(mode="json"))
        return masked


_SECRET_KEY = re.compile(r"key|secret|token|password|authorization", re.I)


def _mask(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, key) for v in value]
    if isinstance(value, str) and value and _SECRET_KEY.search(key) and key != "redact_keys":
        return "***"
    if isinstance(value, str) and re.match(r"^postgres(ql)?://[^/]*:[^@/]*@", value):
        return re.sub(r"(://[^:/]*:)[^@/]*@", r"\1***@", value)
    return value


# --- assembling the raw data -------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_vars(value: Any, environ: Mapping[str, str]) -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in every string, at any depth."""
    if isinstance(value, str):
        return _VAR.sub(lambda m: environ.get(m.group(1)) or (m.group(2) or ""), value)
    if isinstance(value, dict):
        return {k: expand_vars(v, environ) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_vars(v, environ) for v in value]
    return value


def _env_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    tables = set(Config.model_fields)
    out: dict[str, Any] = {}
    for name, text in environ.items():
        if not name.startswith("AUDITMW_"):
            continue
        path = [p.lower() for p in name[len("AUDITMW_"):].split("__")]
        if path[0] not in tables or (len(path) == 1 and path[0] not in ("service", "timezone")):
            continue
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = _env_value(text)
    return out


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def find_config_file(explicit: str | os.PathLike[str] | None = None,
                     environ: Mapping[str, str] | None = None) -> Path | None:
    """``-c FILE``, else ``$AUDITMW_CONFIG``, else ``./auditmw.toml``, else none."""
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    default = Path(DEFAULT_FILE)
    return default if default.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None


def build_config(
    data: Mapping[str, Any] | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Validate file-level ``data`` under env overrides and keyword ``overrides``."""
    env = os.environ if environ is None else environ
    raw = deep_merge(dict(data or {}), env_overrides(env))
    raw = deep_merge(raw, overrides or {})
    try:
        return Config.model_validate(expand_vars(raw, env))
    except ValidationError as exc:
        raise ConfigError("invalid auditmw configuration:\n" +
                          format_validation_error(exc, prefix="  ")) from None


def load_config(
    source: str | os.PathLike[str] | Mapping[str, Any] | Config | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    **overrides: Any,
) -> Config:
    """A path, a dict, a ready :class:`Config`, or ``None`` (find the file or use defaults)."""
    if isinstance(source, Config):
        return source if not overrides else build_config(source.model_dump(),
                                                         overrides=overrides, environ=environ)
    if isinstance(source, Mapping):
        return build_config(source, overrides=overrides, environ=environ)
    path = find_config_file(source, environ)
    data = resolve_file_paths(read_toml(path), path.parent) if path else {}
    return build_config(data, overrides=overrides, environ=environ)


def resolve_file_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Files a config file *reads* — ``catalog.files``, a sink's ``*_file`` keys (CA,
    certificate, key) and ``actor.jwt.key_file``/``jwks_file`` — are relative to that
    file's folder, not to wherever the app was started. Paths auditmw writes (a file
    sink's ``path``, the SQLite store) stay relative to the working directory, as the
    defaults ``./auditmw-audit.jsonl`` and ``sqlite:///./auditmw.db`` are."""

    def anchored(value: Any) -> Any:
        if isinstance(value, str) and value and not value.startswith("${"):
            candidate = Path(value).expanduser()
            return value if candidate.is_absolute() else str(folder / candidate)
        return value

    catalog = data.get("catalog")
    if isinstance(catalog, dict) and isinstance(catalog.get("files"), list):
        catalog["files"] = [anchored(f) for f in catalog["files"]]
    tables: list[Any] = list(data.get("sinks", []) if isinstance(data.get("sinks"), list)
                             else [])
    actor = data.get("actor")
    if isinstance(actor, dict):
        tables.append(actor.get("jwt"))
    for table in tables:
        if isinstance(table, dict):
            for key in [k for k in table if k.endswith("_file")]:
                table[key] = anchored(table[key])
    return data
