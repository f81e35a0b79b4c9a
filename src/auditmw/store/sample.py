"""Synthetic ``auditmw/1`` events for tests, benchmarks and demos of the store.

Deterministic for a given ``seed``: the same call always yields the same events, with
realistic spreads (a few hot events, a long tail of actors, mostly successes).
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from auditmw.ids import format_time
from auditmw.store.rows import datetime_to_us, us_to_datetime

if TYPE_CHECKING:
    from collections.abc import Iterator

EVENTS: tuple[tuple[str, str, str], ...] = (
    ("createAssetGroup", "inventory_configuration", "create"),
    ("updateAssetGroup", "inventory_configuration", "update"),
    ("deleteAssetGroup", "inventory_configuration", "delete"),
    ("deleteAssets", "inventory_configuration", "delete"),
    ("mergeAssets", "inventory_configuration", "merge"),
    ("createScope", "discovery_configuration", "create"),
    ("deleteScope", "discovery_configuration", "delete"),
    ("triggerScan", "discovery_configuration", "trigger"),
    ("createUser", "accounts_configuration", "create"),
    ("updateCredential", "accounts_configuration", "update"),
    ("exportView", "data_extraction", "export"),
    ("siteAccess", "site_access", "access"),
)
# A few events are hot, the rest rare: weights roughly like a real console's.
_EVENT_WEIGHTS = (30, 20, 3, 4, 1, 8, 2, 10, 1, 1, 5, 40)
_OUTCOMES = ("success", "failure", "denied")
_OUTCOME_WEIGHTS = (90, 7, 3)
_TEAMS = ("red", "blue", "ops", "sec")


def event_id(time_us: int, counter: int, rng: random.Random) -> str:
    """A UUIDv7 for ``time_us``; ``counter`` keeps ids of one millisecond in order."""
    value = ((time_us // 1000) & ((1 << 48) - 1)) << 80 | 0x7 << 76
    value |= (counter & 0xFFF) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


def sample_event(rng: random.Random, time_us: int, counter: int = 0, *,
                 actors: int = 1000, chain: str = "bench", seq: int = 0,
                 tenants: int = 0) -> dict[str, Any]:
    name, category, action = rng.choices(EVENTS, _EVENT_WEIGHTS)[0]
    user = int(rng.paretovariate(1.2)) % actors
    outcome = rng.choices(_OUTCOMES, _OUTCOME_WEIGHTS)[0]
    target = rng.randrange(50_000)
    event: dict[str, Any] = {
        "schema": "auditmw/1",
        "id": event_id(time_us, counter, rng),
        "time": format_time(us_to_datetime(time_us)),
        "event": name, "category": category, "action": action, "outcome": outcome,
        "actor": {"id": f"u{user}", "name": f"user{user}@example.com", "type": "user",
                  "team": _TEAMS[user % len(_TEAMS)]},
        "client": {"ip": f"10.{user % 256}.{(user >> 8) % 256}.{rng.randrange(1, 255)}",
                   "hostname": f"ws-{user}.corp.example", "user_agent": "Mozilla/5.0"},
        "channel": "ui" if rng.random() < 0.8 else "api",
        "source": "graphql",
        "target": {"type": "AssetGroup", "id": f"t{target}", "name": f"group {target}"},
        "details": {"name": f"group {target}", "tags": ["a", "b"], "size": target % 97},
        "request": {"method": "POST", "path": "/graphql", "status": 200,
                    "operation": name},
        "trace": {},
        "duration_ms": round(rng.random() * 50, 3),
        "service": {"name": "inventory-api", "host": "app-1"},
        "integrity": {"chain": chain, "seq": seq, "prev": "0" * 64,
                      "hash": f"{rng.getrandbits(256):064x}"},
    }
    if tenants:
        event["tenant"] = f"site{rng.randrange(tenants)}"
    if outcome != "success":
        event["error"] = {"type": "PermissionError" if outcome == "denied" else "ValueError",
                          "message": "not allowed" if outcome == "denied" else "bad input"}
    return event


def sample_events(count: int, *, end: datetime | None = None, span: timedelta | None = None,
                  seed: int = 7, actors: int = 1000, chain: str = "bench", tenants: int = 0
                  ) -> Iterator[dict[str, Any]]:
    """``count`` events evenly spread over ``span`` (default 30 days) ending at ``end``
    (default now), oldest first, with one chain ``chain`` numbered from 1; with
    ``tenants``, each belongs to one of that many tenants (``site0`` ...)."""
    rng = random.Random(seed)
    end = end or datetime.now(UTC)
    span = span or timedelta(days=30)
    end_us = datetime_to_us(end)
    start_us = end_us - span // timedelta(microseconds=1)
    step = max(1, (end_us - start_us) // max(1, count))
    last_ms, counter = -1, 0
    for index in range(count):
        time_us = start_us + index * step
        counter = counter + 1 if time_us // 1000 == last_ms else 0
        last_ms = time_us // 1000
        yield sample_event(rng, time_us, counter, actors=actors, chain=chain,
                           seq=index + 1, tenants=tenants)
