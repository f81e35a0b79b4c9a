"""Reading a WSGI request's body before the app does, and giving the app an identical
stream: the body of a watched GraphQL or login request (up to
``capture.max_body_bytes``), put back as a ``BytesIO`` (a larger one as the part read
followed by the untouched rest)."""

from __future__ import annotations

import io
import logging
from typing import Any

from auditmw.types import Environ

log = logging.getLogger("auditmw.wsgi")


class _Replayed(io.RawIOBase):
    """The part of a request body already read, then the rest of the original stream."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head = io.BytesIO(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        count = self._head.readinto(view)
        if count:
            return count
        data = self._rest.read(len(view))
        view[:len(data)] = data
        return len(data)


def take_body(environ: Environ, limit: int) -> tuple[bytes | None, bool]:
    """Read the body (if it fits ``limit``) and put an identical stream back:
    ``(body or None, passed the limit)``."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b"", False
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return None, False
    if length > limit:
        return None, True
    parts: list[bytes] = []
    try:
        if length > 0:  # the usual request: one read gets it all
            first = stream.read(length)
            if len(first) == length and type(first) is bytes:
                environ["wsgi.input"] = io.BytesIO(first)
                return first, False
            parts.append(first)  # a short read: the loop reads on
        if length < 0 and not environ.get("wsgi.input_terminated"):
            return b"", False  # PEP 3333: no CONTENT_LENGTH means no body
        want = length if length >= 0 else limit + 1
        size = sum(map(len, parts))
        while size < want:
            part = stream.read(want - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
        data = b"".join(parts)
    except Exception:
        log.exception("auditmw: could not read a request body")
        environ["wsgi.input"] = io.BufferedReader(_Replayed(b"".join(parts), stream))
        return None, False
    if size > limit:
        environ["wsgi.input"] = io.BufferedReader(_Replayed(data, stream))
        return None, True
    environ["wsgi.input"] = io.BytesIO(data)
    return data, False
