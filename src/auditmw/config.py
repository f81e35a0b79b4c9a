"""One validated configuration object: defaults < TOML file < ``AUDITMW_*`` env < kwargs.

Every table forbids unknown keys, so a typo fails at start with its key path. ``${VAR}``
(or ``${VAR:-default}``) in any string is replaced from the environment; an unset
variable without a default becomes the empty string (``integrity.key`` then falls back
to plain SHA-256, as documented).

Environment overrides: ``AUDITMW_<TABLE>__<KEY>=value`` (double underscore between
levels), e.g. ``AUDITMW_DELIVERY__MODE=sync`` or ``AUDITMW_SERVICE=api``. A value is read
as a TOML value when it is one (numbers, booleans, arrays), else as a string. Other
``AUDITMW_*`` names (``AUDITMW_CONFIG``, ``AUDITMW_HMAC_KEY``...) are not overrides.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from auditmw.errors import ConfigError, format_validation_error

CONFIG_ENV = "AUDITMW_CONFIG"
DEFAULT_FILE = "auditmw.toml"
DEFAULT_JSONL = "./auditmw-audit.jsonl"
DEFAULT_STORE = "sqlite:///./auditmw.db"


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: What one event looks like in a sink (docs/formats.md).
DocumentFormat = Literal["auditmw", "ocsf", "ecs"]


class SiteAccessConfig(_Table):
    routes: list[str] = Field(default_factory=list)  # "POST /login"
    idle_s: float | None = Field(default=None, gt=0)

    @field_validator("routes")
    @classmethod
    def _routes_have_method(cls, routes: list[str]) -> list[str]:
        for route in routes:
            parts = route.split()
            if len(parts) != 2 or not parts[1].startswith("/"):
                raise ValueError(f"route {route!r} must be 'METHOD /path', e.g. 'POST /login'")
        return routes


class RouteConfig(_Table):
    """One ``[[capture.routes]]`` entry: a path template, or (Django) a URL name."""

    method: str
    path: str | None = None
    # Django: the URL pattern's name as resolved (``assetgroup-list``, or with its
    # namespace ``api:assetgroup-list``), instead of a path template
    url_name: str | None = None
    event: str
    target: str | None = None
    #: The statuses that mean success (apps answering with redirects); unset: < 400.
    success_status: list[int] | None = None
    #: A redirect to this path means ``denied`` (a login page).
    denied_redirect: str | None = None

    @field_validator("success_status")
    @classmethod
    def _statuses(cls, values: list[int] | None) -> list[int] | None:
        for value in values or ():
            if not 100 <= value <= 599:
                raise ValueError(f"{value} is not an HTTP status")
        return values

    @field_validator("denied_redirect")
    @classmethod
    def _redirect_path(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith("/"):
            raise ValueError("must be a path starting with '/', e.g. '/login'")
        return path

    @model_validator(mode="after")
    def _path_or_name(self) -> RouteConfig:
        if (self.path is None) == (self.url_name is None):
            raise ValueError("give exactly one of path (a template such as "
                             "'/api/assets/{id}') and url_name (a Django URL name)")
        return self

    @property
    def label(self) -> str:
        """How messages name the route: its template, or ``name=URL_NAME``."""
        return self.path if self.path is not None else f"name={self.url_name}"

    @field_validator("method")
    @classmethod
    def _upper(cls, method: str) -> str:
        return method.upper()

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str | None) -> str | None:
        if path is None:
            return None  # a url_name route
        if not path.startswith("/"):
            raise ValueError("must start with '/'")
        names = re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}", path)
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"parameter {{{twice[0]}}} appears twice; give each its own name")
        return path


class CaptureConfig(_Table):
    graphql_paths: list[str] = Field(default_factory=lambda: ["/graphql"])
    max_body_bytes: int = Field(default=1_048_576, ge=0)
    #: A GraphQL request body past ``max_body_bytes``: "analyse" (still recorded, by the
    #: execution hook) or "refuse" (413 before the app runs).
    oversize: Literal["analyse", "refuse"] = "analyse"
    details: Literal["none", "keys", "redacted", "full"] = "redacted"
    redact: Literal["mask", "hash"] = "mask"
    redact_keys: list[str] = Field(default_factory=list)
    # regexes for secrets of a known shape, added to the built-in ones (docs/redaction.md)
    redact_values: list[str] = Field(default_factory=list)
    max_string_chars: int = Field(default=2048, ge=16)
    max_details_bytes: int = Field(default=65_536, ge=256)
    trusted_proxies: list[str] = Field(default_factory=list)
    # the one header the trusted proxy sets; the other is never believed
    forwarded_header: Literal["x-forwarded-for", "forwarded"] = "x-forwarded-for"
    ip: Literal["full", "anonymized", "none"] = "full"
    api_credential_headers: list[str] = Field(
        default_factory=lambda: ["authorization", "x-api-key"])
    site_access: SiteAccessConfig = Field(default_factory=SiteAccessConfig)
    routes: list[RouteConfig] = Field(default_factory=list)
    #: Added to the built-in denial rule: "pkg.mod:Class" exception paths (imported when
    #: the trail starts) and GraphQL ``extensions.code`` values (auditmw.outcome).
    denied_errors: list[str] = Field(default_factory=list)
    #: Which tenant a request belongs to (SPEC §15, auditmw.capture.tenant): header:NAME
    #: (trusted proxies only), host:{tenant}.example.com, path:/sites/{tenant}/...,
    #: call:module:function, graphql_context:KEY.PATH. None: requests carry no tenant.
    tenant: str | None = None

    @field_validator("tenant")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        if value is not None:
            from auditmw.capture.tenant import TenantRule

            TenantRule.parse(value)  # ValueError says what is allowed
        return value

    @field_validator("denied_errors")
    @classmethod
    def _denied_errors(cls, values: list[str]) -> list[str]:
        for value in values:
            module, colon, name = value.partition(":")
            if not value.strip() or (colon and not (module and name)):
                raise ValueError(f"{value!r} must be 'package.module:ClassName' or an "
                                 "extension code such as 'NOT_ALLOWED'")
        return values

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"{value!r} is not an IP address or CIDR") from None
        return values

    @field_validator("redact_values")
    @classmethod
    def _regexes(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            try:
                compiled = re.compile(value)
            except re.error as exc:
                raise ValueError(f"[{index}] {value!r} is not a regular expression: {exc}"
                                 ) from None
            if compiled.match(""):
                raise ValueError(f"[{index}] {value!r} matches the empty string")
        return values

    @field_validator("forwarded_header", mode="before")
    @classmethod
    def _header_lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("api_credential_headers")
    @classmethod
    def _lower(cls, values: list[str]) -> list[str]:
        return [v.lower() for v in values]


#: Sources read without configuration wherever the app uses them (docs/actors.md).
BUILTIN_ACTOR_SOURCES = ("scope.user", "flask_login", "flask_jwt_extended", "flask_httpauth",
                         "flask_g", "django", "graphql_context")


class JwtClaimsConfig(_Table):
    id: str = "sub"
    name: str = "name"
    team: str = "team"
    on_behalf_of: str = "act.sub"  # RFC 8693's actor claim; "" to ignore


class JwtConfig(_Table):
    key: str = ""          # a PEM public key or a shared secret (use ${VAR})
    key_file: str = ""     # a PEM file
    jwks_file: str = ""    # a JWKS JSON file (keys chosen by the token's kid)
    algorithms: list[str] = Field(default_factory=list)  # default: by the key's kind
    audience: str | list[str] = ""
    issuer: str = ""
    leeway_s: float = Field(default=0.0, ge=0)
    require_exp: bool = True
    claims: JwtClaimsConfig = Field(default_factory=JwtClaimsConfig)

    @field_validator("algorithms")
    @classmethod
    def _no_none(cls, values: list[str]) -> list[str]:
        if any(v.lower() == "none" for v in values):
            raise ValueError("'none' would believe unsigned tokens; it is never allowed")
        return values


class ActorConfig(_Table):
    sources: list[str] = Field(default_factory=lambda: list(BUILTIN_ACTOR_SOURCES))
    resolver: str | None = None
    jwt: JwtConfig = Field(default_factory=JwtConfig)

    @field_validator("sources")
    @classmethod
    def _known_sources(cls, values: list[str]) -> list[str]:
        for value in values:
            if value in BUILTIN_ACTOR_SOURCES or value in ("jwt", "jwt:"):
                continue
            if value.startswith("header:") and value[7:].strip():
                continue
            if value.startswith("graphql_context:") and all(
                    part.isidentifier() for part in value[16:].split(".")):
                continue
            if value.startswith("call:"):
                module, _, attr = value[5:].partition(":")
                if module and attr and all(p.isidentifier() for p in
                                           (*module.split("."), *attr.split("."))):
                    continue
                raise ValueError(f"{value!r} must be 'call:package.module:function'")
            raise ValueError(
                f"{value!r} is not an actor source; allowed: "
                f"{', '.join(BUILTIN_ACTOR_SOURCES)}, 'header:NAME', "
                "'call:module:function', 'jwt:', 'graphql_context:KEY.PATH'")
        return values

    @model_validator(mode="after")
    def _jwt_has_a_key(self) -> ActorConfig:
        if any(s in ("jwt", "jwt:") for s in self.sources) and not (
                self.jwt.key or self.jwt.key_file or self.jwt.jwks_file):
            raise ValueError("the 'jwt:' source needs actor.jwt.key, key_file or jwks_file "
                             "(tokens are only believed when verified)")
        return self


class CatalogConfig(_Table):
    builtin: bool = True
    files: list[str] = Field(default_factory=list)
    disabled_categories: list[str] = Field(default_factory=list)
    disabled_events: list[str] = Field(default_factory=list)
    events: dict[str, dict[str, Any]] = Field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = Field(default_factory=dict)


class DeliveryConfig(_Table):
    mode: Literal["async", "sync"] = "async"
    fail_closed: bool = False
    queue_size: int = Field(default=10_000, ge=1)
    overflow: Literal["block", "drop", "spool"] = "block"
    batch_size: int = Field(default=500, ge=1)
    flush_interval_s: float = Field(default=0.5, gt=0)
    spool_dir: str = ".auditmw/spool"
    shutdown_timeout_s: float = Field(default=10.0, ge=0)
    # Retry and spool tuning (docs/delivery.md); spool_dir = "" turns the spool off.
    max_retries: int = Field(default=5, ge=0)
    retry_backoff_s: float = Field(default=0.5, gt=0)
    retry_max_backoff_s: float = Field(default=30.0, gt=0)
    spool_max_bytes: int = Field(default=1_073_741_824, ge=1024)
    # Bytes queued requests may hold before their events are built (docs/delivery.md).
    pending_max_bytes: int = Field(default=33_554_432, ge=0)
    handle_sigterm: bool = True

    @model_validator(mode="after")
    def _spool_overflow_needs_dir(self) -> DeliveryConfig:
        if self.overflow == "spool" and not self.spool_dir:
            raise ValueError("overflow = 'spool' needs delivery.spool_dir (it is empty)")
        return self


class IntegrityConfig(_Table):
    chain: bool = True
    key: str = ""
    signing_key: str = ""  # path of an Ed25519 PEM private key: checkpoints signed too

    @field_validator("signing_key")
    @classmethod
    def _loadable_signing_key(cls, path: str) -> str:
        if path:
            from auditmw.integrity.seals import load_signing_key

            load_signing_key(path)  # SealKeyError (a ValueError) names what is wrong
        return path


class FileSinkConfig(_Table):
    type: Literal["file"] = "file"
    path: str = DEFAULT_JSONL
    rotate_bytes: int = Field(default=104_857_600, ge=0)  # 0: never by size
    rotate_interval_s: float = Field(default=0, ge=0)  # 0: never by time
    fsync: Literal["always", "batch", "never"] = "batch"
    fsync_interval_s: float = Field(default=1.0, gt=0)
    format: DocumentFormat = "auditmw"


class HttpSinkConfig(_Table):
    type: Literal["http"] = "http"
    url: str
    # The document (auditmw | ocsf | ecs) or an envelope (splunk_hec | es_bulk); "json"
    # and "ndjson" (the first framings) still mean auditmw events with that body.
    format: Literal["auditmw", "ocsf", "ecs", "splunk_hec", "es_bulk", "json",
                    "ndjson"] = "auditmw"
    body: Literal["json", "ndjson"] = "json"       # framing of auditmw | ocsf | ecs
    document: DocumentFormat | None = None         # inside an envelope; see docs/sinks.md
    index: str = ""                                # es_bulk _index / Splunk HEC index
    sourcetype: str = "auditmw"                    # Splunk HEC sourcetype
    ca_file: str = ""                              # verify the server against this CA
    client_cert: str = ""                          # PEM certificate for mutual TLS
    client_key: str = ""                           # its key (or inside client_cert)
    proxy: str | None = None                       # default: HTTPS_PROXY/HTTP_PROXY/NO_PROXY
    gzip: bool = False
    headers: dict[str, str] = Field(default_factory=dict)
    signing_key: str = ""
    timeout_s: float = Field(default=5.0, gt=0)
    max_retries: int | None = Field(default=None, ge=0)  # None: [delivery] max_retries
    batch_size: int | None = Field(default=None, ge=1)

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not re.match(r"^https?://", url):
            raise ValueError("must be an http:// or https:// URL")
        return url


class OtelSinkConfig(_Table):
    type: Literal["otel"] = "otel"
    endpoint: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=10.0, gt=0)


class StructlogSinkConfig(_Table):
    type: Literal["structlog"] = "structlog"
    logger: str = "auditmw"


class StdoutSinkConfig(_Table):
    type: Literal["stdout"] = "stdout"
    format: DocumentFormat = "auditmw"


class LoggingSinkConfig(_Table):
    type: Literal["logging"] = "logging"
    logger: str = "auditmw.audit"
    format: DocumentFormat = "auditmw"
    levels: dict[Literal["success", "failure", "denied"], Literal[
        "INFO", "WARNING", "ERROR", "CRITICAL"]] = Field(default_factory=dict)


class SyslogSinkConfig(_Table):
    type: Literal["syslog"] = "syslog"
    address: str = "127.0.0.1:514"                 # host:port
    protocol: Literal["udp", "tcp", "tls"] = "udp"
    format: DocumentFormat = "auditmw"
    ca_file: str = ""                              # tls: verify the server against this CA
    client_cert: str = ""
    client_key: str = ""
    server_name: str = ""                          # tls: name to verify; default: the host
    facility: int = Field(default=13, ge=0, le=23)  # 13 = log audit (RFC 5424 table 1)
    app_name: str = ""                             # default: the trail's service
    timeout_s: float = Field(default=5.0, gt=0)
    max_retries: int | None = Field(default=None, ge=0)
    batch_size: int | None = Field(default=None, ge=1)

    @field_validator("address")
    @classmethod
    def _host_port(cls, address: str) -> str:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be host:port, e.g. '127.0.0.1:6514'")
        return address


class NatsSinkConfig(_Table):
    type: Literal["nats"] = "nats"
    url: str = "nats://127.0.0.1:4222"             # several: comma-separated
    stream: str = "AUDIT"
    subject: str = "audit.{category}"              # {tenant}, {category}, {event}
    format: DocumentFormat = "auditmw"
    create_stream: bool = True                     # create the stream when it is missing
    duplicate_window_s: float = Field(default=120.0, gt=0)
    ack_timeout_s: float = Field(default=5.0, gt=0)
    credentials: str = ""                          # a .creds file
    token: str = ""
    ca_file: str = ""                              # tls:// URLs
    max_retries: int | None = Field(default=None, ge=0)
    batch_size: int | None = Field(default=None, ge=1)

    @field_validator("subject")
    @classmethod
    def _template(cls, subject: str) -> str:
        import string
        names = {f for _, f, _, _ in string.Formatter().parse(subject) if f is not None}
        unknown = names - {"tenant", "category", "event"}
        if unknown:
            raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; allowed: "
                             "{tenant}, {category}, {event}")
        if not subject or any(c in subject for c in " \t*>"):
            raise ValueError("must be a NATS subject without spaces or wildcards")
        return subject


class CustomSinkConfig(BaseModel):
    """``type = "pkg.mod:Class"`` or an ``auditmw.sinks`` entry-point name; other keys go
    to the class as keyword arguments."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: str

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


