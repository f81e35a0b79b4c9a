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
    from collections.abc import Mapping
    from datetime import datetime
    from typing import Any

    from auditmw.config import StoreConfig
    from auditmw.store.retention import RetentionPolicy

__all__ = [
    "EventDict", "InvalidCursor", "Order", "Page", "PurgeHook", "Query", "Store",
    "StoreError", "StoreSink", "open_configured_store", "open_store", "open_store_sink",
    "purge_store",
]


def open_store(url: str, *, retention_days: int = 365,
               retention: RetentionPolicy | Mapping[str, Any] | None = None) -> Store:
    """The store at ``url``. Connecting and creating the schema happen on first use.
    ``retention``: days per category and tenant (docs/tenants.md); without it every
    event is kept ``retention_days``."""
    if url.startswith("sqlite:///"):
        from auditmw.store.sqlite import SQLiteStore
        return SQLiteStore(url, retention_days=retention_days, retention=retention)
    if url.startswith(("postgresql://", "postgres://")):
        from auditmw.store.postgres import PostgresStore
        return PostgresStore(url, retention_days=retention_days, retention=retention)
    raise StoreError(f"store.url: {url!r} must start with sqlite:/// or postgresql://")


def open_configured_store(config: StoreConfig, url: str | None = None) -> Store:
    """The ``[store]`` table's store (at ``url`` instead, when given), with its
    retention rules: the one way every command and the server open it."""
    return open_store(url or config.url, retention=config.retention_policy())


def open_store_sink(config: StoreConfig, *, on_purge: PurgeHook | None = None) -> StoreSink:
    """The ``[store]`` table as a sink for the delivery engine."""
    store = open_configured_store(config)
    return StoreSink(store, purge_interval_s=config.purge_interval_s, on_purge=on_purge,
                     batch_size=config.batch_size)


def purge_store(url: str, retention_days: int = 365, now: datetime | None = None,
                on_purge: PurgeHook | None = None) -> int:
    """Delete the events older than ``retention_days`` (before ``now``); returns how many."""
    store = open_store(url, retention_days=retention_days)
    try:
        return store.purge(now, on_purge=on_purge)
    finally:
        store.close()
