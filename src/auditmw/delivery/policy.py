"""Where each step of recording runs: decided once, from ``[delivery]``, for every door.

The trail, HTTP capture, both middlewares and the GraphQL hook all ask the same
questions — may the processors run later in a delivery thread? may a request's events
be built there? must a response wait for its events? — and read the answers from the one
:class:`DeliveryPolicy` the trail holds (``trail.policy``). Nothing else changes them:
a test listening with :func:`auditmw.testing.capture_audit_events` sees the path
production takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditmw.config import DeliveryConfig


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    #: ``mode = "async"``: the request thread queues a pending item and the processors
    #: (enrich, redact, truncate, chain) run once, in a delivery thread.
    process_later: bool = True
    #: A request's events (outcomes parsed from the response, targets) are built in a
    #: delivery thread too — async without ``fail_closed``, which must know at once
    #: whether what it records is kept.
    build_later: bool = True
    #: ``fail_closed``: refuse a catalogued request while the durable sink fails, and
    #: answer 503 when its events were not kept.
    fail_closed: bool = False
    #: The doors hold a GraphQL or catalogued response until its events are recorded
    #: (``fail_closed``: the answer depends on whether they were kept).
    hold_response: bool = False
    #: ``mode = "sync"``: the WSGI door hands on a catalogued body's last chunk only once
    #: its events are written, so the client never sees the end of an unaudited answer.
    hold_last_chunk: bool = False

    @classmethod
    def from_config(cls, delivery: DeliveryConfig) -> DeliveryPolicy:
        sync = delivery.mode == "sync"
        fail_closed = bool(delivery.fail_closed)
        return cls(process_later=not sync, build_later=not sync and not fail_closed,
                   fail_closed=fail_closed, hold_response=fail_closed,
                   hold_last_chunk=sync)
