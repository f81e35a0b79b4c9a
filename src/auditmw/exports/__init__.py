"""Streaming exports of audit events: CSV, JSON array, JSON lines, XLSX. See docs/exports.md.

Every writer takes an iterator of event dicts (for example ``store.iter_events(query)``)
and yields ``bytes`` chunks, holding only a chunk at a time (XLSX: a temporary file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditmw.exports.csv_format import CSV_COLUMNS, csv_chunks, neutralise
from auditmw.exports.json_format import json_array_chunks, jsonl_chunks
from auditmw.exports.xlsx_format import xlsx_chunks

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = [
    "CSV_COLUMNS", "FORMATS", "content_type", "csv_chunks", "export_chunks",
    "file_extension", "json_array_chunks", "jsonl_chunks", "neutralise", "xlsx_chunks",
]

FORMATS: tuple[str, ...] = ("csv", "json", "jsonl", "xlsx")
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _checked(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"export format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def content_type(fmt: str) -> str:
    """The HTTP ``Content-Type`` of an export in ``fmt``."""
    return _CONTENT_TYPES[_checked(fmt)]


def file_extension(fmt: str) -> str:
    """The file name extension, without the dot."""
    return _checked(fmt)


def export_chunks(events: Iterable[dict[str, Any]], fmt: str) -> Iterator[bytes]:
    """``events`` in ``fmt`` as a stream of bytes chunks. An unknown format raises
    :class:`ValueError` at once, before any event is read."""
    writer = {"csv": csv_chunks, "json": json_array_chunks, "jsonl": jsonl_chunks,
              "xlsx": xlsx_chunks}[_checked(fmt)]
    return writer(events)
