"""Streamed bodies that still fail cleanly: the first chunk is made before any header is
sent, so a store that is down at the start is a proper 500; a break after that can only
cut the body short, and is logged and recorded."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator

log = logging.getLogger("auditmw.server")
_END = b""


async def prime(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Make the first chunk in a worker thread (errors raise here) and put it back."""
    from starlette.concurrency import run_in_threadpool

    first = await run_in_threadpool(next, chunks, _END)
    return itertools.chain([first], chunks) if first else iter(())


def watched(chunks: Iterator[bytes], on_break: Callable[[Exception, int], None]
            ) -> Iterator[bytes]:
    """``chunks`` as is; an exception calls ``on_break(exc, bytes_sent)`` then re-raises
    (the server then aborts the response, so the client sees a truncated body)."""
    sent = 0
    try:
        for chunk in chunks:
            yield chunk
            sent += len(chunk)
    except Exception as exc:
        try:
            on_break(exc, sent)
        except Exception:
            log.exception("auditmw: could not report a broken export stream")
        raise
