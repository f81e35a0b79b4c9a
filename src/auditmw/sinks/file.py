"""``type = "file"``: JSON lines, rotation by size or age, an fsync policy.

Safe with several processes appending to one path (gunicorn workers): each batch is
written with one ``write`` on an ``O_APPEND`` descriptor under an exclusive ``flock``,
and rotation happens under that lock too. A batch is split at ``rotate_bytes``, so a
file grows past the limit only by an event that is larger than the limit on its own.

A write that fails part-way (a full disk) is cut back to the last whole line before the
error is raised, and the ids already written by a failed attempt are remembered, so the
retry neither leaves a torn line nor writes an event twice.

A process that finds the path now names a different file (another process rotated it)
reopens before writing, so no line lands in a rotated file after its rename and none is
split or interleaved.

``fsync``: ``always`` — every batch is on disk before ``write`` returns (the sink is then
durable); ``batch`` — at most every ``fsync_interval_s`` and on flush/close; ``never`` —
left to the OS.

``format``: ``auditmw`` (default) writes the events as they are; ``ocsf`` or ``ecs`` one
mapped document per line (docs/formats.md). ``auditmw verify`` and the chain's resume
read ``auditmw`` files only.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from auditmw import codec
from auditmw.formats import formatter
from auditmw.sinks.base import EventDict


class FileSink:
    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        rotate_bytes: int = 104_857_600,
        rotate_interval_s: float = 0,
        fsync: str = "batch",
        fsync_interval_s: float = 1.0,
        name: str | None = None,
        format: str = "auditmw",
    ) -> None:
        if fsync not in ("always", "batch", "never"):
            raise ValueError(f"fsync must be always, batch or never, not {fsync!r}")
        self.path = Path(path)
        self.name = name or f"file:{self.path}"
        self.rotate_bytes = rotate_bytes
        self.rotate_interval_s = rotate_interval_s
        self.fsync = fsync
        self.fsync_interval_s = fsync_interval_s
        self.durable = fsync == "always"
        self.format = format
        self._shape = formatter(format)
        self._as_is = format == "auditmw"
        self._lock = threading.Lock()  # flock is per open file, not per thread
        self._fd: int | None = None
        self._opened_at = 0.0
        self._last_sync = time.monotonic()
        self._dirty = False
        self._written_before: frozenset[str] = frozenset()

    # -- descriptor management ------------------------------------------------------------

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self._fd = fd
        self._opened_at = time.time()
        return fd

    def _close_fd(self) -> None:
        if self._fd is not None:
            if self._dirty and self.fsync != "never":
                os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            self._dirty = False

    def _locked_current_fd(self) -> int:
        """An fd on the file the path names now, holding its exclusive lock."""
        while True:
            fd = self._fd if self._fd is not None else self._open()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                on_disk = os.stat(self.path)
            except FileNotFoundError:
                on_disk = None
            mine = os.fstat(fd)
            if on_disk is not None and (on_disk.st_ino, on_disk.st_dev) == (mine.st_ino,
                                                                              mine.st_dev):
                return fd
            fcntl.flock(fd, fcntl.LOCK_UN)  # rotated or removed by someone else: reopen
            self._close_fd()

    def _rotated_name(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        candidate = self.path.with_name(f"{self.path.name}.{stamp}")
        n = 0
        while candidate.exists():
            n += 1
            candidate = self.path.with_name(f"{self.path.name}.{stamp}-{n}")
        return candidate

    def _needs_rotation(self, size: int, incoming: int) -> bool:
        if size == 0:
            return False
        if self.rotate_bytes and size + incoming > self.rotate_bytes:
            return True
        return bool(self.rotate_interval_s) and (
            time.time() - os.stat(self.path).st_mtime > self.rotate_interval_s
            and time.time() - self._opened_at > self.rotate_interval_s)

    # -- Sink -------------------------------------------------------------------------

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        # Events an earlier, failed attempt already put in the file are not written again.
        done = self._written_before
        if done:
            events = [e for e in events if str(e.get("id", "")) not in done]
        shape = self._shape
        # as they are: the line each event carries (the bytes the chain hashed)
        lines = ([codec.line_of(e) for e in events] if self._as_is
                 else [codec.dumps_line(shape(e)) for e in events])
        with self._lock:
            fd = self._locked_current_fd()
            start = 0  # lines before it are in the file
            try:
                while start < len(lines):
                    # one size read per write: we hold the lock and nobody else writes
                    size = os.fstat(fd).st_size
                    if self._needs_rotation(size, len(lines[start])):
                        fd = self._rotate(fd)
                        size = os.fstat(fd).st_size
                    end = self._fitting(size, lines, start)
                    self._write_whole(fd, b"".join(lines[start:end] if start or end < len(lines)
                                                   else lines), size)
                    start = end
                self._dirty = True
                if self.fsync == "always" or (
                    self.fsync == "batch"
                    and time.monotonic() - self._last_sync >= self.fsync_interval_s
                ):
                    os.fsync(fd)
                    self._dirty = False
                    self._last_sync = time.monotonic()
            except BaseException:
                # Only now the ids: the path that succeeds never needs them.
                self._written_before = frozenset(
                    done | {str(e.get("id", "")) for e in events[:start]})
                raise
            else:
                self._written_before = frozenset()
            finally:
                if self._fd is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _rotate(self, fd: int) -> int:
        os.rename(self.path, self._rotated_name())
        fcntl.flock(fd, fcntl.LOCK_UN)
        self._close_fd()
        return self._locked_current_fd()

    def _fitting(self, size: int, lines: list[bytes], start: int) -> int:
        """The end of the longest run of lines from ``start`` that keeps the file of
        ``size`` bytes within ``rotate_bytes`` (at least one line: an event larger than
        the limit gets a file of its own)."""
        room = self.rotate_bytes - size
        if not self.rotate_bytes or sum(map(len, lines[start:] if start else lines)) <= room:
            return len(lines)  # all of it (the common case: no line-by-line walk)
        end = start
        while end < len(lines) and (end == start or len(lines[end]) <= room):
            room -= len(lines[end])
            end += 1
        return end

    @staticmethod
    def _write_whole(fd: int, data: bytes, before: int) -> None:
        """All of ``data`` or nothing: a write cut short (a full disk) is cut off again
        to ``before``, the file's size before it, so the file never ends in a partial
        line. We hold the file's lock, so nobody else wrote in between."""
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            try:
                os.ftruncate(fd, before)
            except OSError as exc:  # then say so: the next line starts after a torn one
                raise OSError(exc.errno, f"a write failed and the partial line could not "
                                         f"be removed: {exc}") from exc
            raise

    def flush(self) -> None:
        with self._lock:
            if self._fd is not None and self._dirty and self.fsync != "never":
                os.fsync(self._fd)
                self._dirty = False
                self._last_sync = time.monotonic()

    def close(self) -> None:
        with self._lock:
            self._close_fd()

    def after_fork(self) -> None:
        """In a forked child: forget the parent's descriptor and lock state."""
        self._lock = threading.Lock()
        self._fd = None
        self._dirty = False
