"""Time-ordered event ids (UUIDv7, RFC 9562) and RFC 3339 timestamps.

Python 3.11 has no ``uuid.uuid7``; this is the RFC's layout with the 12 ``rand_a`` bits
used as a per-millisecond counter, so ids made in one process sort in the order they
were made even within the same millisecond.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from datetime import UTC, datetime


class _MonotonicStamp:
    """The last (millisecond, counter) handed out; never goes backwards."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = 0
        self.counter = 0

    def next(self, now_ms: int) -> tuple[int, int]:
        with self.lock:
            if now_ms > self.last_ms:
                self.last_ms = now_ms
                # A random start, with room to count. From the private generator: an
                # os.urandom call a millisecond was a system call (and a GIL release) on
                # nearly every event of a moderately busy app.
                self.counter = _rng.getrandbits(8)
            else:
                # Same millisecond (or the clock stepped back): count on from the last id.
                self.counter += 1
                if self.counter > 0xFFF:
                    self.last_ms += 1
                    self.counter = 0
            return self.last_ms, self.counter


_stamp = _MonotonicStamp()
# Our own generator (seeded from os.urandom), reseeded in a forked child so that parent
# and child never draw the same bits; the global `random` state stays the app's.
_rng = random.Random()
os.register_at_fork(after_in_child=_rng.seed)


def uuid7(now_ns: int | None = None) -> str:
    """A UUIDv7 string whose timestamp is ``now_ns`` (default: the wall clock).

    The 62 random bits come from a private :class:`random.Random`: ids must not collide,
    they need not be unpredictable (nothing is authorised by knowing one).
    """
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    ms, counter = _stamp.next(ms)
    value = ((ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62
             | _rng.getrandbits(62))
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid7_time_ms(value: str) -> int:
    """The Unix millisecond timestamp held in a UUIDv7 string."""
    return uuid.UUID(value).int >> 80


def format_time(dt: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a ``Z``: ``2026-11-22T10:50:23.123456Z``."""
    if dt.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# (second, its strftime): most events share the second of the one before. One tuple, so
# a reader never pairs one second with another's text.
_last_second: tuple[int, str] = (-1, "")


def format_time_ns(now_ns: int) -> str:
    global _last_second  # noqa: PLW0603 (a one-slot cache, replaced whole)
    seconds, nanos = divmod(now_ns, 1_000_000_000)
    cached_second, text = _last_second
    if cached_second != seconds:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _last_second = (seconds, text)
    return f"{text}.{nanos // 1000:06d}Z"


def parse_time(text: str) -> datetime:
    """Parse an RFC 3339 time (``Z`` or an offset) into an aware UTC datetime."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return dt.astimezone(UTC)
