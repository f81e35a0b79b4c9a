"""The dead-letter file: events a destination refused for good, kept with the reason.

One JSON line per event: ``{"time", "sink", "reason", "event"}``. Appended under an
exclusive ``flock`` so that several processes can share the file. Nothing reads it back
automatically: a refused batch (a 400 from a collector that dislikes a field) needs a
human, and replaying it blindly would only be refused again.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditmw import codec
from auditmw.ids import format_time_ns


class DeadLetterFile:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def write(self, sink: str, reason: str, events: Sequence[dict[str, Any]]) -> None:
        now = format_time_ns(time.time_ns())
        data = b"".join(codec.dumps_line({"time": now, "sink": sink, "reason": reason,
                                          "event": event}) for event in events)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                         0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            finally:
                os.close(fd)

    def after_fork(self) -> None:
        self._lock = threading.Lock()
