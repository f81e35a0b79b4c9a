"""How long to wait before trying a failed sink again.

What a sink's failure means (:class:`RetryableError`, :class:`PermanentError`,
:class:`PayloadTooLarge`) is part of the shared vocabulary in :mod:`auditmw.types`; the
names stay importable from here, where ``docs/sinks.md`` first published them.
"""

from __future__ import annotations

import random

from auditmw.types import PayloadTooLarge, PermanentError, RetryableError

__all__ = ["PayloadTooLarge", "PermanentError", "RetryableError", "backoff_delay"]


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
