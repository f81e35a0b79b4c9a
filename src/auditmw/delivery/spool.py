"""A disk spool for one sink: append-only segments of checksummed records, read in order.

Layout: ``<root>/<instance>/seg-000000000001.spool`` ... plus a ``cursor`` file (how far
the oldest segment has been delivered) and a ``lock`` file. Each process writes only to
its own *instance* directory, which it holds with an exclusive ``flock``; so several
worker processes can share one ``spool_dir``. At start a spool *adopts* every instance
directory whose lock is free (its process has exited or was killed) and replays those,
oldest first, before its own records: that is how a spool survives a restart.

Each append is one checksummed record (:mod:`auditmw.delivery.records`); a damaged record
is reported, counted in ``corrupt_records`` and skipped, never delivered half-read.

Delivery from a spool is at-least-once: the cursor is advanced after the sink took the
batch, so a crash in between replays it, and the event ids deduplicate downstream.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from auditmw.delivery.records import decode_payload, encode_record, read_records
from auditmw.types import EventDict

log = logging.getLogger("auditmw.delivery")

WARN_FRACTION = 0.8


class SpoolFull(Exception):
    """The spool reached ``max_bytes``; the caller keeps the batch or counts it lost."""


@dataclass
class _Dir:
    path: Path
    lock_fd: int
    segments: list[int] = field(default_factory=list)
    read_seg: int = 0
    read_off: int = 0


@dataclass(frozen=True)
class Token:
    """Where reading will continue once the peeked batch is committed."""

    directory: _Dir
    segment: int
    offset: int


def _seg_name(n: int) -> str:
    return f"seg-{n:012d}.spool"


class Spool:
    def __init__(self, root: str | os.PathLike[str], *, max_bytes: int = 1 << 30,
                 segment_bytes: int = 8 << 20, name: str = "spool") -> None:
        self.root = Path(root)
        self.name = name
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.corrupt_records = 0
        self._closed = False  # a worker still stuck in a write may come back after close
        self._lock = threading.Lock()
        self._warned = False
        self._write_fd: int | None = None
        self._last_sync = time.monotonic()
        # Our own directory is made on the first append, so a spool that is never needed
        # leaves nothing behind; orphans of earlier runs are adopted at once.
        self._own: _Dir | None = None
        self._adopted = self._adopt_orphans() if self.root.is_dir() else []
        self._disk_bytes = sum(self._size(d, s) for d in self._dirs() for s in d.segments)

    # -- directories ------------------------------------------------------------------

    def _create_own(self) -> _Dir:
        path = self.root / f"{time.time_ns():020d}-{os.getpid()}"
        path.mkdir(parents=True)
        fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        return _Dir(path, fd, [], 1, 0)

    def _adopt_orphans(self) -> list[_Dir]:
        adopted = []
        for path in sorted(p for p in self.root.iterdir() if p.is_dir()):
            try:
                fd = os.open(path / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:  # a live process owns it
                os.close(fd)
                continue
            found = _Dir(path, fd, sorted(int(p.name[4:16]) for p in path.glob("seg-*.spool")))
            found.read_seg, found.read_off = self._read_cursor(found)
            if found.segments and found.read_seg not in found.segments:
                found.read_seg, found.read_off = found.segments[0], 0
            if found.segments:
                adopted.append(found)
                log.info("auditmw: spool %s adopts %d segment(s) left in %s", self.name,
                         len(found.segments), path)
            else:
                self._remove_dir(found)
        return adopted

    @staticmethod
    def _read_cursor(d: _Dir) -> tuple[int, int]:
        try:
            seg, off = (d.path / "cursor").read_text().split()
            return int(seg), int(off)
        except (OSError, ValueError):
            return (d.segments[0] if d.segments else 1), 0

    @staticmethod
    def _write_cursor(d: _Dir) -> None:
        tmp = d.path / "cursor.tmp"
        tmp.write_text(f"{d.read_seg} {d.read_off}")
        os.replace(tmp, d.path / "cursor")

    @staticmethod
    def _remove_dir(d: _Dir) -> None:
        shutil.rmtree(d.path, ignore_errors=True)
        os.close(d.lock_fd)

    def _dirs(self) -> list[_Dir]:
        return [*self._adopted, self._own] if self._own is not None else list(self._adopted)

    @staticmethod
    def _size(d: _Dir, seg: int) -> int:
        try:
            return (d.path / _seg_name(seg)).stat().st_size
        except OSError:
            return 0

    # -- writing ----------------------------------------------------------------------

    def append(self, events: list[EventDict]) -> None:
        """Add one record holding ``events``; raises :class:`SpoolFull` at the cap."""
        record = encode_record(events)
        with self._lock:
            if self._closed:
                raise OSError(f"spool {self.name} is closed")
            if self._disk_bytes + len(record) > self.max_bytes:
                raise SpoolFull(f"spool {self.name} is full ({self._disk_bytes} bytes, "
                                f"cap {self.max_bytes})")
            fd = self._writable_fd(len(record))
            before = os.fstat(fd).st_size
            view = memoryview(record)
            try:
                while view:
                    view = view[os.write(fd, view):]
            except OSError:
                # A disk that filled up mid-record: cut the partial record off again (a
                # shorter file needs no space), and start the next segment afresh anyway.
                with contextlib.suppress(OSError):  # else the reader skips it as damaged
                    os.ftruncate(fd, before)
                os.close(fd)
                self._write_fd = None
                raise
            self._disk_bytes += len(record)
            if time.monotonic() - self._last_sync >= 1.0:
                os.fsync(fd)
                self._last_sync = time.monotonic()
            self._check_warning()

    def _writable_fd(self, incoming: int) -> int:
        if self._own is None:
            self._own = self._create_own()
        own = self._own
        if self._write_fd is not None and own.segments and \
                self._size(own, own.segments[-1]) + incoming > self.segment_bytes:
            os.fsync(self._write_fd)
            os.close(self._write_fd)
            self._write_fd = None
        if self._write_fd is None:
            seg = own.segments[-1] + 1 if own.segments else max(own.read_seg, 1)
            own.segments.append(seg)
            if len(own.segments) == 1:
                own.read_seg, own.read_off = seg, 0
            self._write_fd = os.open(own.path / _seg_name(seg),
                                     os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._write_fd

    def _check_warning(self) -> None:
        used = self._disk_bytes / self.max_bytes
        if used >= WARN_FRACTION and not self._warned:
            self._warned = True
            log.warning("auditmw: spool %s is %.0f%% full (%d of %d bytes); its sink is not "
                        "keeping up", self.name, used * 100, self._disk_bytes, self.max_bytes)
        elif used < WARN_FRACTION - 0.1:
            self._warned = False

    # -- reading ----------------------------------------------------------------------

    @property
    def disk_bytes(self) -> int:
        return self._disk_bytes

    def pending(self) -> bool:
        with self._lock:
            return any(self._has_unread(d) for d in self._dirs())

    def _has_unread(self, d: _Dir) -> bool:
        if not d.segments:
            return False
        return d.read_seg != d.segments[-1] or d.read_off < self._size(d, d.read_seg)

    def peek(self, max_events: int, max_records: int | None = None
             ) -> tuple[list[EventDict], Token] | None:
        """The oldest undelivered records (whole records, about ``max_events`` events;
        at most ``max_records`` records when given)."""
        with self._lock:
            if self._closed:
                return None
            for d in self._dirs():
                while d.segments:
                    events, offset = self._read_records(d, max_events, max_records)
                    if events:
                        return events, Token(d, d.read_seg, offset)
                    if offset > d.read_off:  # only damaged records: skip past them
                        d.read_off = offset
                        self._write_cursor(d)
                        continue
                    if not self._advance_segment(d):
                        break
            return None

    def _read_records(self, d: _Dir, max_events: int, max_records: int | None = None
                      ) -> tuple[list[EventDict], int]:
        events: list[EventDict] = []
        offset = d.read_off
        taken = 0
        path = d.path / _seg_name(d.read_seg)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            return events, offset
        with fh:
            fh.seek(offset)
            for payload, start, after in read_records(fh):
                if payload is None:
                    self.corrupt_records += 1
                    log.error("auditmw: spool %s: damaged record in %s at byte %d; %d "
                              "byte(s) skipped to the next intact record", self.name,
                              path, start, after - start)
                    offset = after
                    if events:  # deliver what came before; the next peek goes on
                        break
                    continue
                events.extend(decode_payload(payload))
                offset = after
                taken += 1
                if len(events) >= max_events or (max_records and taken >= max_records):
                    break
        return events, offset

    def _advance_segment(self, d: _Dir) -> bool:
        """Drop a fully read segment; ``False`` when there is nothing further to read."""
        current = d.read_seg
        is_write_seg = d is self._own and d.segments and d.segments[-1] == current
        if is_write_seg:
            return False
        self._delete_segment(d, current)
        if d.segments:
            d.read_seg, d.read_off = d.segments[0], 0
            self._write_cursor(d)
            return True
        if d is not self._own:
            self._adopted.remove(d)
            self._remove_dir(d)
        return False

    def _delete_segment(self, d: _Dir, seg: int) -> None:
        size = self._size(d, seg)
        (d.path / _seg_name(seg)).unlink(missing_ok=True)
        if seg in d.segments:
            d.segments.remove(seg)
        self._disk_bytes = max(0, self._disk_bytes - size)

    def commit(self, token: Token) -> None:
        """The peeked batch was delivered: move the cursor past it."""
        with self._lock:
            d = token.directory
            if self._closed or d.read_seg != token.segment:  # closed: the next run resends
                return
            d.read_off = token.offset
            if token.offset >= self._size(d, token.segment):
                if d is self._own and d.segments and d.segments[-1] == token.segment:
                    # The write segment is fully delivered: retire it, start a fresh one.
                    if self._write_fd is not None:
                        os.close(self._write_fd)
                        self._write_fd = None
                    self._delete_segment(d, token.segment)
                    d.read_seg, d.read_off = token.segment + 1, 0
                else:
                    self._advance_segment(d)
                    return
            self._write_cursor(d)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._write_fd is not None:
                os.fsync(self._write_fd)
                os.close(self._write_fd)
                self._write_fd = None
            # Release every directory: what is left is an orphan the next run adopts.
            if self._own is not None and not self._own.segments:
                self._remove_dir(self._own)  # nothing left to replay: leave no trace
            elif self._own is not None:
                os.close(self._own.lock_fd)
            for d in self._adopted:
                os.close(d.lock_fd)
            self._own = None
            self._adopted = []

    def after_fork(self) -> None:
        """In a forked child: leave the parent's directories to the parent; start our own.
        Closing our copies of the lock descriptors keeps the parent's locks held."""
        self._lock = threading.Lock()
        self._closed = False
        if self._write_fd is not None:
            os.close(self._write_fd)
            self._write_fd = None
        for d in self._dirs():
            os.close(d.lock_fd)
        self._adopted = []
        self._own = None
        self._disk_bytes = 0
