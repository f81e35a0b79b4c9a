"""The otel sink: through the SDK's in-memory exporter, and over OTLP/HTTP to a local
receiver that decodes the protobuf like a collector would."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry._logs import SeverityNumber
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter

from auditmw.delivery.retry import RetryableError
from auditmw.event import Actor, AuditEvent, Client, RequestInfo, Target
from auditmw.sinks.otel import OtelSink, attributes_of, logs_endpoint
from auditmw.trail import AuditTrail

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba902b7"


def full_event(outcome: str = "success") -> dict[str, Any]:
    event = AuditEvent.create(
        "deleteScope", "discovery_configuration", "delete", outcome=outcome,
        actor=Actor(id="u1", name="Ann", team="blue"),
        client=Client(ip="203.0.113.7", user_agent="curl/8"),
        channel="api", source="graphql", target=Target(type="Scope", id="42", name="lab"),
        details={"id": 42, "nested": {"a": [1, 2]}},
        request=RequestInfo(method="POST", path="/graphql", status=200, operation="Del"),
    ).to_dict()
    event["trace"] = {"trace_id": TRACE_ID, "span_id": SPAN_ID}
    event["service"] = {"name": "inventory", "host": "web-1"}
    return event


def test_attributes_follow_semantic_conventions_and_keep_the_rest_as_audit() -> None:
    event = full_event()
    attrs = attributes_of(event, {"deleteScope": "mutation"})
    assert "event.name" not in attrs  # deprecated: the record's EventName carries it
    assert attrs["log.record.uid"] == event["id"]
    assert "audit.id" not in attrs
    assert attrs["graphql.operation.name"] == "Del"
    assert attrs["graphql.operation.type"] == "mutation"
    assert attrs["user.id"] == "u1"
    assert attrs["user.name"] == "Ann"
    assert attrs["client.address"] == "203.0.113.7"
    assert attrs["user_agent.original"] == "curl/8"
    assert attrs["http.request.method"] == "POST"
    assert attrs["url.path"] == "/graphql"
    assert attrs["http.response.status_code"] == 200
    assert attrs["audit.category"] == "discovery_configuration"
    assert attrs["audit.actor.team"] == "blue"
    assert attrs["audit.target.id"] == "42"
    assert attrs["audit.details"] == '{"id":42,"nested":{"a":[1,2]}}'
    assert attrs["audit.service.name"] == "inventory"
    assert not any(k.startswith("audit.trace") or k == "audit.time" for k in attrs)
    assert all(isinstance(v, str | int | float | bool) for v in attrs.values())


@pytest.mark.parametrize(("outcome", "severity"), [
    pytest.param("success", SeverityNumber.INFO, id="success-info"),
    pytest.param("denied", SeverityNumber.WARN, id="denied-warn"),
    pytest.param("failure", SeverityNumber.ERROR, id="failure-error"),
])
def test_in_memory_exporter_sees_each_record(outcome: str, severity: SeverityNumber) -> None:
    exporter = InMemoryLogRecordExporter()
    sink = OtelSink(exporter, service="inventory")
    event = full_event(outcome)
    sink.write([event])
    (record,) = exporter.get_finished_logs()
    log = record.log_record
    assert log.event_name == "deleteScope"
    assert log.severity_number == severity
    assert log.body == f"deleteScope by Ann: {outcome}"
    assert f"{log.trace_id:032x}" == TRACE_ID
    assert f"{log.span_id:016x}" == SPAN_ID
    assert log.timestamp is not None
    assert log.timestamp // 1000 % 1_000_000 == int(event["time"][20:26])
    assert log.attributes is not None
    assert log.attributes["audit.outcome"] == outcome
    assert record.resource.attributes["service.name"] == "inventory"
    sink.close()


def test_an_event_without_trace_gets_no_trace_context() -> None:
    exporter = InMemoryLogRecordExporter()
    sink = OtelSink(exporter)
    event = full_event()
    del event["trace"]
    sink.write([event])
    assert exporter.get_finished_logs()[0].log_record.trace_id in (0, None)
    sink.close()


def test_a_failed_export_raises_so_the_engine_retries() -> None:
    exporter = InMemoryLogRecordExporter()
    sink = OtelSink(exporter)
    exporter.shutdown()  # an exporter that answers FAILURE
    with pytest.raises(RetryableError, match="OTLP export"):
        sink.write([full_event()])


def test_logs_endpoint() -> None:
    assert logs_endpoint("http://127.0.0.1:4318") == "http://127.0.0.1:4318/v1/logs"
    assert logs_endpoint("http://127.0.0.1:4318/") == "http://127.0.0.1:4318/v1/logs"
    assert logs_endpoint("http://c:4318/custom/logs") == "http://c:4318/custom/logs"


class OtlpReceiver:
    """A minimal OTLP/HTTP logs endpoint: decodes ExportLogsServiceRequest protobufs."""

    def __init__(self) -> None:
        self.records: list[tuple[dict[str, Any], Any]] = []
        self.requests: list[ExportLogsServiceRequest] = []
        self.fail_next = 0
        self.partial = 0
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                status = 200
                if owner.fail_next:
                    owner.fail_next -= 1
                    status = 503
                else:
                    request = ExportLogsServiceRequest()
                    request.ParseFromString(raw)
                    owner.requests.append(request)
                    for resource_logs in request.resource_logs:
                        resource = {a.key: a.value.string_value
                                    for a in resource_logs.resource.attributes}
                        for scope_logs in resource_logs.scope_logs:
                            owner.records.extend((resource, r) for r in scope_logs.log_records)
                response = ExportLogsServiceResponse()
                if owner.partial:
                    response.partial_success.rejected_log_records = owner.partial
                    response.partial_success.error_message = "too old"
                answer = response.SerializeToString()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def otlp() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    yield receiver
    receiver.close()


def test_otlp_http_receiver_decodes_what_the_trail_sends(otlp: OtlpReceiver,
                                                         tmp_path: Path) -> None:
    otlp.fail_next = 1  # the first export meets a 503: retried, nothing lost
    trail = AuditTrail(
        store=False, service="inventory",
        delivery={"spool_dir": str(tmp_path / "spool"), "retry_backoff_s": 0.05},
        sinks=[{"type": "otel", "endpoint": otlp.endpoint, "timeout_s": 5}])
    ids = [trail.record("deleteScope", actor=Actor(id=f"u{n}", name="Ann"),
                        outcome="denied" if n % 2 else "success", target=str(n),
                        client_ip="198.51.100.9").id for n in range(20)]
    assert trail.flush(20)
    trail.close()
    seen: dict[str, Any] = {}
    for resource, record in otlp.records:
        attrs = {a.key: a.value for a in record.attributes}
        seen[attrs["log.record.uid"].string_value] = (resource, record, attrs)
    assert sorted(seen) == sorted(ids)
    resource, record, attrs = seen[ids[1]]
    assert resource["service.name"] == "inventory"
    assert record.event_name == "deleteScope"
    assert record.severity_number == SeverityNumber.WARN.value
    assert attrs["user.id"].string_value == "u1"
    assert attrs["client.address"].string_value == "198.51.100.9"
    assert attrs["audit.target.id"].string_value == "1"
    assert "event.name" not in attrs
    assert attrs["log.record.uid"].string_value == ids[1]


def test_error_type_follows_semantic_conventions() -> None:
    event = {**full_event("failure"), "error": {"type": "ValueError", "message": "bad"}}
    attrs = attributes_of(event)
    assert attrs["error.type"] == "ValueError"
    assert attrs["audit.error.message"] == "bad"


def sdk_reference(events: list[dict[str, Any]], types: dict[str, str]) -> tuple[
        Any, ExportLogsServiceRequest]:
    """The SDK path's sink and what the SDK's own OTLP encoder makes of ``events``."""
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs

    exporter = InMemoryLogRecordExporter()
    sdk_sink = OtelSink(exporter, service="inventory", operation_types=types)
    sdk_sink.write(events)
    return sdk_sink, encode_logs(exporter.get_finished_logs())


def assert_same_records(ours: ExportLogsServiceRequest,
                        reference: ExportLogsServiceRequest, count: int) -> None:
    """Equal resource, scope and records (attributes compared as the set they are; the
    observed time and the SDK's scope version left out)."""
    for request in (ours, reference):
        for scope_logs in request.resource_logs[0].scope_logs:
            scope_logs.scope.version = ""
            for record in scope_logs.log_records:
                record.observed_time_unix_nano = 0
    assert ours.resource_logs[0].resource == reference.resource_logs[0].resource
    got = [r for s in ours.resource_logs[0].scope_logs for r in s.log_records]
    want = reference.resource_logs[0].scope_logs[0]
    assert ours.resource_logs[0].scope_logs[0].scope.name == want.scope.name == "auditmw"
    assert len(got) == count
    for mine, theirs in zip(got, want.log_records, strict=True):
        assert {a.key: a.value for a in mine.attributes} == {
            a.key: a.value for a in theirs.attributes}
        assert len(mine.attributes) == len(theirs.attributes)
        del mine.attributes[:]
        del theirs.attributes[:]
        assert mine == theirs


def test_the_direct_encoding_is_what_the_sdk_exporter_would_send(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same events through the SDK path and its own OTLP encoder (the reference), and
    through the direct encoder: the decoded requests are equal, record by record."""
    from auditmw.sinks.otlp import OtlpEncoder

    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test,n=3")
    events = [full_event(o) for o in ("success", "denied", "failure")]
    del events[1]["trace"]
    events[2]["error"] = {"type": "KeyError", "message": "ünï \u2028 \x00"}
    events[2]["details"] = {"big": 2**70, "neg": -5, "f": 1.5, "b": True}
    events[2]["duration_ms"] = -0.25
    events[2]["n"] = -7
    types = {"deleteScope": "mutation"}
    sdk_sink, reference = sdk_reference(events, types)
    ours = ExportLogsServiceRequest()
    ours.ParseFromString(OtlpEncoder(sdk_sink.resource, operation_types=types)
                         .request(events))
    assert_same_records(ours, reference, 3)
    sdk_sink.close()


def varied_events() -> list[dict[str, Any]]:
    """Events that share what the encoder caches (the head fields, the keys, the second)
    and events that differ from them in one way each: a value of another type that
    compares equal (1, 1.0, True), None members, long and non-ASCII text, other time
    forms, a bad trace, a dict subclass, a list where an object usually is."""
    from collections import OrderedDict

    events = [full_event(("success", "denied", "failure")[n % 3]) for n in range(12)]
    for n, event in enumerate(events):
        event["target"] = {"type": "Scope", "id": str(n)}
    for n, tenant in zip((0, 3, 6, 9), (1, 1.0, True, "1"), strict=True):
        events[n]["tenant"] = tenant  # same outcome: only the tenant's type differs
    events[5]["actor"] = {"id": "u2", "name": None, "type": "service"}
    events[6]["target"] = {"type": "Scope", "id": "x" * 300, "name": "ünï" * 50}
    events[7]["time"] = "2026-12-01T14:33:09+02:00"
    events[8]["time"] = "2026-12-01T14:33:09.1Z"
    events[9]["trace"] = {"trace_id": "zz", "span_id": SPAN_ID}
    events[10]["request"] = OrderedDict(method="GET", path="/a", status=404)
    events[11]["client"] = {"ip": "198.51.100.1", "forwarded": ["10.0.0.1", "10.0.0.2"]}
    events[11]["source"] = "http"
    return events + [dict(e) for e in events]  # the second time from the caches


def test_the_receiver_decodes_what_the_sdk_exporter_would_send(
        otlp: OtlpReceiver) -> None:
    """Through the sink and HTTP: the receiver's bytes, decoded with the official
    classes, equal the SDK's own encoding of the same events — also for the events the
    encoder's caches answer."""
    from auditmw.sinks.otlp import OtlpHttpSink

    events = varied_events()
    types = {"deleteScope": "mutation"}
    sdk_sink, reference = sdk_reference(events, types)
    sink = OtlpHttpSink(otlp.endpoint + "/v1/logs", resource=sdk_sink.resource,
                        operation_types=types)
    sink.write(events)
    sink.close()
    (received,) = otlp.requests
    assert_same_records(received, reference, len(events))
    sdk_sink.close()


def test_service_name_comes_from_the_environment_unless_the_config_sets_it(
        monkeypatch: pytest.MonkeyPatch, otlp: OtlpReceiver, tmp_path: Path) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "from-env")
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod")
    for config, expected in (({}, "from-env"), ({"service": "inventory"}, "inventory")):
        otlp.records.clear()
        trail = AuditTrail(store=False, **config,
                           delivery={"spool_dir": str(tmp_path / "spool")},
                           sinks=[{"type": "otel", "endpoint": otlp.endpoint}])
        trail.record("deleteScope")
        assert trail.flush(20)
        trail.close()
        resource, _record = otlp.records[0]
        assert resource["service.name"] == expected
        assert resource["deployment.environment"] == "prod"


def test_without_any_service_name_the_trail_default_is_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from auditmw.sinks.otel import resource_for

    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert resource_for(None, "app").attributes["service.name"] == "app"
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=attr-svc")
    assert resource_for(None, "app").attributes["service.name"] == "attr-svc"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "env-svc")
    assert resource_for(None, "app").attributes["service.name"] == "env-svc"
    assert resource_for("cfg", "app").attributes["service.name"] == "cfg"


