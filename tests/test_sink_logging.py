"""The logging sink: records through a real stdlib logger and the handlers shops use."""

from __future__ import annotations

import json
import logging
import logging.handlers
import socket
from collections.abc import Iterator

import pytest

from auditmw.formats.ecs import to_ecs
from auditmw.sinks.logging import LoggingSink
from auditmw.trail import AuditTrail
from support.events import make_event
from support.schemas import ecs_problems


class Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_handler() -> Iterator[Keep]:
    """A handler on the root logger, which is at its default level (WARNING)."""
    handler = Keep()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_a_root_handler_receives_info_records_with_the_event(root_handler: Keep) -> None:
    name = "audit.test1"
    assert logging.getLogger().level == logging.WARNING
    trail = AuditTrail(store=False, delivery={"mode": "sync", "spool_dir": ""},
                       sinks=[{"type": "logging", "logger": name}])
    built = trail.record("createAssetGroup", actor={"id": "u-1", "name": "Ann"})
    trail.record("deleteScope", outcome="denied")
    trail.record("deleteScope", outcome="failure", error=ValueError("nope"))
    trail.close()
    mine = [r for r in root_handler.records if r.name == name]
    assert [r.levelno for r in mine] == [logging.INFO, logging.WARNING, logging.ERROR]
    event = json.loads(mine[0].getMessage())
    assert event["id"] == built.id
    assert event["schema"] == "auditmw/1"
    assert mine[0].audit_id == built.id  # type: ignore[attr-defined]
    assert mine[0].audit_event == "createAssetGroup"  # type: ignore[attr-defined]
    assert mine[1].audit_outcome == "denied"  # type: ignore[attr-defined]


def test_levels_can_be_chosen_and_formats_apply(root_handler: Keep) -> None:
    sink = LoggingSink("audit.test2", format="ecs", levels={"success": "WARNING"})
    event = make_event(1)
    sink.write([event])
    record = next(r for r in root_handler.records if r.name == "audit.test2")
    assert record.levelno == logging.WARNING
    doc = json.loads(record.getMessage())
    assert doc == json.loads(json.dumps(to_ecs(event)))
    assert ecs_problems(doc) == []


def test_a_logger_with_no_handler_anywhere_is_reported(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    logger = logging.getLogger("lonely.audit")
    logger.propagate = False
    try:
        sink = LoggingSink("lonely.audit")
        sink.write([make_event(1)])
        sink.write([make_event(2)])
    finally:
        logger.propagate = True
    err = capsys.readouterr().err
    assert err.count("has no handlers") == 1


def test_records_reach_a_syslog_handler_over_udp() -> None:
    """A shop's existing SysLogHandler: the record arrives as a datagram."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        handler = logging.handlers.SysLogHandler(address=receiver.getsockname())
        logger = logging.getLogger("audit.test3")
        logger.addHandler(handler)
        try:
            event = make_event(7)
            LoggingSink("audit.test3").write([event])
            data = receiver.recv(65536)
        finally:
            logger.removeHandler(handler)
            handler.close()
    assert event["id"].encode() in data
    assert data.startswith(b"<14>")  # user.info: the handler's own framing
