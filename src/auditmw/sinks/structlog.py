"""``type = "structlog"``: each event as one structlog call on the logger ``logger``.

The structlog event (its message) is the catalogue name; every other field of the audit
event is a key of the call, as it is (``actor``, ``target``, ``details``... as dicts). The
level follows the outcome: ``success`` info, ``denied`` warning, ``failure`` error. How
it is rendered and where it goes is the app's structlog configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog

from auditmw.sinks.base import EventDict

if TYPE_CHECKING:
    from auditmw.config import StructlogSinkConfig

LEVELS = {"success": "info", "denied": "warning", "failure": "error"}


class StructlogSink:
    durable = False

    def __init__(self, logger: str = "auditmw", name: str | None = None) -> None:
        self.logger_name = logger
        self.name = name or f"structlog:{logger}"

    def write(self, events: Sequence[EventDict]) -> None:
        # Looked up per batch so a structlog.configure() after start-up is honoured.
        logger = structlog.get_logger(self.logger_name)
        for event in events:
            fields = {k: v for k, v in event.items() if k != "event"}
            method = getattr(logger, LEVELS.get(str(event.get("outcome")), "info"))
            method(str(event.get("event", "")), **fields)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def from_config(config: StructlogSinkConfig, **context: Any) -> StructlogSink:
    return StructlogSink(config.logger)
