"""OCSF and ECS documents for every event the catalogue has, in every outcome, validated
against the published schemas (tests/schemas.py; the data is in tests/data)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditmw.catalog import Catalog
from auditmw.event import Client, ErrorInfo, RequestInfo
from auditmw.formats import formatter
from auditmw.formats.ecs import to_ecs
from auditmw.formats.ocsf import to_ocsf
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail
from support.schemas import ecs_problems, ocsf_problems, ocsf_version

CATALOG = Catalog.load()
ALL_EVENTS = [entry.name for entry in CATALOG]
OUTCOMES = ("success", "failure", "denied")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, Any]]]:
    """Every catalogue event in every outcome, recorded through a real trail (so the
    processors — service, redaction, integrity chain — have run), with varied actors."""
    folder = tmp_path_factory.mktemp("formats")
    trail = AuditTrail(service="inventory-api", sinks=[MemorySink()],
                       store={"url": f"sqlite:///{folder}/a.db"},
                       delivery={"mode": "sync", "spool_dir": str(folder / "spool")})
    actors: list[Any] = [{"id": "u-1", "name": "Ann", "type": "user", "team": "blue"},
                         None, {"id": "svc", "type": "api"}, {"name": "cron", "type": "scheduler"}]
    with capture_audit_events(trail) as events:
        for n, name in enumerate(ALL_EVENTS):
            for m, outcome in enumerate(OUTCOMES):
                trail.record(
                    name, outcome=outcome, actor=actors[(n + m) % len(actors)],
                    target={"type": "asset", "id": str(n), "name": f"asset {n}"} if m != 1
                    else None,
                    details={"id": n, "password": "hunter2", "nested": {"a": [1, 2]}},
                    client=Client(ip=["10.1.2.3", "2001:db8::1", None][m],
                                  hostname="ws-1" if m == 2 else None,
                                  user_agent="curl/8" if m == 0 else None),
                    request=RequestInfo(method="POST", path="/graphql", status=200,
                                        id=f"req-{n}", operation="Op") if m != 2
                    else RequestInfo(),
                    error=ErrorInfo("ValueError", "bad value") if outcome == "failure"
                    else None, duration_ms=12.5)
    trail.close()
    assert len(events) == len(ALL_EVENTS) * len(OUTCOMES)
    return events


def test_the_catalogue_is_not_empty() -> None:
    assert len(ALL_EVENTS) > 40
    assert {"exportAuditTrail", "createAssetGroup"} <= set(ALL_EVENTS)


def test_every_event_is_valid_ocsf_api_activity(recorded: list[dict[str, Any]]) -> None:
    bad = {}
    for event in recorded:
        problems = ocsf_problems(to_ocsf(event))
        if problems:
            bad[f"{event['event']}/{event['outcome']}"] = problems
    assert bad == {}


def test_every_event_is_valid_ecs(recorded: list[dict[str, Any]]) -> None:
    bad = {}
    for event in recorded:
        problems = ecs_problems(to_ecs(event))
        if problems:
            bad[f"{event['event']}/{event['outcome']}"] = problems
    assert bad == {}


def test_the_validators_catch_what_they_should() -> None:
    """The schema checks are not vacuous: broken documents are refused."""
    event = _one()
    ocsf = to_ocsf(event)
    assert ocsf_problems({k: v for k, v in ocsf.items() if k != "src_endpoint"})
    assert ocsf_problems({**ocsf, "activity_id": 7})
    assert ocsf_problems({**ocsf, "type_uid": 600399})
    assert ocsf_problems({**ocsf, "made_up": 1})
    assert ocsf_problems({**ocsf, "time": "2026-01-01T00:00:00Z"})
    assert ocsf_problems({**ocsf, "actor": {}})
    ecs = to_ecs(event)
    assert ecs_problems({**ecs, "made_up": 1})
    assert ecs_problems({**ecs, "event": {**ecs["event"], "outcome": "denied"}})
    assert ecs_problems({**ecs, "event": {**ecs["event"], "category": "api"}})
    assert ecs_problems({**ecs, "source": {"ip": "not-an-ip"}})
    assert ecs_problems({k: v for k, v in ecs.items() if k != "@timestamp"})


def _one(**changes: Any) -> dict[str, Any]:
    trail = AuditTrail(service="svc", sinks=[MemorySink()], store={"enabled": False},
                       delivery={"mode": "sync", "spool_dir": ""})
    with capture_audit_events(trail) as events:
        trail.record("createAssetGroup", actor={"id": "u-1", "name": "Ann"},
                     target={"id": "g1"}, client_ip="10.0.0.9", details={"name": "g"},
                     request=RequestInfo(method="POST", path="/graphql", status=200,
                                         id="r1", operation="Make"), duration_ms=3.25)
    trail.close()
    return {**events[0], **changes}


def test_ocsf_mapping_of_the_named_fields() -> None:
    event = _one()
    doc = to_ocsf(event)
    assert doc["class_uid"] == 6003
    assert doc["category_uid"] == 6
    assert doc["activity_id"] == 1
    assert doc["type_uid"] == 600301
    assert doc["api"]["operation"] == "createAssetGroup"
    assert doc["metadata"]["uid"] == event["id"]
    assert doc["metadata"]["version"] == ocsf_version()
    assert doc["status_id"] == 1
    assert doc["actor"]["user"] == {"uid": "u-1", "name": "Ann", "type_id": 1, "type": "User"}
    assert doc["src_endpoint"] == {"ip": "10.0.0.9"}
    assert doc["http_request"]["http_method"] == "POST"
    # time: epoch milliseconds of the event's RFC 3339 time
    from auditmw.ids import parse_time
    assert doc["time"] == int(parse_time(event["time"]).timestamp() * 1000)
    # nothing lost: the fields OCSF has no place for are in unmapped
    assert doc["unmapped"]["category"] == event["category"]
    assert doc["unmapped"]["integrity"] == event["integrity"]
    assert doc["unmapped"]["request"] == {"operation": "Make"}
    assert doc["unmapped"]["details"] == event["details"]


@pytest.mark.parametrize(("action", "activity"), [
    ("create", 1), ("access", 2), ("export", 2), ("update", 3), ("merge", 3),
    ("delete", 4), ("trigger", 99), ("other", 99)])
def test_ocsf_activity_from_the_action(action: str, activity: int) -> None:
    doc = to_ocsf(_one(action=action))
    assert (doc["activity_id"], doc["type_uid"]) == (activity, 600300 + activity)
    assert ocsf_problems(doc) == []


@pytest.mark.parametrize(("outcome", "ocsf_status", "ecs_outcome"), [
    ("success", 1, "success"), ("failure", 2, "failure"), ("denied", 2, "failure"),
    ("weird", 0, "unknown")])
def test_outcome_in_both_formats(outcome: str, ocsf_status: int, ecs_outcome: str) -> None:
    event = _one(outcome=outcome)
    assert to_ocsf(event)["status_id"] == ocsf_status
    assert to_ecs(event)["event"]["outcome"] == ecs_outcome


def test_ecs_mapping_of_the_named_fields() -> None:
    event = _one()
    doc = to_ecs(event)
    assert doc["@timestamp"] == event["time"]
    assert doc["event"]["action"] == "createAssetGroup"
    assert doc["event"]["id"] == event["id"]
    assert doc["event"]["duration"] == 3_250_000
    assert doc["user"] == {"id": "u-1", "name": "Ann"}
    assert doc["source"]["ip"] == "10.0.0.9"
    assert doc["url"] == {"path": "/graphql"}
    assert doc["http"] == {"request": {"method": "POST", "id": "r1"},
                           "response": {"status_code": 200}}
    assert doc["ecs"]["version"].startswith("9.")
    assert doc["auditmw"]["integrity"] == event["integrity"]
    assert doc["auditmw"]["category"] == event["category"]


def test_fields_a_later_schema_adds_are_kept() -> None:
    event = _one(tenant="site-7", newfield={"x": 1})
    assert to_ocsf(event)["metadata"]["tenant_uid"] == "site-7"
    assert to_ocsf(event)["unmapped"]["newfield"] == {"x": 1}
    assert to_ecs(event)["auditmw"]["tenant"] == "site-7"
    assert to_ecs(event)["auditmw"]["newfield"] == {"x": 1}


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of auditmw, ocsf, ecs"):
        formatter("cef")
    assert formatter("auditmw")({"a": 1}) == {"a": 1}


@pytest.mark.parametrize("fmt", ["ocsf", "ecs", "auditmw"])
def test_file_and_stdout_sinks_write_the_configured_format(
        tmp_path: Any, fmt: str, capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    import json

    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(service="svc", store={"enabled": False},
                       sinks=[{"type": "file", "path": str(path), "format": fmt},
                              {"type": "stdout", "format": fmt}],
                       delivery={"mode": "sync", "spool_dir": ""})
    trail.record("deleteScope", actor={"id": "u-9"}, target={"id": "s1"}, client_ip="10.0.0.1")
    trail.close()
    line = json.loads(path.read_text().splitlines()[0])
    printed = json.loads(capfdbinary.readouterr().out.splitlines()[0])
    assert line == printed
    if fmt == "ocsf":
        assert ocsf_problems(line) == []
        assert line["activity_id"] == 4
    elif fmt == "ecs":
        assert ecs_problems(line) == []
        assert line["event"]["type"] == ["deletion"]
    else:
        assert line["schema"] == "auditmw/1"


def test_a_bad_format_fails_at_start_naming_the_key() -> None:
    from auditmw.config import load_config
    from auditmw.errors import ConfigError

    with pytest.raises(ConfigError,
                       match=r"sinks\.0\.format: Input should be .auditmw., .ocsf. or .ecs."):
        load_config({"sinks": [{"type": "file", "format": "cef"}]})
