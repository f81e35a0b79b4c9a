"""The engine's counters as OpenTelemetry metrics, when ``opentelemetry-api`` is installed.

Observable instruments read :meth:`AsyncDispatcher.stats` at collection time, so the
request path pays nothing. Instruments are made once per meter provider (the global one
unless a dispatcher was given its own) and report every live dispatcher using that
provider, with the sink's name as the ``auditmw.sink`` attribute:

- ``auditmw.events.delivered``, ``.failed``, ``.retried``, ``.spooled``, ``.dropped``,
  ``.dead_lettered`` (counters, ``{event}``; ``retried`` counts attempts)
- ``auditmw.queue.depth`` (gauge, events waiting in memory)
- ``auditmw.spool.size`` (gauge, bytes on disk)
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from typing import Any

from auditmw.delivery import lifecycle

_COUNTERS = ("delivered", "failed", "retried", "spooled", "dropped", "dead_lettered")
_done: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()


_NO_METER = object()


def install_metrics(dispatcher: Any, meter_provider: Any = None) -> bool:
    """Make sure the instruments exist for ``meter_provider``; ``False`` without the API."""
    try:
        from opentelemetry import metrics
    except ImportError:
        return False
    provider = meter_provider if meter_provider is not None else metrics.get_meter_provider()
    with _lock:
        if provider in _done:
            return True
        _done.add(provider)
    meter = provider.get_meter("auditmw")

    def mine() -> list[Any]:
        # the live dispatchers (trails are live too: they have no meter of their own)
        return [d for d in lifecycle.live()
                if getattr(d, "meter_provider", _NO_METER) is meter_provider]

    def observe(key: str) -> Any:
        def callback(_options: Any) -> Iterable[Any]:
            for d in mine():
                for name, lane in d.stats()["sinks"].items():
                    yield metrics.Observation(lane[key], {"auditmw.sink": name})
        return callback

    for key in _COUNTERS:
        meter.create_observable_counter(f"auditmw.events.{key}", callbacks=[observe(key)],
                                        unit="{event}",
                                        description=f"Audit events {key.replace('_', ' ')}")
    meter.create_observable_gauge("auditmw.queue.depth", callbacks=[observe("queue_depth")],
                                  unit="{event}", description="Audit events waiting in memory")
    meter.create_observable_gauge("auditmw.spool.size", callbacks=[observe("spool_bytes")],
                                  unit="By", description="Bytes waiting in the disk spool")
    return True
