"""The structlog sink: one structlog call per event, level by outcome."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from auditmw.sinks.structlog import StructlogSink
from auditmw.trail import AuditTrail
from support.events import make_event


@pytest.mark.parametrize(("outcome", "level"), [
    pytest.param("success", "info", id="success"),
    pytest.param("denied", "warning", id="denied"),
    pytest.param("failure", "error", id="failure"),
])
def test_each_event_is_one_call_at_the_outcomes_level(outcome: str, level: str) -> None:
    event = make_event(3)
    event["outcome"] = outcome
    with capture_logs() as logs:
        StructlogSink().write([event])
    (entry,) = logs
    assert entry["event"] == "createAssetGroup"
    assert entry["log_level"] == level
    assert entry["id"] == event["id"]
    assert entry["actor"] == event["actor"]
    assert entry["details"] == {"n": 3}


def test_through_the_trail(tmp_path: Path) -> None:
    trail = AuditTrail(store=False, delivery={"spool_dir": str(tmp_path / "spool")},
                       sinks=[{"type": "structlog", "logger": "audit"}])
    assert trail.sinks[0].name == "structlog:audit"
    with capture_logs() as logs:
        trail.record("deleteScope", target="7")
        assert trail.flush(10)
    trail.close()
    assert [(e["event"], e["target"]) for e in logs] == [("deleteScope", {"id": "7"})]
    structlog.reset_defaults()
