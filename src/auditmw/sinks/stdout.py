"""``type = "stdout"``: one canonical JSON line per event on standard output, in the
sink's ``format`` (``auditmw``, ``ocsf`` or ``ecs``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import BinaryIO

from auditmw import codec
from auditmw.formats import formatter
from auditmw.sinks.base import EventDict


class StdoutSink:
    durable = False

    def __init__(self, stream: BinaryIO | None = None, name: str = "stdout",
                 format: str = "auditmw") -> None:
        self.name = name
        self._stream = stream
        self.format = format
        self._shape = formatter(format)

    @property
    def stream(self) -> BinaryIO:
        # Looked up per write so that a replaced sys.stdout (tests, daemons) is honoured.
        return self._stream or sys.stdout.buffer

    def write(self, events: Sequence[EventDict]) -> None:
        shape = self._shape
        self.stream.write(b"".join(codec.dumps_line(shape(e)) for e in events))
        self.stream.flush()

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.flush()
