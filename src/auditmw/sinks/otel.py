"""``type = "otel"``: each event as an OpenTelemetry log record, exported over OTLP/HTTP.

Two paths, one mapping (:func:`attributes_of`, :func:`severity_of`, :func:`body_of`):

- **OTLP/HTTP** (``from_config``, the configured sink): each batch is encoded straight to
  one protobuf ``ExportLogsServiceRequest`` (:mod:`auditmw.sinks.otlp`) — no SDK record
  objects, the bytes built once per batch — and POSTed through the http sink's transport
  (keep-alive, TLS, proxies, Retry-After). The collector's answer decides: 2xx delivered
  (a partial success that rejected records goes to the dead-letter file with the
  collector's message), 429/5xx and connection errors retried and spooled, other 4xx
  dead-lettered.
- **an SDK exporter** (``OtelSink(exporter)``: the in-memory exporter in tests, any
  custom ``LogRecordExporter``): records go through the SDK's own ``LoggerProvider`` and
  each batch is exported synchronously, so a failed export is retried and spooled like
  any other batch (the SDK's ``BatchLogRecordProcessor`` would drop it when full).

A record carries (semantic conventions as of 1.3x):

- ``EventName`` (the log record's ``event_name`` field): the catalogue name — not the
  deprecated ``event.name`` attribute;
- ``timestamp`` = the event's ``time``; trace and span id from the event's ``trace``;
- severity by outcome: ``success`` INFO, ``denied`` WARN, ``failure`` ERROR;
- ``log.record.uid`` = the event id; ``user.id``, ``user.name``, ``client.address``,
  ``user_agent.original``, ``http.request.method``, ``url.path``,
  ``http.response.status_code``, ``error.type``, ``graphql.operation.name`` and, when the
  catalogue entry matches one operation type only, ``graphql.operation.type``;
- everything else as ``audit.<field>`` (``audit.target.id``, ``audit.integrity.hash``...),
  with ``audit.details`` as compact JSON;
- a short human body: ``"createAssetGroup by Ann: success"``.

The resource: ``service.name`` = the configured ``service`` when the configuration sets
one, else ``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` (as the SDK reads them),
else the trail's default; ``host.name``; the rest of ``OTEL_RESOURCE_ATTRIBUTES``.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from opentelemetry import trace
from opentelemetry._logs import SeverityNumber
from opentelemetry.context import Context
from opentelemetry.sdk._logs import (
    LoggerProvider,
    LogRecordProcessor,
    ReadableLogRecord,
    ReadWriteLogRecord,
)
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.resources import Resource
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from auditmw import codec
from auditmw.formats import summary
from auditmw.ids import parse_time
from auditmw.types import EventDict, RetryableError

if TYPE_CHECKING:
    from auditmw.config import OtelSinkConfig

SEMCONV = {
    ("actor", "id"): "user.id",
    ("actor", "name"): "user.name",
    ("client", "ip"): "client.address",
    ("client", "user_agent"): "user_agent.original",
    ("request", "method"): "http.request.method",
    ("request", "path"): "url.path",
    ("request", "status"): "http.response.status_code",
    ("request", "operation"): "graphql.operation.name",
    ("error", "type"): "error.type",
}
SEVERITY = {
    "success": (SeverityNumber.INFO, "INFO"),
    "denied": (SeverityNumber.WARN, "WARN"),
    "failure": (SeverityNumber.ERROR, "ERROR"),
}
NOT_ATTRIBUTES = frozenset({"event", "time", "trace", "details", "id"})
#: event name -> "mutation" | "query" when its catalogue entry matches only that type.
OperationTypes = Mapping[str, str]


def scalar(value: Any) -> str | int | float | bool:
    """An attribute value: scalars as they are, integers beyond int64 and anything else
    as text (compact JSON); text with a lone surrogate escaped (``codec.safe_text``: the
    exporter would refuse the whole batch)."""
    if isinstance(value, str):
        return value if value.isascii() else codec.safe_text(value)
    if isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    return codec.dumps_str(value)


def attribute_name(key: str, sub: str | None = None) -> str:
    """The attribute a top-level field (``sub`` None) or one member of an object field is
    written as: its semantic-conventions name, else ``audit.<key>[.<sub>]``."""
    if sub is None:
        return f"audit.{key}"
    return SEMCONV.get((key, sub)) or f"audit.{key}.{sub}"


def field_attributes(key: str, value: Any) -> list[tuple[str, Any]]:
    """The attributes one top-level field of the event gives (``[]`` for the fields
    carried elsewhere: name, time, trace, id, details)."""
    if key in NOT_ATTRIBUTES or value is None:
        return []
    if isinstance(value, dict):
        return [(attribute_name(key, sub), scalar(inner))
                for sub, inner in value.items() if inner is not None]
    return [(attribute_name(key), scalar(value))]


def operation_type(event: EventDict, operation_types: OperationTypes | None) -> str | None:
    if operation_types and event.get("source") == "graphql":
        return operation_types.get(str(event.get("event")))
    return None


def attributes_of(event: EventDict,
                  operation_types: OperationTypes | None = None) -> dict[str, Any]:
    """The log record attributes for one event (see the module docstring), in the order
    both export paths write them."""
    attrs: dict[str, Any] = {}
    if event.get("id") is not None:
        attrs["log.record.uid"] = str(event["id"])
    for key, value in event.items():
        attrs.update(field_attributes(key, value))
    if "details" in event:
        attrs["audit.details"] = codec.dumps_str(event["details"])
    kind = operation_type(event, operation_types)
    if kind:
        attrs["graphql.operation.type"] = kind
    return attrs


def severity_of(event: EventDict) -> tuple[SeverityNumber, str]:
    return SEVERITY.get(str(event.get("outcome")), SEVERITY["success"])


def body_of(event: EventDict) -> str:
    return summary(event)


def time_ns(text: Any) -> int | None:
    try:
        moment = parse_time(str(text))
    except ValueError:
        return None
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def context_of(event: EventDict) -> Context:
    """A context holding the event's trace and span id (an empty one without them, so the
    worker thread's own context never leaks into a record)."""
    found = event.get("trace") or {}
    try:
        trace_id = int(found.get("trace_id", ""), 16)
        span_id = int(found.get("span_id", ""), 16)
    except (TypeError, ValueError):
        return Context()
    span = NonRecordingSpan(SpanContext(trace_id, span_id, is_remote=True,
                                        trace_flags=TraceFlags(TraceFlags.SAMPLED)))
    return trace.set_span_in_context(span, Context())


