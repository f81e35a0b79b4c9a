"""What a sink is: something that takes batches of finished event dicts.

A sink raises on failure; retrying, spooling and isolation are the dispatcher's job, so
a sink stays a thin adapter to its destination. ``durable`` says whether an event that
``write`` returned for has survived a crash of this process (the store, or a file with
``fsync = "always"``); ``delivery.mode = "sync"`` waits for the first durable sink.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from auditmw.types import EventDict

__all__ = ["EventDict", "Sink"]


@runtime_checkable
class Sink(Protocol):
    name: str
    durable: bool

    def write(self, events: Sequence[EventDict]) -> None:
        """Deliver the batch, all of it, or raise."""

    def flush(self) -> None:
        """Push anything buffered to the destination."""

    def close(self) -> None:
        """Flush and release resources; the sink is not used again."""
