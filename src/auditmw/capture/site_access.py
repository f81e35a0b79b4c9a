"""``site_access``: an event on the configured login routes, and on an actor's first
request after ``capture.site_access.idle_s`` of inactivity.

The idle tracker is per process and bounded (the least recently seen actors are
forgotten first), so a flood of distinct identities costs memory only up to the bound
(a forgotten actor simply counts as returning after a gap).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

SITE_ACCESS_EVENT = "siteAccess"
MAX_TRACKED = 100_000


class IdleTracker:
    def __init__(self, idle_s: float, max_tracked: int = MAX_TRACKED,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_s = idle_s
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max = max_tracked
        self._clock = clock
        self._lock = threading.Lock()

    def returning(self, actor_id: str) -> bool:
        """Note a request by ``actor_id``; ``True`` if it is the first after a gap."""
        now = self._clock()
        with self._lock:
            last = self._seen.pop(actor_id, None)
            self._seen[actor_id] = now
            if len(self._seen) > self._max:
                self._seen.popitem(last=False)
        return last is None or now - last >= self.idle_s
