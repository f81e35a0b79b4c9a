"""The syslog sink against real receivers on 127.0.0.1: UDP, TCP and TLS (a test CA made
here), RFC 5424 parsed on arrival, graceful TLS 1.3 close, retry and spool."""

from __future__ import annotations

import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditmw.config import load_config
from auditmw.delivery.retry import PermanentError, RetryableError
from auditmw.errors import ConfigError
from auditmw.formats import formatter
from auditmw.sinks import build_sink
from auditmw.sinks.syslog import BOM, SD_ID, SyslogSink
from auditmw.trail import AuditTrail
from support.events import FAST, make_event
from support.net import free_port
from support.schemas import ecs_problems, ocsf_problems
from support.syslog_support import SyslogServer, parse
from support.tls_support import TestPKI


@pytest.fixture
def pki(tmp_path: Path) -> TestPKI:
    return TestPKI(tmp_path)


@pytest.fixture
def servers() -> Iterator[Callable[..., SyslogServer]]:
    made: list[SyslogServer] = []

    def make(protocol: str, **options: Any) -> SyslogServer:
        made.append(SyslogServer(protocol, **options))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _sink(protocol: str, server: SyslogServer, pki: TestPKI | None = None,
          **options: Any) -> SyslogSink:
    if protocol == "tls" and pki is not None:
        options.setdefault("ca_file", str(pki.ca_file))
    return SyslogSink(server.address, protocol=protocol, service="inventory-api", **options)


def _events(count: int, **changes: Any) -> list[dict[str, Any]]:
    return [{**make_event(n, note='quote " bracket ] back \\ ünï'),
             "service": {"name": "inventory-api", "host": "web-1"}, **changes}
            for n in range(count)]


@pytest.mark.parametrize("protocol", ["udp", "tcp", "tls"])
def test_each_transport_delivers_rfc5424_messages(
        protocol: str, servers: Callable[..., SyslogServer], pki: TestPKI) -> None:
    server = servers(protocol, context=pki.server_context(require_client=False)
                     if protocol == "tls" else None)
    sink = _sink(protocol, server, pki)
    events = _events(50)
    sink.write(events[:25])
    sink.write(events[25:])
    sink.close()
    got = server.wait_for(50)
    assert server.errors == []
    assert [m["params"]["id"] for m in got] == [e["id"] for e in events]
    first = got[0]
    assert first["pri"] == 13 * 8 + 6  # log audit, informational
    assert first["time"] == events[0]["time"]
    assert (first["host"], first["app"], first["msgid"]) == (
        "web-1", "inventory-api", events[0]["event"])
    assert first["sd_id"] == SD_ID
    assert first["params"]["outcome"] == "success"
    assert first["msg"].startswith(BOM)
    assert json.loads(first["msg"][len(BOM):]) == json.loads(json.dumps(events[0]))


@pytest.mark.parametrize("fmt", ["ocsf", "ecs"])
def test_msg_carries_the_configured_format(fmt: str, servers: Callable[..., SyslogServer]) -> None:
    server = servers("tcp")
    sink = _sink("tcp", server, format=fmt)
    events = _events(3)
    sink.write(events)
    sink.close()
    got = server.wait_for(3)
    docs = [json.loads(m["msg"][len(BOM):]) for m in got]
    assert docs == [json.loads(json.dumps(formatter(fmt)(e))) for e in events]
    assert all((ocsf_problems if fmt == "ocsf" else ecs_problems)(d) == [] for d in docs)


def test_severity_follows_the_outcome() -> None:
    sink = SyslogSink("127.0.0.1:9", protocol="udp", facility=4)
    for outcome, severity in (("success", 6), ("denied", 4), ("failure", 3)):
        parsed = parse(sink.message({**make_event(1), "outcome": outcome}))
        assert parsed["pri"] == 4 * 8 + severity


def test_header_fields_never_break_the_frame() -> None:
    sink = SyslogSink("127.0.0.1:9", protocol="tcp", app_name="my app")
    event = {**make_event(1), "event": "weird name with spaces" * 3,
             "service": {"host": "h o s t"}}
    parsed = parse(sink.message(event))
    assert parsed["app"] == "my_app"
    assert parsed["host"] == "h_o_s_t"
    assert len(parsed["msgid"]) == 32
    assert parsed["params"]["event"] == event["event"]


def test_tls_refuses_a_server_of_another_ca(servers: Callable[..., SyslogServer],
                                            pki: TestPKI) -> None:
    server = servers("tls", context=pki.server_context(require_client=False))
    sink = _sink("tls", server, ca_file=str(pki.other_ca_file), timeout_s=2)
    with pytest.raises(RetryableError, match="CERTIFICATE_VERIFY_FAILED"):
        sink.write(_events(1))
    sink.close()
    assert server.messages == []


def test_tls_with_a_client_certificate(servers: Callable[..., SyslogServer],
                                       pki: TestPKI) -> None:
    server = servers("tls", context=pki.server_context(require_client=True))
    sink = _sink("tls", server, pki, client_cert=str(pki.client_cert),
                 client_key=str(pki.client_key))
    sink.write(_events(2))
    sink.close()
    assert len(server.wait_for(2)) == 2


