"""Delivery: from finished event dicts to every sink.

A :class:`Dispatcher` takes one event at a time from the pipeline (``submit``) and owns
how it reaches the sinks. ``delivery.mode = "async"`` (the default) builds an
:class:`~auditmw.delivery.engine.AsyncDispatcher` — one background lane per sink with
batching, retry, spool and dead letters; ``"sync"`` builds a
:class:`~auditmw.delivery.engine.SyncDispatcher`, which writes to the first durable sink
before ``submit`` returns. :class:`DirectDispatcher` writes every sink in the caller's
thread with no queue at all (handy in scripts and tests). See ``docs/delivery.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from auditmw.delivery.direct import DirectDispatcher
from auditmw.delivery.engine import AsyncDispatcher, SyncDispatcher

if TYPE_CHECKING:
    from auditmw.config import DeliveryConfig
    from auditmw.delivery.pending import Pending
    from auditmw.sinks.base import Sink

__all__ = ["AsyncDispatcher", "DirectDispatcher", "Dispatcher", "SyncDispatcher",
           "build_dispatcher"]


class Dispatcher(Protocol):
    def submit(self, event: dict[str, Any] | Pending) -> bool:
        """Accept one event, finished or :class:`~auditmw.delivery.pending.Pending`. Never
        raises into the caller.

        Returns ``False`` only when the event is known not to be kept: dropped on
        overflow, or (``mode = "sync"``) not durable in the first durable sink. The
        HTTP middleware turns that into a 503 when ``fail_closed`` is set.
        """

    def healthy(self) -> bool:
        """``False`` while the first durable sink is known to be failing (sync mode's
        ``fail_closed`` then refuses catalogued requests before the app runs)."""

    def flush(self, timeout: float | None = None) -> bool:
        """Deliver what was accepted; ``False`` if ``timeout`` ran out first."""

    def close(self, timeout: float | None = None) -> None:
        """Flush within ``timeout`` and close every sink."""

    def stats(self) -> dict[str, Any]:
        """Counters: ``delivered``/``failed`` per sink, ``dropped``, ``queue_depth``..."""


def build_dispatcher(config: DeliveryConfig, sinks: Sequence[Sink]) -> Dispatcher:
    """The dispatcher ``[delivery]`` asks for, over these sinks."""
    if config.mode == "sync":
        return SyncDispatcher(config, sinks)
    return AsyncDispatcher(config, sinks)
