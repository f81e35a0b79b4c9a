"""``[delivery]``, ``[integrity]`` and ``[[sinks]]``: where finished events go, and how."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from auditmw.config.base import DEFAULT_JSONL, DocumentFormat, Table


class DeliveryConfig(Table):
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


class IntegrityConfig(Table):
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


class FileSinkConfig(Table):
    type: Literal["file"] = "file"
    path: str = DEFAULT_JSONL
    rotate_bytes: int = Field(default=104_857_600, ge=0)  # 0: never by size
    rotate_interval_s: float = Field(default=0, ge=0)  # 0: never by time
    fsync: Literal["always", "batch", "never"] = "batch"
    fsync_interval_s: float = Field(default=1.0, gt=0)
    format: DocumentFormat = "auditmw"


class HttpSinkConfig(Table):
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


class OtelSinkConfig(Table):
    type: Literal["otel"] = "otel"
    endpoint: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=10.0, gt=0)


class StructlogSinkConfig(Table):
    type: Literal["structlog"] = "structlog"
    logger: str = "auditmw"


class StdoutSinkConfig(Table):
    type: Literal["stdout"] = "stdout"
    format: DocumentFormat = "auditmw"


class LoggingSinkConfig(Table):
    type: Literal["logging"] = "logging"
    logger: str = "auditmw.audit"
    format: DocumentFormat = "auditmw"
    levels: dict[Literal["success", "failure", "denied"], Literal[
        "INFO", "WARNING", "ERROR", "CRITICAL"]] = Field(default_factory=dict)


class SyslogSinkConfig(Table):
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


class NatsSinkConfig(Table):
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
