"""Streaming exports: CSV (RFC 4180, neutralised), JSON, JSON lines, XLSX."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.exports import (
    CSV_COLUMNS,
    FORMATS,
    content_type,
    export_chunks,
    file_extension,
    neutralise,
)
from auditmw.exports.csv_format import CHUNK_BYTES
from auditmw.exports.xlsx_format import xlsx_chunks
from auditmw.store import Query, open_store
from auditmw.store.sample import sample_events

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Copied as written in SPEC section 13, so a drift from the text is caught.
_SPEC_TEXT = ("id, time, event, category, action, outcome, actor_id, actor_name, "
              "actor_type, team, client_ip, client_hostname, channel, source, "
              "target_type, target_id, target_name, details")
SPEC_COLUMNS = _SPEC_TEXT.split(", ")


def sample(count: int, seed: int = 1) -> list[dict[str, Any]]:
    return list(sample_events(count, span=timedelta(days=1), seed=seed))


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def test_csv_columns_are_the_spec_columns_in_order() -> None:
    assert list(CSV_COLUMNS) == SPEC_COLUMNS
    rows = read_csv(b"".join(export_chunks([], "csv")))
    assert rows == [SPEC_COLUMNS]


def test_csv_rows_carry_the_event_fields() -> None:
    (event,) = sample(1)
    event["details"] = {"b": 1, "a": "x,y \"q\"\nline"}
    data = b"".join(export_chunks([event], "csv"))
    assert data.count(b"\r\n") >= 2  # RFC 4180 record separator
    header, row = read_csv(data)
    cells = dict(zip(header, row, strict=True))
    assert cells["id"] == event["id"]
    assert cells["actor_name"] == event["actor"]["name"]
    assert cells["team"] == event["actor"]["team"]
    assert cells["client_hostname"] == event["client"]["hostname"]
    assert cells["target_type"] == "AssetGroup"
    assert json.loads(cells["details"]) == event["details"]
    assert cells["details"] == codec.dumps_str(event["details"])


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
@pytest.mark.parametrize("field", ["actor_name", "target_name", "target_id", "event"])
def test_every_dangerous_prefix_is_neutralised(prefix: str, field: str) -> None:
    (event,) = sample(1)
    payload = prefix + 'HYPERLINK("http://evil.example","x")'
    if field == "actor_name":
        event["actor"]["name"] = payload
    elif field == "event":
        event["event"] = payload
    else:
        event["target"][field.removeprefix("target_")] = payload
    header, row = read_csv(b"".join(export_chunks([event], "csv")))
    cell = row[header.index(field)]
    assert cell == "'" + payload
    assert unneutralise(cell) == payload


def test_safe_cells_are_left_alone() -> None:
    for cell in ["", "Ann", "1-2", "a=b", " =x"]:
        assert neutralise(cell) == cell


@pytest.mark.parametrize("cell", ["'quoted", "'=1+1", "''", "'"])
def test_cells_starting_with_a_quote_get_one_more(cell: str) -> None:
    # Otherwise "'=x" would read back as "=x": the escape must be reversible.
    assert neutralise(cell) == "'" + cell
    assert unneutralise(neutralise(cell)) == cell


cells_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(name=cells_text, target=cells_text, detail=cells_text)
def test_csv_round_trips_any_text(name: str, target: str, detail: str) -> None:
    (event,) = sample(1)
    event["actor"]["name"] = name
    event["target"]["name"] = target
    event["details"] = {"value": detail}
    header, row = read_csv(b"".join(export_chunks([event], "csv")))
    cells = dict(zip(header, row, strict=True))
    for column, original in (("actor_name", name), ("target_name", target)):
        assert not cells[column].startswith(("=", "+", "-", "@", "\t", "\r"))
        assert unneutralise(cells[column]) == original
    assert json.loads(cells["details"]) == {"value": detail}


def test_csv_of_many_events_round_trips_in_bounded_chunks() -> None:
    events = sample(3000, seed=2)
    chunks = list(export_chunks(events, "csv"))
    assert len(chunks) > 5
    assert max(len(c) for c in chunks) < CHUNK_BYTES + 4096
    rows = read_csv(b"".join(chunks))
    assert [r[0] for r in rows[1:]] == [e["id"] for e in events]


@pytest.mark.parametrize("fmt", FORMATS)
def test_writers_pull_events_lazily(fmt: str) -> None:
    pulled = 0

    def events() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for event in sample_events(5000, span=timedelta(days=1)):
            pulled += 1
            yield event

    stream = export_chunks(events(), fmt)
    assert pulled == 0  # nothing read before the first chunk is asked for
    next(stream)
    if fmt == "xlsx":
        assert pulled == 5000  # the zip can only be sent once complete
    else:
        assert 0 < pulled < 5000
    stream.close()


def test_json_array_and_lines_hold_the_events() -> None:
    events = sample(700, seed=3)
    events[0]["details"] = {"sep": "a\u2028b", "big": 2**70}
    array = json.loads(b"".join(export_chunks(events, "json")))
    assert [e["id"] for e in array] == [e["id"] for e in events]
    assert array[0]["details"] == {"sep": "a\u2028b", "big": str(2**70)}
    lines = b"".join(export_chunks(events, "jsonl")).split(b"\n")
    assert lines[-1] == b""
    assert [json.loads(line)["id"] for line in lines[:-1]] == [e["id"] for e in events]
    assert json.loads(b"".join(export_chunks([], "json"))) == []
    assert b"".join(export_chunks([], "jsonl")) == b""


def _workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True)


def test_xlsx_opens_with_openpyxl_and_holds_strings_never_formulas() -> None:
    events = sample(50, seed=4)
    events[0]["actor"]["name"] = "=1+1"
    events[1]["target"]["name"] = "@SUM(A1)"
    events[2]["details"] = {"long": "x" * 40_000}
    book = _workbook(b"".join(export_chunks(events, "xlsx")))
    (sheet,) = book.worksheets
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert list(rows[0]) == SPEC_COLUMNS
    assert [r[0] for r in rows[1:]] == [e["id"] for e in events]
    header = list(rows[0])
    assert rows[1][header.index("actor_name")] == "=1+1"
    assert rows[2][header.index("target_name")] == "@SUM(A1)"
    assert len(rows[3][header.index("details")]) == 32_767


def test_xlsx_continues_on_new_sheets_and_handles_no_events() -> None:
    events = sample(25, seed=5)
    book = _workbook(b"".join(xlsx_chunks(events, rows_per_sheet=10)))
    assert book.sheetnames == ["events", "events (2)", "events (3)"]
    ids = [r[0] for s in book.worksheets for r in list(s.iter_rows(values_only=True))[1:]]
    book.close()
    assert ids == [e["id"] for e in events]
    empty = _workbook(b"".join(export_chunks([], "xlsx")))
    assert [list(r) for r in empty.worksheets[0].iter_rows(values_only=True)] == [SPEC_COLUMNS]
    empty.close()


def test_xlsx_leaves_no_temporary_file_even_when_abandoned(tmp_path: Path) -> None:
    events = sample(200, seed=6)
    done = list(xlsx_chunks(events, tmpdir=str(tmp_path)))
    assert done
    assert os.listdir(tmp_path) == []
    stream = xlsx_chunks(events, tmpdir=str(tmp_path))
    next(stream)
    assert len(os.listdir(tmp_path)) == 1
    stream.close()
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(("fmt", "kind", "extension"), [
    pytest.param("csv", "text/csv; charset=utf-8", "csv", id="csv"),
    pytest.param("json", "application/json", "json", id="json"),
    pytest.param("jsonl", "application/x-ndjson", "jsonl", id="jsonl"),
    pytest.param("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "xlsx", id="xlsx"),
])
def test_content_types_and_extensions(fmt: str, kind: str, extension: str) -> None:
    assert content_type(fmt) == kind
    assert file_extension(fmt) == extension


def test_an_unknown_format_is_refused_before_reading() -> None:
    with pytest.raises(ValueError, match="'pdf' is not one of csv, json, jsonl, xlsx"):
        export_chunks(iter(()), "pdf")
    with pytest.raises(ValueError, match="not one of"):
        content_type("PDF")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_exports_stream_straight_from_a_store(backend: str, request: pytest.FixtureRequest,
                                              tmp_path: Path) -> None:
    url = (f"sqlite:///{tmp_path}/a.db" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    store = open_store(url)
    events = sample(1500, seed=7)
    store.write(events)
    query = Query(outcome=("success",))
    rows = read_csv(b"".join(export_chunks(store.iter_events(query, chunk_size=200), "csv")))
    store.close()
    assert [r[0] for r in rows[1:]] == [e["id"] for e in events if e["outcome"] == "success"]


def test_bom_option_for_excel() -> None:
    from auditmw.exports import csv_chunks

    data = b"".join(csv_chunks(sample(1), bom=True))
    assert data.startswith(b"\xef\xbb\xbfid,time,")
    assert data.count(b"\xef\xbb\xbf") == 1
