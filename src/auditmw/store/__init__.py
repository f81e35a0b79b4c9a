"""The queryable store: SQLite (``sqlite:///path``, the embedded default) or PostgreSQL
(``postgresql://...``). See docs/store.md.

``open_store(url)`` gives a :class:`Store` (write, query, stream, purge);
``open_store_sink(config)`` the same store as a sink with a background retention purge;
``purge_store(url, retention_days)`` is what ``auditmw purge`` calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditmw.store.base import (
    EventDict,
    InvalidCursor,
    Order,
    Page,
    PurgeHook,
    Query,
    Store,
    StoreError,
)
from auditmw.store.sink import StoreSink

if TYPE_CHECKING:
    from datetime import datetime

    from auditmw.config import StoreConfig

__all__ = [
    "EventDict", "InvalidCursor", "Order", "Page", "PurgeHook", "Query", "Store",
    "StoreError", "StoreSink", "open_store", "open_store_sink", "purge_store",
]


def open_store(url: str, *, retention_days: int = 365) -> Store:
    """The store at ``url``. Connecting and creating the schema happen on first use."""
    if url.startswith("sqlite:///"):
        from auditmw.store.sqlite import SQLiteStore
        return SQLiteStore(url, retention_days=retention_days)
    if url.startswith(("postgresql://", "postgres://")):
        from auditmw.store.postgres import PostgresStore
        return PostgresStore(url, retention_days=retention_days)
    raise StoreError(f"store.url: {url!r} must start with sqlite:/// or postgresql://")


def open_store_sink(config: StoreConfig, *, on_purge: PurgeHook | None = None) -> StoreSink:
    """The ``[store]`` table as a sink for the delivery engine."""
    store = open_store(config.url, retention_days=config.retention_days)
    return StoreSink(store, purge_interval_s=config.purge_interval_s, on_purge=on_purge)


def purge_store(url: str, retention_days: int = 365, now: datetime | None = None,
                on_purge: PurgeHook | None = None) -> int:
    """Delete the events older than ``retention_days`` (before ``now``); returns how many."""
    store = open_store(url, retention_days=retention_days)
    try:
        return store.purge(now, on_purge=on_purge)
    finally:
        store.close()