def test_standard_exporter_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditmw.config import OtelSinkConfig
    from auditmw.sinks.otel import otlp_settings

    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
           "OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b,x=1",
           "OTEL_EXPORTER_OTLP_LOGS_HEADERS": "only=logs",
           "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}
    found = otlp_settings(OtelSinkConfig(), env)
    assert found["url"] == "http://c:4318/v1/logs"
    assert found["headers"] == {"only": "logs"}  # the LOGS_ variable wins
    assert found["gzip"] is True
    env["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = "http://d:1/custom"
    assert otlp_settings(OtelSinkConfig(), env)["url"] == "http://d:1/custom"
    given = OtelSinkConfig(endpoint="http://e:4318", headers={"k": "v"})
    assert otlp_settings(given, {})["url"] == "http://e:4318/v1/logs"
    assert otlp_settings(given, {})["headers"] == {"k": "v"}


def test_gzip_and_a_partial_success_is_dead_lettered(otlp: OtlpReceiver) -> None:
    from auditmw.delivery.retry import PermanentError
    from auditmw.sinks.otlp import OtlpHttpSink

    sink = OtlpHttpSink(otlp.endpoint + "/v1/logs", gzip=True)
    sink.write([full_event()])
    assert len(otlp.records) == 1
    otlp.partial = 1
    with pytest.raises(PermanentError, match="rejected 1 of 2"):
        sink.write([full_event(), full_event()])
    sink.close()
