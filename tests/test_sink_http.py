"""The http sink against a real collector on 127.0.0.1: encodings, signature, idempotency
keys, headers from the environment, and how each answer is classified."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.delivery.retry import PayloadTooLarge, PermanentError, RetryableError
from auditmw.sinks.http import HttpSink, batch_key, sign
from auditmw.trail import AuditTrail
from support.events import make_event
from support.net import free_port
from support.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver(signing_key="s3cret") as running:
        yield running


@pytest.fixture
def make_sink() -> Iterator[Callable[..., HttpSink]]:
    made: list[HttpSink] = []

    def make(url: str, **options: Any) -> HttpSink:
        made.append(HttpSink(url, **options))
        return made[-1]

    yield make
    for sink in made:
        sink.close()


@pytest.mark.parametrize(("fmt", "compress"), [
    pytest.param("json", False, id="json"),
    pytest.param("json", True, id="json-gzip"),
    pytest.param("ndjson", False, id="ndjson"),
    pytest.param("ndjson", True, id="ndjson-gzip"),
])
def test_every_encoding_arrives_whole_and_signed(receiver: Receiver, fmt: str,
                                                 compress: bool,
                                                 make_sink: Callable[..., HttpSink]) -> None:
    sink = make_sink(receiver.url, format=fmt, gzip=compress, signing_key="s3cret")
    batch = [make_event(n, note="ünïcödé \u2028") for n in range(25)]
    sink.write(batch)
    assert receiver.events == json.loads(json.dumps(batch))
    request = receiver.requests[0]
    assert request["signature_ok"] is True
    assert request["headers"]["content-type"] == (
        "application/json" if fmt == "json" else "application/x-ndjson")
    assert (request["headers"].get("content-encoding") == "gzip") is compress
    assert request["headers"]["x-auditmw-event-count"] == "25"
    assert request["headers"]["idempotency-key"] == batch_key(batch)


def test_signature_covers_the_bytes_sent() -> None:
    sink = HttpSink("http://127.0.0.1:1/x", gzip=True, signing_key="k")
    body, headers = sink.encode([make_event(1)])
    assert gzip.decompress(body).startswith(b"[{")
    assert headers["X-Auditmw-Signature"] == (
        "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest())
    assert sign("k", body) == headers["X-Auditmw-Signature"]
    assert "X-Auditmw-Signature" not in HttpSink("http://127.0.0.1:1/x").encode([])[1]


def test_idempotency_key_is_stable_per_batch_and_differs_between_batches() -> None:
    batch = [make_event(n) for n in range(3)]
    assert batch_key(batch) == batch_key([dict(e) for e in batch])
    assert batch_key(batch) != batch_key(batch[:2])
    assert batch_key(batch) != batch_key(list(reversed(batch)))


def test_headers_come_from_config_with_env_expansion(receiver: Receiver, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIEM_TOKEN", "tok-123")
    trail = AuditTrail(store=False, delivery={"spool_dir": str(tmp_path / "spool")},
                       sinks=[{"type": "http", "url": receiver.url, "signing_key": "s3cret",
                               "headers": {"Authorization": "Bearer ${SIEM_TOKEN}"}}])
    trail.record("createAssetGroup", details={"name": "g"})
    assert trail.flush(10)
    trail.close()
    assert receiver.requests[0]["headers"]["authorization"] == "Bearer tok-123"
    assert receiver.requests[0]["signature_ok"] is True
    assert [e["event"] for e in receiver.events] == ["createAssetGroup"]


@pytest.mark.parametrize(("status", "extra", "error", "retry_after"), [
    pytest.param(503, {"Retry-After": "7"}, RetryableError, 7.0, id="503-retry-after"),
    pytest.param(500, {}, RetryableError, None, id="500"),
    pytest.param(502, {}, RetryableError, None, id="502"),
    pytest.param(429, {"Retry-After": "2"}, RetryableError, 2.0, id="429"),
    pytest.param(408, {}, RetryableError, None, id="408"),
    pytest.param(413, {}, PayloadTooLarge, None, id="413"),
    pytest.param(400, {}, PermanentError, None, id="400"),
    pytest.param(401, {}, PermanentError, None, id="401"),
    pytest.param(404, {}, PermanentError, None, id="404"),
    pytest.param(422, {}, PermanentError, None, id="422"),
    pytest.param(301, {"Location": "/elsewhere"}, PermanentError, None, id="redirect"),
])
def test_each_answer_is_classified(receiver: Receiver, status: int, extra: dict[str, str],
                                   error: type[Exception], retry_after: float | None,
                                   make_sink: Callable[..., HttpSink]) -> None:
    receiver.script.append((status, extra))
    sink = make_sink(receiver.url)
    with pytest.raises(error) as caught:
        sink.write([make_event(1)])
    assert str(status) in str(caught.value)
    if retry_after is not None:
        assert caught.value.retry_after == retry_after  # type: ignore[attr-defined]
    assert receiver.events == []
    sink.write([make_event(2)])  # the connection is still usable afterwards
    assert len(receiver.events) == 1


def test_refused_connection_is_retryable(make_sink: Callable[..., HttpSink]) -> None:
    sink = make_sink(f"http://127.0.0.1:{free_port()}/ingest", timeout_s=2)
    with pytest.raises(RetryableError, match="Connection refused"):
        sink.write([make_event(1)])


def test_a_silent_server_costs_at_most_the_timeout(make_sink: Callable[..., HttpSink]) -> None:
    receiver = Receiver().start()
    receiver.mode = "hang"
    sink = make_sink(receiver.url, timeout_s=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(RetryableError, match="timed out"):
            sink.write([make_event(1)])
        # A safety bound, not a benchmark: one timeout plus generous scheduling slack.
        assert time.monotonic() - started < 5
    finally:
        receiver.stop()


def test_a_kept_alive_connection_closed_by_the_server_is_reopened(
        receiver: Receiver, make_sink: Callable[..., HttpSink]) -> None:
    sink = make_sink(receiver.url)
    sink.write([make_event(1)])
    receiver.stop()
    receiver.release.clear()
    receiver.start()  # same port, the old keep-alive socket is dead
    sink.write([make_event(2)])
    assert [e["details"]["n"] for e in receiver.events] == [1, 2]


def test_bad_urls_are_refused_at_once() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        HttpSink("ftp://example.org/x")
    with pytest.raises(ValueError, match="format"):
        HttpSink("http://127.0.0.1/x", format="xml")


def test_free_port_is_really_closed() -> None:
    port = free_port()
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))
