"""The words every part of auditmw shares, in one module that imports no other part.

A sink, the delivery lanes, the processors and both front doors speak about the same
things: the finished event dict, a processor over it, the ASGI and WSGI callables, and
what a sink's failure means. Defining them here, at the bottom of the import graph, lets
each folder import its vocabulary downward instead of from its caller (a sink used to
take its errors from ``delivery/``, the package that calls it).

The sink errors (see ``docs/sinks.md``) — the lane decides from them what to do with a
batch:

- :class:`PermanentError` — the destination refused this data for good (a 4xx other
  than 408/413/429): retrying cannot help, so the batch goes to the dead-letter file.
- :class:`PayloadTooLarge` — a 413: the batch is split in half and each half sent on.
- :class:`RetryableError` — connection errors, timeouts, 408, 429, 5xx; may carry the
  server's ``Retry-After``. Any other exception is treated the same way, because an
  unknown failure of a store or file (a full disk, a restarted database) is usually
  transient and losing audit data on a guess would be worse than retrying.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

__all__ = [
    "ASGIApp", "Environ", "EventDict", "Message", "PayloadTooLarge", "PermanentError",
    "Processor", "Receive", "RetryableError", "Scope", "Send", "StartResponse", "WSGIApp",
]

#: One finished (or being finished) ``auditmw/1`` event, as sinks receive it.
EventDict = dict[str, Any]
#: One step of the pipeline: takes the event dict, returns it (changed or new).
Processor = Callable[[EventDict], EventDict]

# -- ASGI (https://asgi.readthedocs.io/en/latest/specs/main.html) ----------------------
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# -- WSGI (PEP 3333) -------------------------------------------------------------------
Environ = dict[str, Any]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]


# -- what a sink's failure means -------------------------------------------------------

class RetryableError(Exception):
    """A failure worth retrying; ``retry_after`` (seconds) is the server's wish, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """The destination rejected the batch for good; ``str(exc)`` is the reason kept in
    the dead-letter file."""


class RejectedEvent(PermanentError):
    """The destination refuses one *event* of the batch for good, whatever batch it came
    in (a store cannot hold its time, say): the batch is split until that event is alone,
    and only it goes to the dead-letter file; its neighbours are written."""


class PayloadTooLarge(Exception):
    """The destination said the batch is too large (HTTP 413): split it."""
