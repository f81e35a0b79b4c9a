"""The http sink's TLS, proxy and envelope options against real peers on 127.0.0.1."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditmw.config import load_config
from auditmw.delivery.retry import PermanentError, RetryableError
from auditmw.errors import ConfigError
from auditmw.formats.ecs import to_ecs
from auditmw.sinks import build_sink
from auditmw.sinks.http import HttpSink, proxy_for
from support.events import make_event
from support.schemas import ecs_problems, ocsf_problems
from support.tls_support import ConnectProxy, HttpsCollector, TestPKI


@pytest.fixture
def pki(tmp_path: Path) -> TestPKI:
    return TestPKI(tmp_path)


@pytest.fixture
def collector(pki: TestPKI) -> Iterator[HttpsCollector]:
    running = HttpsCollector(pki)
    yield running
    running.close()


def _event(n: int) -> dict[str, object]:
    return {**make_event(n), "service": {"name": "api", "host": "web-1"}}


def test_mutual_tls_delivers_and_the_server_sees_our_certificate(
        pki: TestPKI, collector: HttpsCollector) -> None:
    sink = HttpSink(collector.url, ca_file=str(pki.ca_file), client_cert=str(pki.client_cert),
                    client_key=str(pki.client_key))
    events = [_event(1), _event(2)]
    try:
        sink.write(events)
    finally:
        sink.close()
    assert len(collector.requests) == 1
    request = collector.requests[0]
    assert [e["id"] for e in json.loads(request["body"])] == [e["id"] for e in events]
    subject_alt = dict(request["peer"]["subjectAltName"])
    assert subject_alt["email"] == "auditmw-client@example.org"


def test_without_a_client_certificate_the_collector_refuses_and_we_retry(
        pki: TestPKI, collector: HttpsCollector) -> None:
    sink = HttpSink(collector.url, ca_file=str(pki.ca_file), timeout_s=2)
    with pytest.raises(RetryableError):
        sink.write([_event(1)])
    sink.close()
    assert collector.requests == []


def test_a_server_from_another_ca_is_not_trusted(pki: TestPKI,
                                                 collector: HttpsCollector) -> None:
    sink = HttpSink(collector.url, ca_file=str(pki.other_ca_file),
                    client_cert=str(pki.client_cert), client_key=str(pki.client_key))
    with pytest.raises(RetryableError, match="CERTIFICATE_VERIFY_FAILED"):
        sink.write([_event(1)])
    sink.close()
    assert collector.requests == []


def test_https_through_a_connect_proxy_from_the_environment(
        pki: TestPKI, collector: HttpsCollector, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = ConnectProxy(credentials="Basic " + base64.b64encode(b"me:p@ss").decode())
    try:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://me:p%40ss@"))
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        sink = HttpSink(collector.url, ca_file=str(pki.ca_file),
                        client_cert=str(pki.client_cert), client_key=str(pki.client_key))
        sink.write([_event(1)])
        sink.write([_event(2)])  # the kept-alive tunnel carries the second batch
        sink.close()
    finally:
        proxy.close()
    port = collector.url.split(":")[2].split("/")[0]
    assert proxy.tunnels == [f"127.0.0.1:{port}"]
    assert len(collector.requests) == 2


def test_no_proxy_and_explicit_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "siem.local")
    assert proxy_for("https://siem.local/x") is None
    assert proxy_for("https://elsewhere.org/x") == "http://proxy.internal:3128"
    assert proxy_for("https://elsewhere.org/x", "") is None
    assert proxy_for("https://siem.local/x", "http://p:1") == "http://p:1"
    with pytest.raises(ValueError, match="proxy must be an http:// URL"):
        HttpSink("https://elsewhere.org/x", proxy="socks5://p:1")


def test_unreadable_tls_files_fail_at_start_naming_the_sink(tmp_path: Path) -> None:
    config = load_config({"sinks": [{"type": "http", "url": "https://127.0.0.1:1/x",
                                     "ca_file": str(tmp_path / "missing.pem")}]})
    with pytest.raises(ConfigError, match=r"sinks \(http https://127.0.0.1:1/x\)"):
        build_sink(config.sinks[0])


def test_splunk_hec_envelope(pki: TestPKI, collector: HttpsCollector) -> None:
    collector.answer = (200, b'{"text":"Success","code":0}')
    sink = HttpSink(collector.url, format="splunk_hec", index="audit", ca_file=str(pki.ca_file),
                    client_cert=str(pki.client_cert), client_key=str(pki.client_key),
                    headers={"Authorization": "Splunk 0000"})
    events = [_event(1), _event(2)]
    sink.write(events)
    sink.close()
    body = collector.requests[0]["body"].decode()
    decoder, pos, found = json.JSONDecoder(), 0, []
    while pos < len(body):  # HEC takes JSON objects one after another, not an array
        obj, pos = decoder.raw_decode(body, pos)
        found.append(obj)
        pos += len(body[pos:]) - len(body[pos:].lstrip())
    assert [f["event"]["id"] for f in found] == [e["id"] for e in events]
    assert found[0]["index"] == "audit"
    assert found[0]["sourcetype"] == "auditmw"
    assert found[0]["host"] == "web-1"
    assert isinstance(found[0]["time"], float)
    assert collector.requests[0]["headers"]["authorization"] == "Splunk 0000"


def test_es_bulk_envelope_and_per_item_answers(pki: TestPKI,
                                              collector: HttpsCollector) -> None:
    sink = HttpSink(collector.url, format="es_bulk", index="audit-events",
                    ca_file=str(pki.ca_file), client_cert=str(pki.client_cert),
                    client_key=str(pki.client_key))
    events = [_event(1), _event(2)]
    collector.answer = (200, json.dumps({"errors": True, "items": [
        {"create": {"_id": "a", "status": 201}},
        {"create": {"_id": "b", "status": 409, "error": {"reason": "exists"}}}]}).encode())
    sink.write(events)  # 409: stored by an earlier try, so delivered
    lines = [json.loads(line) for line in collector.requests[0]["body"].splitlines()]
    assert lines[0] == {"create": {"_index": "audit-events", "_id": events[0]["id"]}}
    assert lines[1] == to_ecs(events[0])
    assert ecs_problems(lines[1]) == []
    assert collector.requests[0]["headers"]["content-type"] == "application/x-ndjson"
    collector.answer = (200, json.dumps({"errors": True, "items": [
        {"create": {"_id": "a", "status": 429, "error": {"reason": "busy"}}}]}).encode())
    with pytest.raises(RetryableError, match="1 item"):
        sink.write(events)
    collector.answer = (200, json.dumps({"errors": True, "items": [
        {"create": {"_id": "a", "status": 400,
                    "error": {"reason": "mapper_parsing_exception"}}}]}).encode())
    with pytest.raises(PermanentError, match="mapper_parsing_exception"):
        sink.write(events)
    sink.close()


@pytest.mark.parametrize("fmt", ["ocsf", "ecs"])
def test_ocsf_and_ecs_bodies(pki: TestPKI, collector: HttpsCollector, fmt: str) -> None:
    sink = HttpSink(collector.url, format=fmt, body="ndjson", ca_file=str(pki.ca_file),
                    client_cert=str(pki.client_cert), client_key=str(pki.client_key))
    sink.write([_event(1)])
    sink.close()
    doc = json.loads(collector.requests[0]["body"])
    assert (ocsf_problems if fmt == "ocsf" else ecs_problems)(doc) == []


def test_old_format_spellings_still_work() -> None:
    sink = HttpSink("http://127.0.0.1:1/x", format="ndjson")
    assert (sink.format, sink.body) == ("auditmw", "ndjson")
    with pytest.raises(ValueError, match="document applies"):
        HttpSink("http://127.0.0.1:1/x", format="ocsf", document="ecs")
