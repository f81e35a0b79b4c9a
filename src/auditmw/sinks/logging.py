"""``type = "logging"``: each event as a record of a stdlib logger, so any handler a shop
already has (``SysLogHandler``, watchtower for CloudWatch, OpenTelemetry's
``LoggingHandler``, a JSON formatter) receives it.

- the logger is ``logger`` (default ``auditmw.audit``); when neither it nor an ancestor
  has a level below WARNING set, it is set to INFO so that success events (INFO) reach
  the handlers — audit records must not depend on the root logger's default level;
- the level follows the outcome: ``success`` INFO, ``denied`` WARNING, ``failure`` ERROR
  (``levels`` overrides any of them);
- the message is the event in the sink's ``format`` as one line of compact JSON, so a
  handler that only prints the message still carries the whole event; the record also
  has ``audit_id``, ``audit_event`` and ``audit_outcome`` attributes for filters and
  structured handlers;
- when no handler at all would receive the records (Python's last resort prints only
  WARNING and above), one warning says so on stderr rather than losing them silently.

Handlers swallow their own errors (``Handler.handleError``), so this sink cannot know
whether a record arrived: it is not durable, use it next to the store or a file.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.formats import formatter
from auditmw.sinks.base import EventDict

if TYPE_CHECKING:
    from auditmw.config import LoggingSinkConfig

DEFAULT_LEVELS = {"success": logging.INFO, "denied": logging.WARNING,
                  "failure": logging.ERROR}


class LoggingSink:
    durable = False

    def __init__(self, logger: str = "auditmw.audit", *, format: str = "auditmw",
                 levels: Mapping[str, int | str] | None = None,
                 name: str | None = None) -> None:
        self.name = name or f"logging:{logger}"
        self.logger = logging.getLogger(logger)
        self.format = format
        self._shape = formatter(format)
        self.levels = dict(DEFAULT_LEVELS)
        for outcome, level in (levels or {}).items():
            self.levels[outcome] = (level if isinstance(level, int)
                                    else logging.getLevelNamesMapping()[level])
        if self.logger.getEffectiveLevel() > logging.INFO:
            self.logger.setLevel(logging.INFO)
        self._warned = False

    def write(self, events: Sequence[EventDict]) -> None:
        if not self._warned and not self.logger.hasHandlers():
            self._warned = True
            print(f"auditmw: the logging sink's logger {self.logger.name!r} has no handlers; "
                  "its audit records go nowhere until one is added", file=sys.stderr)
        shape = self._shape
        for event in events:
            level = self.levels.get(str(event.get("outcome")), logging.INFO)
            if not self.logger.isEnabledFor(level):
                continue
            self.logger.log(level, "%s", codec.dumps_str(shape(event)), extra={
                "audit_id": str(event.get("id", "")),
                "audit_event": str(event.get("event", "")),
                "audit_outcome": str(event.get("outcome", "")),
            })

    def flush(self) -> None:
        for handler in self.logger.handlers:
            handler.flush()

    def close(self) -> None:
        self.flush()


def from_config(config: LoggingSinkConfig, **context: Any) -> LoggingSink:
    levels: dict[str, int | str] = {str(k): v for k, v in config.levels.items()}
    return LoggingSink(config.logger, format=config.format, levels=levels)
