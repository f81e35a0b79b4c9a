"""Delivery: from finished event dicts to every sink.

A :class:`Dispatcher` takes one event at a time from the pipeline (``submit``) and owns
how it reaches the sinks. :class:`DirectDispatcher` writes to each sink in the caller's
thread, isolating failures per sink; it is what ``delivery.mode = "sync"`` needs at its
heart and, until the background engine lands, what every mode uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from auditmw.delivery.direct import DirectDispatcher

if TYPE_CHECKING:
    from auditmw.config import DeliveryConfig
    from auditmw.sinks.base import Sink

__all__ = ["DirectDispatcher", "Dispatcher", "build_dispatcher"]


class Dispatcher(Protocol):
    def submit(self, event: dict[str, Any]) -> None:
        """Accept one finished event. Never raises into the caller."""

    def flush(self, timeout: float | None = None) -> bool:
        """Deliver what was accepted; ``False`` if ``timeout`` ran out first."""

    def close(self, timeout: float | None = None) -> None:
        """Flush within ``timeout`` and close every sink."""

    def stats(self) -> dict[str, Any]:
        """Counters: ``delivered``/``failed`` per sink, ``dropped``, ``queue_depth``..."""


def build_dispatcher(config: DeliveryConfig, sinks: Sequence[Sink]) -> Dispatcher:
    """The dispatcher ``[delivery]`` asks for, over these sinks."""
    return DirectDispatcher(sinks)
