"""``[capture]``, ``[actor]`` and ``[catalog]``: what is recorded, and who did it."""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from auditmw.config.base import Table


class SiteAccessConfig(Table):
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


class RouteConfig(Table):
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


class CaptureConfig(Table):
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


class JwtClaimsConfig(Table):
    id: str = "sub"
    name: str = "name"
    team: str = "team"
    on_behalf_of: str = "act.sub"  # RFC 8693's actor claim; "" to ignore


class JwtConfig(Table):
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


class ActorConfig(Table):
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


class CatalogConfig(Table):
    builtin: bool = True
    files: list[str] = Field(default_factory=list)
    disabled_categories: list[str] = Field(default_factory=list)
    disabled_events: list[str] = Field(default_factory=list)
    events: dict[str, dict[str, Any]] = Field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = Field(default_factory=dict)
