"""XLSX export through xlsxwriter in ``constant_memory`` mode.

xlsxwriter must finish the zip before any byte can be sent, so the workbook goes to a
temporary file (rows are flushed to disk as they are written, so memory stays flat) and
is then streamed in chunks and deleted. Every cell is written as a string (never as a
formula, whatever it starts with). A sheet holds at most 1,048,576 rows: longer exports
continue on ``events (2)``, ``events (3)``... each with the header row. Excel cells hold
at most 32,767 characters; longer ``details`` are cut there (the CSV and JSON exports
keep them whole).
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Any

from auditmw.exports.csv_format import CSV_COLUMNS, event_row

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
CHUNK_BYTES = 256 * 1024


def xlsx_chunks(events: Iterable[dict[str, Any]], *, rows_per_sheet: int = MAX_ROWS,
                tmpdir: str | None = None) -> Iterator[bytes]:
    """The workbook's bytes, in chunks, once every event is written."""
    try:
        import xlsxwriter
    except ImportError:
        raise RuntimeError("the xlsx export needs xlsxwriter: "
                           "pip install 'auditmw[xlsx]'") from None
    if not 2 <= rows_per_sheet <= MAX_ROWS:
        raise ValueError(f"rows_per_sheet must be 2..{MAX_ROWS}, not {rows_per_sheet}")
    handle, path = tempfile.mkstemp(prefix="auditmw-export-", suffix=".xlsx", dir=tmpdir)
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True,
                                              "tmpdir": tmpdir or tempfile.gettempdir()})
        bold = workbook.add_format({"bold": True})
        sheets = 0
        sheet: Any = None
        row = rows_per_sheet
        for event in events:
            if row >= rows_per_sheet:
                sheets += 1
                sheet = workbook.add_worksheet("events" if sheets == 1 else
                                               f"events ({sheets})")
                for col, name in enumerate(CSV_COLUMNS):
                    sheet.write_string(0, col, name, bold)
                sheet.freeze_panes(1, 0)
                row = 1
            for col, cell in enumerate(event_row(event)):
                if cell:
                    sheet.write_string(row, col, cell[:MAX_CELL_CHARS])
            row += 1
        if sheet is None:  # no event: still a valid workbook with the header
            sheet = workbook.add_worksheet("events")
            for col, name in enumerate(CSV_COLUMNS):
                sheet.write_string(0, col, name, bold)
        workbook.close()
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk
    finally:
        os.unlink(path)
