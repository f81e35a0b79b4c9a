"""``type = "otel"``: each event as an OpenTelemetry log record, exported over OTLP/HTTP.

Records go through the SDK's own ``LoggerProvider`` (resource ``service.name`` = the
trail's service, ``host.name``), and each batch is exported synchronously so the engine
knows whether it arrived: a failed export is retried and spooled like any other sink's
batch (the SDK's ``BatchLogRecordProcessor`` would drop it silently when full).

A record carries:

- ``event_name`` and the attribute ``event.name``: the catalogue name;
- ``timestamp`` = the event's ``time``; trace and span id from the event's ``trace``;
- severity by outcome: ``success`` INFO, ``denied`` WARN, ``failure`` ERROR;
- semantic-convention attributes ``user.id``, ``user.name``, ``client.address``,
  ``user_agent.original``, ``http.request.method``, ``url.path``,
  ``http.response.status_code``;
- everything else as ``audit.<field>`` (``audit.target.id``, ``audit.integrity.hash``...),
  with ``audit.details`` as compact JSON;
- a short human body: ``"createAssetGroup by Ann: success"``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
from auditmw.delivery.retry import RetryableError
from auditmw.ids import parse_time
from auditmw.sinks.base import EventDict

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
}
SEVERITY = {
    "success": (SeverityNumber.INFO, "INFO"),
    "denied": (SeverityNumber.WARN, "WARN"),
    "failure": (SeverityNumber.ERROR, "ERROR"),
}
_NOT_ATTRIBUTES = frozenset({"event", "time", "trace", "details"})


def _scalar(value: Any) -> str | int | float | bool:
    if isinstance(value, str | bool | int | float):
        return value
    return codec.dumps_str(value)


def attributes_of(event: EventDict) -> dict[str, Any]:
    """The log record attributes for one event (see the module docstring)."""
    attrs: dict[str, Any] = {"event.name": event.get("event", "")}
    for key, value in event.items():
        if key in _NOT_ATTRIBUTES or value is None:
            continue
        if isinstance(value, dict):
            for sub, inner in value.items():
                if inner is not None:
                    attrs[SEMCONV.get((key, sub), f"audit.{key}.{sub}")] = _scalar(inner)
        else:
            attrs[f"audit.{key}"] = _scalar(value)
    if "details" in event:
        attrs["audit.details"] = codec.dumps_str(event["details"])
    return attrs


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


def _time_ns(text: Any) -> int | None:
    try:
        moment = parse_time(str(text))
    except ValueError:
        return None
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def body_of(event: EventDict) -> str:
    actor = event.get("actor") or {}
    who = actor.get("name") or actor.get("id") or actor.get("type") or "anonymous"
    return f"{event.get('event', '?')} by {who}: {event.get('outcome', '?')}"


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
    durable = False

    def __init__(self, exporter: LogRecordExporter, *, service: str = "app",
                 name: str = "otel", batch_size: int | None = None) -> None:
        self.name = name
        self.exporter = exporter
        self.batch_size = batch_size
        resource = Resource.create({"service.name": service, "host.name": socket.gethostname()})
        self.provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
        self._collector = _Collector()
        self.provider.add_log_record_processor(self._collector)
        self._logger = self.provider.get_logger("auditmw")
        self._lock = threading.Lock()

    def write(self, events: Sequence[EventDict]) -> None:
        with self._lock:
            self._collector.records = []
            for event in events:
                severity, text = SEVERITY.get(str(event.get("outcome")), SEVERITY["success"])
                self._logger.emit(
                    timestamp=_time_ns(event.get("time")), context=context_of(event),
                    severity_number=severity, severity_text=text, body=body_of(event),
                    attributes=attributes_of(event), event_name=str(event.get("event", "")))
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


def from_config(config: OtelSinkConfig, **context: Any) -> OtelSink:
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

    exporter = OTLPLogExporter(
        endpoint=logs_endpoint(config.endpoint) if config.endpoint else None,
        headers=config.headers or None, timeout=config.timeout_s)
    return OtelSink(exporter, service=str(context.get("service") or "app"))
