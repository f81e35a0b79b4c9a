"""AuditTrail's Python API: record, audited, acting_as, stats, and never raising."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from auditmw import codec
from auditmw.errors import UnknownEventError
from auditmw.event import Actor, Target
from auditmw.testing import MemorySink, capture_audit_events
from auditmw.trail import AuditTrail


@pytest.fixture
def memory() -> MemorySink:
    return MemorySink()


@pytest.fixture
def trail(memory: MemorySink, tmp_path: Any) -> Iterator[AuditTrail]:
    made = AuditTrail(store=False, sinks=[memory], service="inventory-api",
                      delivery={"spool_dir": str(tmp_path / "spool")})
    yield made
    made.close()


def delivered(trail: AuditTrail, sink: MemorySink) -> list[dict[str, Any]]:
    """What the sink holds once the (asynchronous) engine has delivered everything."""
    assert trail.flush(10)
    return sink.events


def test_record_builds_a_full_event(trail: AuditTrail, memory: MemorySink) -> None:
    returned = trail.record("siteAccess", actor=Actor(id="u1", name="Ann"),
                            client_ip="203.0.113.7", details={"method": "sso"})
    trail.flush()
    [event] = delivered(trail, memory)
    assert event["id"] == returned.id
    assert event["event"] == "siteAccess"
    assert (event["category"], event["action"]) == ("site_access", "access")
    assert event["actor"] == {"id": "u1", "name": "Ann", "type": "user"}
    assert event["client"] == {"ip": "203.0.113.7"}
    assert (event["channel"], event["source"], event["outcome"]) == ("system", "manual",
                                                                     "success")
    assert event["service"]["name"] == "inventory-api"
    assert event["service"]["host"]


def test_unknown_and_disabled_events_are_refused_early(memory: MemorySink) -> None:
    trail = AuditTrail(store=False, sinks=[memory],
                       catalog={"disabled_events": ["deleteScope"]})
    with pytest.raises(UnknownEventError, match="did you mean createAssetGroup"):
        trail.record("createAssetGrup")
    with pytest.raises(UnknownEventError):
        trail.audited("deleteScope")
    assert memory.events == []


def test_audited_sync_function(trail: AuditTrail, memory: MemorySink) -> None:
    @trail.audited("createAssetGroup")
    def create_asset_group(name: str, *, tags: list[str] | None = None) -> dict[str, Any]:
        """Docstring kept."""
        return {"id": 42, "name": name}

    assert create_asset_group("servers", tags=["a"]) == {"id": 42, "name": "servers"}
    assert create_asset_group.__doc__ == "Docstring kept."
    assert create_asset_group.__name__ == "create_asset_group"
    [event] = delivered(trail, memory)
    assert event["source"] == "function"
    assert event["details"] == {"name": "servers", "tags": ["a"]}
    assert event["target"] == {"id": "42", "name": "servers"}
    assert event["duration_ms"] >= 0


class Boom(Exception):
    pass


def test_audited_reraises_the_same_exception(trail: AuditTrail, memory: MemorySink) -> None:
    original = Boom("disk on fire")

    @trail.audited("deleteAssetGroup", target="group_id")
    def delete_asset_group(group_id: int) -> None:
        raise original

    with pytest.raises(Boom) as caught:
        delete_asset_group(7)
    assert caught.value is original
    [event] = delivered(trail, memory)
    assert event["outcome"] == "failure"
    assert event["error"] == {"type": "Boom", "message": "disk on fire"}
    assert event["target"] == {"id": "7"}
    assert "Traceback" not in codec.dumps(event).decode()


def test_audited_async_and_permission_denied(trail: AuditTrail, memory: MemorySink) -> None:
    @trail.audited("updateScope", target=lambda result, args: Target(type="Scope",
                                                                     id=str(args["scope_id"])))
    async def update_scope(scope_id: int, allowed: bool) -> str:
        await asyncio.sleep(0)
        if not allowed:
            raise PermissionError("not yours")
        return "ok"

    assert asyncio.run(update_scope(1, True)) == "ok"
    with pytest.raises(PermissionError):
        asyncio.run(update_scope(2, False))
    assert [(e["outcome"], e["target"]) for e in delivered(trail, memory)] == [
        ("success", {"type": "Scope", "id": "1"}),
        ("denied", {"type": "Scope", "id": "2"}),
    ]
    assert asyncio.iscoroutinefunction(update_scope)


def test_audited_method_skips_self(trail: AuditTrail, memory: MemorySink) -> None:
    class Service:
        @trail.audited("createScope", details=True)
        def create(self, name: str) -> Any:
            return type("Scope", (), {"id": 3, "name": name})()

    Service().create("admins")
    [event] = delivered(trail, memory)
    assert "self" in event["details"]  # bound as given; documented: pass details=False
    assert event["target"] == {"type": "Scope", "id": "3", "name": "admins"}


def test_acting_as_names_the_actor_and_channel(trail: AuditTrail,
                                               memory: MemorySink) -> None:
    with trail.acting_as(Actor(id="cron", name="nightly", type="scheduler")):
        trail.record("triggerScanNowByFilter")
    trail.record("triggerScanNowByFilter")
    first, second = delivered(trail, memory)
    assert first["actor"] == {"id": "cron", "name": "nightly", "type": "scheduler"}
    assert first["channel"] == "system"
    assert second["actor"] == {"id": None, "name": None, "type": "anonymous"}


def test_acting_as_is_context_local(trail: AuditTrail, memory: MemorySink) -> None:
    async def job(name: str) -> None:
        with trail.acting_as({"id": name, "type": "system"}):
            await asyncio.sleep(0.01)
            trail.record("assetsResync")

    async def main() -> None:
        await asyncio.gather(job("a"), job("b"))

    asyncio.run(main())
    assert sorted(e["actor"]["id"] for e in delivered(trail, memory)) == ["a", "b"]


def test_a_failing_processor_never_raises_into_the_caller(trail: AuditTrail,
                                                          memory: MemorySink) -> None:
    def broken(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("processor bug")

    trail.processors.append(broken)

    @trail.audited("createGroup")
    def create_group() -> int:
        return 1

    assert create_group() == 1  # the caller never sees the processor's error
    assert delivered(trail, memory) == []
    assert trail.stats()["emit_errors"] == 1


def test_a_failing_sink_does_not_stop_the_others(memory: MemorySink, tmp_path: Any) -> None:
    class DeadSink(MemorySink):
        def write(self, events: Any) -> None:
            raise OSError("disk gone")

    trail = AuditTrail(store=False, sinks=[DeadSink(name="dead"), memory],
                       delivery={"spool_dir": str(tmp_path / "spool"), "max_retries": 0})
    trail.record("deleteRole")
    assert not trail.flush(1)  # the dead sink's event waits in the spool
    stats = trail.stats()
    assert len(memory.events) == 1
    assert stats["recorded"] == 1
    assert stats["delivered"]["memory"] == 1
    assert stats["sinks"]["dead"]["errors"] >= 1
    assert stats["spooled"] == 1
    trail.close(0.5)


def test_capture_audit_events_sees_only_its_block(trail: AuditTrail) -> None:
    trail.record("deleteRole")
    with capture_audit_events(trail) as events:
        trail.record("addRole", details={"password": "x"})
    trail.record("deleteRole")
    assert [e["event"] for e in events] == ["addRole"]
    assert events[0]["details"] == {"password": "[REDACTED]"}


@pytest.mark.parametrize(("mode", "given", "expected"), [
    pytest.param("full", "203.0.113.77", "203.0.113.77", id="full"),
    pytest.param("anonymized", "203.0.113.77", "203.0.113.0", id="anonymized-v4"),
    pytest.param("anonymized", "2001:db8:1234:5678:9abc:def0:1234:5678", "2001:db8:1234::",
                 id="anonymized-v6"),
    pytest.param("none", "203.0.113.77", None, id="none"),
])
def test_ip_policy(mode: str, given: str, expected: str | None) -> None:
    trail = AuditTrail(store=False, sinks=[], capture={"ip": mode})
    with capture_audit_events(trail) as events:
        trail.record("siteAccess", client_ip=given)
    assert events[0]["client"].get("ip") == expected
    trail.close()


def test_from_config_file(tmp_path: Any) -> None:
    path = tmp_path / "auditmw.toml"
    out = tmp_path / "events.jsonl"
    path.write_text(f'service = "svc"\n[store]\nenabled = false\n[[sinks]]\ntype = "file"\n'
                    f'path = "{out}"\n', encoding="utf-8")
    trail = AuditTrail.from_config(path)
    trail.record("exportView")
    trail.close()
    line = codec.loads(out.read_bytes().splitlines()[0])
    assert (line["event"], line["service"]["name"]) == ("exportView", "svc")
