"""Reading only the head of an event's line: ``schema``, ``id`` and ``integrity``.

Decoding into these structs still checks that the whole line is JSON, but builds only
these few objects (msgspec skips the rest in C), which is most of what makes
``auditmw verify`` fast. A line that does not fit (no chain, odd types, not an event)
gives ``None`` and is read whole by the caller, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec


# gc=False: a head lives for one line and holds no cycle; untracked, it costs the
# collector nothing.
class Integrity(msgspec.Struct, gc=False):
    chain: str
    seq: int
    prev: str
    hash: str
    after: dict[str, Any] | None = None


class Head(msgspec.Struct, gc=False):
    schema: str
    integrity: Integrity
    id: str | None = None


_decode: Callable[[bytes], Head] = msgspec.json.Decoder(Head).decode

DecodeError = msgspec.DecodeError


def head_decoder() -> Callable[[bytes], Head]:
    """The raw decoder behind :func:`read_head` (raises :data:`DecodeError`), for a loop
    over many lines."""
    return _decode


def read_head(raw: bytes) -> Head | None:
    """The line's :class:`Head`, or ``None`` when it must be read whole."""
    try:
        return _decode(raw)
    except msgspec.DecodeError:
        return None
