"""The read/write contract every store backend keeps.

A store is a sink (``write`` a batch of finished event dicts, idempotent on ``id``) and a
read side: :meth:`Store.query` with the Data API's filters and keyset pagination over
``(time, id)``, and :meth:`Store.iter_events` to stream in constant memory for exports.
Expired events (older than ``retention_days``) are never returned, purged or not.

For the integrity verifier a store also keeps each event's exact canonical JSON next to
its ``integrity.chain``/``seq``/``hash``, streams events by chain
(:meth:`Store.iter_by_chain`), and keeps checkpoints written by :meth:`Store.purge`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from auditmw.errors import AuditError
from auditmw.types import RejectedEvent

if TYPE_CHECKING:
    from datetime import datetime

    from auditmw.store.cursors import Cursor

EventDict = dict[str, Any]
Order = Literal["asc", "desc"]
ORDERS: tuple[str, ...] = ("asc", "desc")

#: ``on_purge(chains)``: ``chains`` maps each chain id to its last purged event
#: ``{"seq", "hash", "id", "time"}``; a returned dict is stored as a checkpoint.
PurgeHook = Callable[[dict[str, dict[str, Any]]], "dict[str, Any] | None"]


def safe_url(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


class StoreError(AuditError):
    """The store cannot do what was asked (bad URL, newer schema, malformed event)."""


class UnstorableEvent(StoreError, RejectedEvent):
    """One event this store can never hold (no id, a time it cannot read): the delivery
    lane splits the batch so that only this event is dead-lettered
    (:class:`auditmw.types.RejectedEvent`)."""


class InvalidCursor(StoreError, ValueError):
    """A pagination cursor that this store did not issue (forged, edited, or another
    store's: cursors are signed), or issued for another order."""


@dataclass(frozen=True, slots=True)
class Query:
    """Filters of the Data API. Each tuple is OR within itself; filters AND together.

    ``start`` is inclusive, ``end`` exclusive. ``actor`` matches the actor's id or name;
    ``target`` the target's id or name; ``ip`` the client IP; ``tenant`` the event's
    tenant (a tenant-scoped access key always reads with its own tenant here).
    """

    start: datetime | None = None
    end: datetime | None = None
    event: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    outcome: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    ip: tuple[str, ...] = ()
    tenant: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    """One page of events. ``next``/``prev`` are opaque cursors (``None`` at either end)."""

    items: list[EventDict]
    next: str | None
    prev: str | None
    total: int | None = None
    limit: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One row as the verifier sees it: the event its JSON holds (``None`` if that does
    not parse) and every way the row's indexed columns disagree with that JSON."""

    id: str
    event: EventDict | None
    disagreements: list[str]


class Store(Protocol):
    name: str
    durable: bool
    url: str
    retention_days: int

    def write(self, events: Sequence[EventDict]) -> None:
        """Store the batch in one transaction; an ``id`` already stored is skipped."""
        ...

    def flush(self) -> None: ...
    def close(self) -> None: ...

    def query(self, query: Query, *, order: Order = "desc", limit: int = 100,
              cursor: str | None = None, with_total: bool = True) -> Page:
        """One page; ``cursor`` is a ``next``/``prev`` of an earlier page of the same
        ``order``. Raises :class:`InvalidCursor` for a cursor it cannot read."""
        ...

    def iter_events(self, query: Query, *, order: Order = "asc",
                    chunk_size: int = 1000) -> Iterator[EventDict]:
        """Every matching event, fetched ``chunk_size`` at a time (constant memory)."""
        ...

    def count(self, query: Query) -> int: ...

    def encode_cursor(self, cursor: Cursor) -> str:
        """``cursor`` as opaque text, signed with this store's cursor key."""
        ...

    def decode_cursor(self, text: str, order: str) -> Cursor:
        """Raises :class:`InvalidCursor` unless this store issued ``text`` for ``order``."""
        ...

    def iter_by_chain(self, include_expired: bool = True) -> Iterator[EventDict]:
        """Every event ordered by ``(integrity.chain, integrity.seq)``; events without a
        chain come last, by ``(time, id)``."""
        ...

    def iter_stored(self, include_expired: bool = True) -> Iterator[StoredEvent]:
        """What :meth:`iter_by_chain` streams, in its order, with each row's
        column/JSON disagreements (see :mod:`auditmw.store.schema`)."""
        ...

    def add_checkpoint(self, record: dict[str, Any]) -> None: ...

    def checkpoints(self) -> list[dict[str, Any]]:
        """Every checkpoint record, oldest first."""
        ...

    def purge(self, now: datetime | None = None, on_purge: PurgeHook | None = None) -> int:
        """Delete expired events; returns how many. See docs/store.md for ``on_purge``."""
        ...
