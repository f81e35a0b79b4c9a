"""What a sink's failure means, and how long to wait before trying again.

A sink raises; the lane decides from the exception what to do with the batch:

- :class:`PermanentError` — the destination refused this data for good (a 4xx other
  than 408/413/429): retrying cannot help, so the batch goes to the dead-letter file.
- :class:`PayloadTooLarge` — a 413: the batch is split in half and each half sent on.
- :class:`RetryableError` — connection errors, timeouts, 408, 429, 5xx; may carry the
  server's ``Retry-After``. Any other exception is treated the same way, because an
  unknown failure of a store or file (a full disk, a restarted database) is usually
  transient and losing audit data on a guess would be worse than retrying.
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime


class RetryableError(Exception):
    """A failure worth retrying; ``retry_after`` (seconds) is the server's wish, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """The destination rejected the batch for good; ``str(exc)`` is the reason kept in
    the dead-letter file."""


class PayloadTooLarge(Exception):
    """The destination said the batch is too large (HTTP 413): split it."""


def backoff_delay(attempt: int, base_s: float, cap_s: float,
                  retry_after: float | None = None,
                  rng: random.Random | None = None) -> float:
    """Seconds to wait before try number ``attempt + 1`` (``attempt`` counts from 0).

    Exponential (``base * 2**attempt``, at most ``cap``) with "equal jitter": half the
    step is fixed, half random, so many processes that failed together do not all come
    back in the same instant. A server's ``Retry-After`` wins when it asks for longer,
    but is itself capped so that a hostile or buggy header cannot park a lane for days.
    """
    step = min(cap_s, base_s * (1 << min(attempt, 32)))
    draw = float((rng or random).random())
    delay = step / 2 + step / 2 * draw
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, max(cap_s, 3600.0))
    return delay


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` when
    absent or unreadable (then our own backoff applies)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
