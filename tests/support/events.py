"""Finished event dicts and delivery settings for the delivery and sink tests."""

from __future__ import annotations

from typing import Any

from auditmw.event import Actor, AuditEvent

# Fast retry settings for the delivery tests: a test waits milliseconds, not seconds.
FAST = {"retry_backoff_s": 0.02, "retry_max_backoff_s": 0.2, "flush_interval_s": 0.02}


def make_event(n: int = 0, **details: Any) -> dict[str, Any]:
    """A finished event dict as the pipeline hands it to the dispatcher."""
    event = AuditEvent.create("createAssetGroup", "inventory_configuration", "create",
                              actor=Actor(id=f"u{n}", name="Ann"),
                              details={"n": n, **details})
    data = event.to_dict()
    data["service"] = {"name": "test", "host": "h"}
    return data

