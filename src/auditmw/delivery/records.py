"""The spool's record format: one record per appended batch.

A record is ``b"AMS1"``, the payload length and its CRC-32 (big-endian), then the payload:
the batch's events as canonical JSON lines. A torn record at the end of a segment (the
process died mid-write) ends that segment; a damaged record (a flipped byte anywhere in
it) is reported as such and reading resynchronises on the next intact record, so only
that record is lost.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from auditmw import codec
from auditmw.types import EventDict

HEADER = struct.Struct(">4sII")
MAGIC = b"AMS1"


def encode_record(events: Sequence[EventDict]) -> bytes:
    payload = b"".join(codec.line_of(e) for e in events)
    return HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def decode_payload(payload: bytes) -> list[EventDict]:
    return [codec.loads(line) for line in payload.split(b"\n") if line]


def read_records(fh: BinaryIO) -> Iterator[tuple[bytes | None, int, int]]:
    """``(payload, start, end)`` for each record from the file's position on. A damaged
    record (bad magic, length or checksum) is reported as ``(None, start, end)`` where
    ``end`` is the next intact record (found by scanning for the magic and checking its
    checksum) or the end of the file; then the walk goes on from there, so one flipped
    byte costs one record. A torn record at the very end (a write cut short) counts as
    one damaged record too."""
    while True:
        start = fh.tell()
        head = fh.read(HEADER.size)
        if len(head) < HEADER.size:
            if head:  # a header cut short: the last write was torn
                yield None, start, start + len(head)
            return
        magic, length, crc = HEADER.unpack(head)
        payload = fh.read(length) if magic == MAGIC else b""
        if magic == MAGIC and len(payload) == length and zlib.crc32(payload) == crc:
            yield payload, start, fh.tell()
            continue
        fh.seek(start + 1)
        rest = fh.read()
        resume = _next_intact(rest)
        # No intact record after it: a torn tail (a crash mid-write) or damage at the end;
        # either way the record is lost, and counted.
        end = start + 1 + (len(rest) if resume is None else resume)
        yield None, start, end
        fh.seek(end)


def _next_intact(data: bytes) -> int | None:
    """The offset in ``data`` of the first record whose header and checksum hold."""
    at = data.find(MAGIC)
    while at != -1:
        head = data[at:at + HEADER.size]
        if len(head) == HEADER.size:
            _, length, crc = HEADER.unpack(head)
            body = data[at + HEADER.size:at + HEADER.size + length]
            if len(body) == length and zlib.crc32(body) == crc:
                return at
        at = data.find(MAGIC, at + 1)
    return None


def segment_events(path: str | os.PathLike[str]) -> list[EventDict]:
    """Every event held in one spool segment file, in order, skipping damaged records
    (for inspection and tests; the spool itself reads with its own offsets)."""
    events: list[EventDict] = []
    with open(path, "rb") as fh:
        for payload, _, _ in read_records(fh):
            if payload is None:
                continue
            events.extend(decode_payload(payload))
    return events
