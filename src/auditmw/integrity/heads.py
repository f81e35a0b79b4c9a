"""Reading only the head of an event's line: ``schema``, ``id`` and ``integrity``.

Decoding into these structs still checks that the whole line is JSON, but builds only
these few objects (msgspec skips the rest in C), which is most of what makes
``auditmw verify`` fast. A line that does not fit (no chain, odd types, not an event)
gives ``None`` and is read whole by the caller, as before. Without msgspec installed
(an environment made before it was a dependency) every line is read whole.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    import msgspec
except ImportError:  # pragma: no cover - msgspec is a dependency
    msgspec = None  # type: ignore[assignment]


if msgspec is not None:
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

_decode: Callable[[bytes], Any] | None = (
    msgspec.json.Decoder(Head).decode if msgspec is not None else None)


DecodeError: type[Exception] = msgspec.DecodeError if msgspec is not None else ValueError


def head_decoder() -> Callable[[bytes], Any] | None:
    """The raw decoder behind :func:`read_head` (raises :data:`DecodeError`), for a loop
    over many lines; ``None`` without msgspec."""
    return _decode


def read_head(raw: bytes) -> Any:
    """The line's :class:`Head`, or ``None`` when it must be read whole."""
    if _decode is None:
        return None
    try:
        return _decode(raw)
    except msgspec.DecodeError:
        return None
