"""The nats sink against the real NATS JetStream server on 127.0.0.1:4222: subjects,
message ids, acknowledgements, and a consumer reading every id exactly once across an
outage of the server and a restart of the app."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditmw.config import load_config
from auditmw.delivery.retry import RetryableError
from auditmw.errors import ConfigError
from auditmw.sinks import build_sink
from auditmw.sinks.nats import NatsSink, check_template, subject_token
from auditmw.trail import AuditTrail
from support import nats_support
from support.events import make_event
from support.net import free_port
from support.schemas import ocsf_problems

FAST = {"retry_backoff_s": 0.05, "retry_max_backoff_s": 0.5, "flush_interval_s": 0.05,
        "max_retries": 1}


@pytest.fixture
def stream() -> Iterator[tuple[str, str]]:
    """A stream and subject prefix of this test's own, deleted afterwards."""
    nats_support.start()
    tag = uuid.uuid4().hex[:10]
    name, prefix = f"AUDITTEST_{tag}", f"audittest{tag}"
    yield name, prefix
    nats_support.start()  # whatever the test did, the server is left running
    asyncio.run(nats_support.delete_stream(name))


def test_publishes_with_subjects_ids_and_acks(stream: tuple[str, str]) -> None:
    name, prefix = stream
    sink = NatsSink(nats_support.URL, stream=name, subject=f"{prefix}.{{tenant}}.{{category}}")
    events = [{**make_event(n), "category": "site_access" if n % 2 else "data_extraction",
               **({"tenant": "site.7"} if n < 3 else {})} for n in range(10)]
    try:
        sink.write(events)
        sink.write(events[:4])  # a replay: JetStream drops the copies (Nats-Msg-Id)
    finally:
        sink.close()
    got = asyncio.run(nats_support.read_stream(name, f"{prefix}.>", 10))
    assert [m.headers["Nats-Msg-Id"] for m in got] == [e["id"] for e in events]
    assert [json.loads(m.data)["id"] for m in got] == [e["id"] for e in events]
    assert got[0].subject == f"{prefix}.site_7.data_extraction"
    assert got[9].subject == f"{prefix}.none.site_access"


def test_ocsf_payloads(stream: tuple[str, str]) -> None:
    name, prefix = stream
    sink = NatsSink(nats_support.URL, stream=name, subject=f"{prefix}.{{event}}", format="ocsf")
    sink.write([make_event(1)])
    sink.close()
    got = asyncio.run(nats_support.read_stream(name, f"{prefix}.>", 1))
    doc = json.loads(got[0].data)
    assert ocsf_problems(doc) == []
    assert got[0].subject == f"{prefix}.{doc['api']['operation']}"


def test_no_server_is_retryable_and_quick() -> None:
    sink = NatsSink(f"nats://127.0.0.1:{free_port()}", stream="X", subject="x.{event}",
                    ack_timeout_s=1)
    started = time.monotonic()
    with pytest.raises(RetryableError, match="cannot connect"):
        sink.write([make_event(1)])
    assert time.monotonic() - started < 5
    sink.close()


def test_a_stream_that_does_not_take_the_subject_is_reported(stream: tuple[str, str]) -> None:
    name, prefix = stream
    sink = NatsSink(nats_support.URL, stream=name, subject=f"{prefix}.{{event}}",
                    create_stream=False, ack_timeout_s=1)
    with pytest.raises(RetryableError, match="no JetStream stream"):
        sink.write([make_event(1)])
    sink.close()


def test_subject_templates() -> None:
    assert subject_token("a.b c*>") == "a_b_c__"
    assert subject_token(None) == "none"
    assert subject_token("") == "none"
    assert check_template("audit.{tenant}.{category}") == [None, "tenant", "category"]
    with pytest.raises(ValueError, match="whole token"):
        check_template("audit.x{category}")
    with pytest.raises(ValueError, match="whole token"):
        check_template("audit.{user}")
    with pytest.raises(ValueError, match="not a subject token"):
        check_template("audit..x")
    with pytest.raises(ConfigError, match=r"sinks\.0\.nats\.subject: unknown placeholder"):
        load_config({"sinks": [{"type": "nats", "subject": "audit.{user}"}]})
    config = load_config({"sinks": [{"type": "nats", "subject": "a.{tenant}.x{event}"}]})
    with pytest.raises(ConfigError, match=r"sinks \(nats"):
        build_sink(config.sinks[0])


@pytest.mark.slow
def test_every_id_exactly_once_across_an_outage_and_an_app_restart(
        stream: tuple[str, str], tmp_path: Path) -> None:
    name, prefix = stream
    sinks = [{"type": "nats", "url": nats_support.URL, "stream": name,
              "subject": f"{prefix}.{{category}}.{{event}}", "ack_timeout_s": 1}]
    spool = str(tmp_path / "spool")
    settings = {"store": False, "delivery": {**FAST, "spool_dir": spool,
                                             "shutdown_timeout_s": 3}, "sinks": sinks}
    ids: list[str] = []
    try:
        trail = AuditTrail(**settings)
        ids += [trail.record("createAssetGroup", details={"n": n}).id for n in range(300)]
        assert trail.flush(30)

        nats_support.stop()  # the outage
        ids += [trail.record("deleteScope", details={"n": n}).id for n in range(300)]
        deadline = time.monotonic() + 30
        while trail.stats()["spooled"] == 0:
            assert time.monotonic() < deadline, trail.stats()
            time.sleep(0.05)
        trail.close()  # the app stops during the outage; what it held is on disk

        trail = AuditTrail(**settings)  # ... and starts again, still during the outage
        ids += [trail.record("exportView", details={"n": n}).id for n in range(200)]
        time.sleep(0.5)
        nats_support.start()  # the server is back
        assert trail.flush(60)
        trail.close()
    finally:
        nats_support.start()
    got = asyncio.run(nats_support.read_stream(name, f"{prefix}.>", len(ids)))
    read = [m.headers["Nats-Msg-Id"] for m in got]
    assert len(read) == len(set(read)), "an event was stored twice"
    assert set(read) == set(ids)
    assert [json.loads(m.data)["id"] for m in got] == read