_BUILTIN_SINKS = ("file", "http", "otel", "structlog", "stdout", "logging", "syslog", "nats")


def _sink_tag(value: Any) -> str:
    kind = value.get("type", "file") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in _BUILTIN_SINKS:
        return str(kind)
    return "custom"


SinkConfig = Annotated[
    Annotated[FileSinkConfig, Tag("file")]
    | Annotated[HttpSinkConfig, Tag("http")]
    | Annotated[OtelSinkConfig, Tag("otel")]
    | Annotated[StructlogSinkConfig, Tag("structlog")]
    | Annotated[StdoutSinkConfig, Tag("stdout")]
    | Annotated[LoggingSinkConfig, Tag("logging")]
    | Annotated[SyslogSinkConfig, Tag("syslog")]
    | Annotated[NatsSinkConfig, Tag("nats")]
    | Annotated[CustomSinkConfig, Tag("custom")],
    Discriminator(_sink_tag),
]


class TenantRetentionConfig(_Table):
    default: int | None = Field(default=None, ge=1)
    categories: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)


class RetentionConfig(_Table):
    """``store.retention`` (docs/tenants.md): days per category and tenant."""

    default: int | None = Field(default=None, ge=1)
    categories: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    tenants: dict[str, TenantRetentionConfig] = Field(default_factory=dict)