def _tls13_server(pki: TestPKI, servers: Callable[..., SyslogServer]) -> SyslogServer:
    context = pki.server_context(require_client=False)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    assert context.num_tickets >= 1  # the session tickets that make the hazard
    # The server reads only after the client has finished and closed.
    return servers("tls", context=context, read_delay_s=0.5)


def test_close_after_a_burst_loses_nothing_to_tls13_session_tickets(
        servers: Callable[..., SyslogServer], pki: TestPKI) -> None:
    server = _tls13_server(pki, servers)
    sink = _sink("tls", server, pki)
    events = _events(400)
    sink.write(events)
    sink.close()  # straight away: the server has read nothing yet
    assert len(server.wait_for(400)) == 400
    assert server.ids() == [e["id"] for e in events]
    assert server.errors == []


def test_the_close_test_can_fail_a_plain_close_loses_data(
        servers: Callable[..., SyslogServer], pki: TestPKI) -> None:
    """The same burst with a plain close (what a naive client does): the unread tickets
    turn the close into a reset and the server loses what it had not read — the hazard
    the test above guards against is real on this machine."""
    server = _tls13_server(pki, servers)
    sink = _sink("tls", server, pki)
    data = b"".join(b"%d %s" % (len(m), m) for m in (sink.message(e) for e in _events(400)))
    context = ssl.create_default_context(cafile=str(pki.ca_file))
    raw = socket.create_connection(("127.0.0.1", server.port))
    tls = context.wrap_socket(raw, server_hostname="127.0.0.1")
    tls.sendall(data)
    time.sleep(0.1)  # the tickets have arrived, unread
    tls.close()
    time.sleep(1.0)
    assert len(server.messages) < 400, server.errors
    assert server.errors  # a reset or a truncated stream


def test_a_server_that_closed_the_connection_is_reconnected(
        servers: Callable[..., SyslogServer]) -> None:
    port = free_port()
    first = servers("tcp", port=port)
    sink = _sink("tcp", first)
    sink.write(_events(1))
    first.wait_for(1)
    first.close()
    time.sleep(0.1)
    second = servers("tcp", port=port)
    deadline = time.monotonic() + 5
    while True:  # the first write may only learn of the old server's close
        try:
            sink.write(_events(1))
            break
        except RetryableError:
            assert time.monotonic() < deadline
    sink.close()
    assert len(second.wait_for(1)) == 1


def test_refused_connection_is_retryable() -> None:
    sink = SyslogSink(f"127.0.0.1:{free_port()}", protocol="tcp", timeout_s=1)
    with pytest.raises(RetryableError, match="ConnectionRefused"):
        sink.write(_events(1))


def test_an_oversized_udp_message_is_refused_for_good() -> None:
    sink = SyslogSink("127.0.0.1:9", protocol="udp")
    with pytest.raises(PermanentError, match="use protocol = tcp or tls"):
        sink.write([{**make_event(1), "details": {"blob": "x" * 70_000}}])


def test_outage_spools_and_every_event_arrives_once_the_server_is_back(
        tmp_path: Path, servers: Callable[..., SyslogServer]) -> None:
    port = free_port()
    trail = AuditTrail(store=False, delivery={**FAST, "spool_dir": str(tmp_path / "spool")},
                       sinks=[{"type": "syslog", "address": f"127.0.0.1:{port}",
                               "protocol": "tcp", "timeout_s": 1}])
    try:
        ids = [trail.record("createAssetGroup", details={"n": n}).id for n in range(500)]
        deadline = time.monotonic() + 30
        while trail.stats()["spooled"] == 0:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        server = servers("tcp", port=port)
        assert trail.flush(30)
        server.wait_for(500)
        assert set(server.ids()) == set(ids)  # at least once: no gaps
    finally:
        trail.close()


def test_config_builds_the_sink_and_bad_config_names_the_key(pki: TestPKI,
                                                             tmp_path: Path) -> None:
    config = load_config({"service": "api", "sinks": [
        {"type": "syslog", "address": "127.0.0.1:6514", "protocol": "tls",
         "ca_file": str(pki.ca_file), "format": "ocsf"}]})
    sink = build_sink(config.sinks[0], service="api")
    assert isinstance(sink, SyslogSink)
    assert (sink.protocol, sink.format, sink.app_name) == ("tls", "ocsf", "api")
    with pytest.raises(ConfigError, match=r"sinks\.0\.syslog\.address: must be host:port"):
        load_config({"sinks": [{"type": "syslog", "address": "nowhere"}]})
    with pytest.raises(ConfigError, match=r"sinks\.0\.syslog\.protocol"):
        load_config({"sinks": [{"type": "syslog", "protocol": "rfc3164"}]})
    bad = load_config({"sinks": [{"type": "syslog", "protocol": "tls",
                                  "ca_file": str(tmp_path / "nope.pem")}]})
    with pytest.raises(ConfigError, match=r"sinks \(syslog"):
        build_sink(bad.sinks[0])