def resource_for(service: str | None, default: str = "app") -> Resource:
    """The sink's resource: an explicit ``service`` wins; else what the SDK reads from
    ``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES``; else ``default``."""
    attributes: dict[str, Any] = {"host.name": socket.gethostname()}
    if service:
        attributes["service.name"] = service
    resource = Resource.create(attributes)
    if str(resource.attributes.get("service.name", "")).startswith("unknown_service"):
        resource = resource.merge(Resource({"service.name": default}))
    return resource


class _Collector(LogRecordProcessor):
    """Keeps what the provider emitted, for one export call by the sink."""

    def __init__(self) -> None:
        self.records: list[ReadableLogRecord] = []

    def on_emit(self, log_record: ReadWriteLogRecord) -> None:
        self.records.append(ReadableLogRecord(
            log_record=log_record.log_record, resource=log_record.resource or Resource({}),
            instrumentation_scope=log_record.instrumentation_scope, limits=log_record.limits))

    def shutdown(self) -> None:
        self.records = []

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class OtelSink:
    """Through an SDK ``LogRecordExporter`` (see the module docstring)."""

    durable = False

    def __init__(self, exporter: LogRecordExporter, *, service: str | None = "app",
                 name: str = "otel", batch_size: int | None = None,
                 operation_types: OperationTypes | None = None) -> None:
        self.name = name
        self.exporter = exporter
        self.batch_size = batch_size
        self.operation_types = operation_types
        self.resource = resource_for(service)
        self.provider = LoggerProvider(resource=self.resource, shutdown_on_exit=False)
        self._collector = _Collector()
        self.provider.add_log_record_processor(self._collector)
        self._logger = self.provider.get_logger("auditmw")
        self._lock = threading.Lock()

    def write(self, events: Sequence[EventDict]) -> None:
        with self._lock:
            self._collector.records = []
            for event in events:
                severity, text = severity_of(event)
                self._logger.emit(
                    timestamp=time_ns(event.get("time")), context=context_of(event),
                    severity_number=severity, severity_text=text, body=body_of(event),
                    attributes=attributes_of(event, self.operation_types),
                    event_name=str(event.get("event", "")))
            batch, self._collector.records = self._collector.records, []
            result = self.exporter.export(batch)
        if result is not LogRecordExportResult.SUCCESS:
            raise RetryableError(f"OTLP export of {len(batch)} record(s) failed ({result})")

    def flush(self) -> None:
        self.exporter.force_flush()

    def close(self) -> None:
        self.provider.shutdown()
        self.exporter.shutdown()  # type: ignore[no-untyped-call]


def logs_endpoint(endpoint: str) -> str:
    """A base URL (``http://host:4318``) gets the OTLP logs path; a full one is kept."""
    path = endpoint.partition("://")[2]
    if "/" not in path or (path.endswith("/") and path.count("/") == 1):
        return endpoint.rstrip("/") + "/v1/logs"
    return endpoint


def _env(name: str, environ: Mapping[str, str]) -> str:
    """``OTEL_EXPORTER_OTLP_LOGS_<name>``, else ``OTEL_EXPORTER_OTLP_<name>``."""
    return (environ.get(f"OTEL_EXPORTER_OTLP_LOGS_{name}")
            or environ.get(f"OTEL_EXPORTER_OTLP_{name}") or "")


def otlp_settings(config: OtelSinkConfig,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Endpoint, headers, TLS files and compression: the config's, else the standard
    ``OTEL_EXPORTER_OTLP_*`` variables (the ``LOGS_`` ones first), else the defaults."""
    env = os.environ if environ is None else environ
    if config.endpoint:
        url = logs_endpoint(config.endpoint)
    elif env.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"):
        url = env["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"]  # used as is, per the spec
    elif env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        url = logs_endpoint(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
    else:
        url = "http://localhost:4318/v1/logs"
    headers: dict[str, str] = {}
    for item in _env("HEADERS", env).split(","):
        key, sep, value = item.partition("=")
        if sep and key.strip():
            headers[unquote(key.strip())] = unquote(value.strip())
    headers.update(config.headers)
    return {"url": url, "headers": headers,
            "ca_file": _env("CERTIFICATE", env),
            "client_cert": _env("CLIENT_CERTIFICATE", env),
            "client_key": _env("CLIENT_KEY", env),
            "gzip": _env("COMPRESSION", env).strip().lower() == "gzip"}


def from_config(config: OtelSinkConfig, **context: Any) -> Any:
    from auditmw.sinks.otlp import OtlpHttpSink

    explicit = context.get("service") if context.get("service_set", True) else None
    return OtlpHttpSink(**otlp_settings(config), timeout_s=config.timeout_s,
                        resource=resource_for(explicit, str(context.get("service") or "app")),
                        operation_types=_operation_types(context.get("catalog")))


def _operation_types(catalog: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for entry in catalog or ():
        operations = set(getattr(entry, "operations", ()))
        if len(operations) == 1:
            found[entry.name] = next(iter(operations))
    return found

