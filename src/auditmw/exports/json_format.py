"""JSON exports: one JSON array, or JSON lines (one event a line), each event in the
canonical form every sink writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditmw import codec

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

CHUNK_BYTES = 64 * 1024


def jsonl_chunks(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """One event per line, ``\\n``-terminated, in chunks of ~64 KiB."""
    parts: list[bytes] = []
    size = 0
    for event in events:
        line = codec.dumps_line(event)
        parts.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    if parts:
        yield b"".join(parts)


def json_array_chunks(events: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A JSON array, one event per line inside it (``[]`` when there is none)."""
    parts: list[bytes] = [b"["]
    size = 1
    separator = b"\n"
    for event in events:
        item = separator + codec.dumps(event)
        separator = b",\n"
        parts.append(item)
        size += len(item)
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(b"\n]\n" if separator == b",\n" else b"]\n")
    yield b"".join(parts)
