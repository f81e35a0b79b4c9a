"""CSV export: the SPEC's columns, RFC 4180, cells neutralised against formula injection.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some
with a leading tab or carriage return) as a formula, so an attacker who controls an
actor name or an argument could plant ``=HYPERLINK(...)`` in a download. Following
OWASP, such a cell gets a leading ``'``: shown as text, and the original is the cell
minus that first character.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from auditmw import codec

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

CSV_COLUMNS: tuple[str, ...] = (
    "id", "time", "event", "category", "action", "outcome", "actor_id", "actor_name",
    "actor_type", "team", "client_ip", "client_hostname", "channel", "source",
    "target_type", "target_id", "target_name", "details",
)
DANGEROUS_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
ESCAPED_PREFIXES: tuple[str, ...] = (*DANGEROUS_PREFIXES, "'")
CHUNK_BYTES = 64 * 1024


def neutralise(cell: str) -> str:
    """``'`` before a cell a spreadsheet would read as a formula.

    A cell that already starts with ``'`` gets one too, so the rule stays reversible
    (strip one leading ``'``) and a spreadsheet, which hides one, shows the text as it was.
    """
    return "'" + cell if cell.startswith(ESCAPED_PREFIXES) else cell


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return codec.dumps_str(value)


def event_row(event: dict[str, Any]) -> list[str]:
    """One event as the :data:`CSV_COLUMNS` cells (not yet neutralised)."""
    actor = event.get("actor") or {}
    client = event.get("client") or {}
    target = event.get("target") or {}
    return [
        _text(event.get("id")), _text(event.get("time")), _text(event.get("event")),
        _text(event.get("category")), _text(event.get("action")),
        _text(event.get("outcome")), _text(actor.get("id")), _text(actor.get("name")),
        _text(actor.get("type")), _text(actor.get("team")), _text(client.get("ip")),
        _text(client.get("hostname")), _text(event.get("channel")),
        _text(event.get("source")), _text(target.get("type")), _text(target.get("id")),
        _text(target.get("name")), codec.dumps_str(event.get("details") or {}),
    ]


def csv_chunks(events: Iterable[dict[str, Any]], *, bom: bool = False) -> Iterator[bytes]:
    """The header, then one CRLF-terminated record per event, in chunks of ~64 KiB.

    ``bom=True`` starts the file with a UTF-8 byte-order mark, which makes Excel read
    non-ASCII names correctly when the file is double-clicked.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    prefix = b"\xef\xbb\xbf" if bom else b""
    for event in events:
        writer.writerow([neutralise(cell) for cell in event_row(event)])
        if buffer.tell() >= CHUNK_BYTES:
            yield prefix + buffer.getvalue().encode("utf-8")
            prefix = b""
            buffer.seek(0)
            buffer.truncate()
    yield prefix + buffer.getvalue().encode("utf-8")