class StoreConfig(_Table):
    enabled: bool = True
    url: str = DEFAULT_STORE
    retention_days: int = Field(default=365, ge=1)  # the old form of retention.default
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    purge_interval_s: float = Field(default=3600.0, gt=0)

    @model_validator(mode="after")
    def _one_default(self) -> StoreConfig:
        default = self.retention.default
        if (default is not None and "retention_days" in self.model_fields_set
                and default != self.retention_days):
            raise ValueError("retention.default and retention_days both set, to different "
                             "days: keep retention.default (retention_days is its old name)")
        return self

    def retention_policy(self) -> Any:
        """The :class:`auditmw.store.retention.RetentionPolicy` these settings give."""
        from auditmw.store.retention import RetentionPolicy

        rule = self.retention.model_dump()
        rule["default"] = rule["default"] or self.retention_days
        return RetentionPolicy.of(rule)

    @field_validator("url")
    @classmethod
    def _scheme(cls, url: str) -> str:
        if not re.match(r"^(sqlite:///|postgres(ql)?://)", url):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return url


class ServerConfig(_Table):
    prefix: str = "/audit"
    mount: bool = False
    edition: Literal["enterprise", "platform"] = "enterprise"
    max_export_days: int = Field(default=366, ge=1)
    host: str = "127.0.0.1"
    port: int = Field(default=9001, ge=0, le=65535)
    keys_pepper: str = ""  # HMAC key for access-key hashes, kept outside the database
    host_auth: bool = False  # mounted: the host app's signed-in user may read (docs/page.md)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, prefix: str) -> str:
        if prefix and not prefix.startswith("/"):
            raise ValueError("must be empty or start with '/'")
        return prefix.rstrip("/")


def _default_sinks() -> list[SinkConfig]:
    return [FileSinkConfig()]


class Config(_Table):
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
