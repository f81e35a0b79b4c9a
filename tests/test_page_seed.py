"""The page's seed events (support/page_seed.py) are what the page tests assume."""

from __future__ import annotations

from typing import Any

import pytest

from auditmw.trail import AuditTrail
from support.page_seed import COUNT, HOSTILE_SCRIPT, seed_events


@pytest.fixture
def trail() -> Any:
    made = AuditTrail(store=False, sinks=[])
    yield made
    made.close()


def test_seed_is_newest_last_and_uses_catalogued_events(trail: AuditTrail) -> None:
    events = seed_events(trail)
    assert len(events) == COUNT
    times = [e["time"] for e in events]
    assert times == sorted(times)
    assert len({e["id"] for e in events}) == COUNT
    assert all(e["event"] in trail.catalog for e in events)
    assert {e["outcome"] for e in events} == {"success", "failure", "denied"}
    assert events[-3]["details"]["name"] == HOSTILE_SCRIPT
