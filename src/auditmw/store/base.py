"""The read/write contract every store backend keeps.

A store is a sink (``write`` a batch of finished event dicts, idempotent on ``id``) and a
read side: :meth:`Store.query` with the Data API's filters and keyset pagination over
``(time, id)``, and :meth:`Store.iter_events` to stream in constant memory for exports.
Expired events (older than ``retention_days``) are never returned, purged or not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

EventDict = dict[str, Any]
Order = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class Query:
    """Filters of the Data API. Each tuple is OR within itself; filters AND together.

    ``start`` is inclusive, ``end`` exclusive. ``actor`` matches the actor's id or name;
    ``target`` the target's id or name; ``ip`` the client IP.
    """

    start: datetime | None = None
    end: datetime | None = None
    event: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    ip: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of events. ``next``/``prev`` are opaque cursors (``None`` at either end)."""

    items: list[EventDict]
    next: str | None
    prev: str | None
    total: int | None = None
    limit: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


class Store(Protocol):
    name: str
    durable: bool

    def write(self, events: Sequence[EventDict]) -> None: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...

    def query(self, query: Query, *, order: Order = "desc", limit: int = 100,
              cursor: str | None = None, with_total: bool = True) -> Page: ...

    def iter_events(self, query: Query, *, order: Order = "asc",
                    chunk_size: int = 1000) -> Iterator[EventDict]: ...

    def count(self, query: Query) -> int: ...

    def purge(self, now: datetime | None = None) -> int:
        """Delete expired events; returns how many."""
        ...
