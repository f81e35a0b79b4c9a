"""`auditmw verify`'s one-pass readers conclude what reading each record whole does.

A file's lines go through ``Verifier.add_lines`` (head decoded, bytes hashed as read); a
store's rows through ``integrity.stored.add_rows`` (the mirrored fields decoded and
compared with the columns in one go, ``data`` hashed as stored). Whatever a record
looks like — intact, edited, not canonical, with a duplicated key, a column changed
behind the store's back — the verdict must be the one the whole reading gives.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.event import Actor, AuditEvent, Client, Target
from auditmw.integrity import verify_files, verify_store
from auditmw.integrity.analysis import Verifier
from auditmw.integrity.chain import ChainProcessor
from auditmw.integrity.rules import Entry
from auditmw.integrity.stored import _time_text
from auditmw.store import Store, open_store
from auditmw.store.rows import time_text_to_us
from auditmw.trail import AuditTrail

KEY = "one-pass-key"
N = 6


def entries_of(verifier: Verifier) -> list[dict[str, Any]]:
    return [{name: getattr(e, name) for name in Entry.__struct_fields__}
            for e in verifier.entries]


def lines_of(keyed: bool, n: int = 4) -> list[bytes]:
    chain = ChainProcessor(KEY if keyed else "")
    return [codec.dumps(chain({"schema": "auditmw/1", "id": f"e-{i}", "event": "x",
                               "details": {"n": [i, {"k": "v"}]}}))
            for i in range(n)]


# How a line may be changed: each keeps it JSON (or not) in a way the quick path must
# not take for the original.
CHANGES = {
    "as written": lambda raw: raw,
    "spaces": lambda raw: codec.dumps(codec.loads(raw)).replace(b",", b", "),
    "keys reordered": lambda raw: json.dumps(dict(reversed(codec.loads(raw).items())),
                                             separators=(",", ":")).encode(),
    "duplicate key before": lambda raw: b'{"event":"evil",' + raw[1:],
    "duplicate key after": lambda raw: raw[:-1] + b',"event":"evil"}',
    "content edited": lambda raw: raw.replace(b'"event":"x"', b'"event":"y"'),
    "hash edited": lambda raw: raw.replace(b'"hash":"', b'"hash":"x'),
    "seq as float": lambda raw: re.sub(rb'"seq":(\d+)}', rb'"seq":\1.0}', raw),
    "truncated": lambda raw: raw[:-9],
    "blank": lambda raw: b"   ",
    "not an object": lambda raw: b"[1,2]",
}


@settings(max_examples=200, deadline=None)
@given(st.booleans(), st.booleans(),
       st.lists(st.tuples(st.integers(0, 3), st.sampled_from(sorted(CHANGES))), max_size=3))
def test_lines_read_in_one_pass_are_the_lines_read_one_by_one(
        keyed: bool, with_key: bool, changes: list[tuple[int, str]]) -> None:
    written = lines_of(keyed)
    lines = list(written)
    for at, change in changes:
        lines[at] = CHANGES[change](written[at])
    key = KEY.encode() if with_key else b""
    quick, whole = Verifier(key), Verifier(key)
    assert quick.add_lines(lines, "f") == len(lines)
    for number, raw in enumerate(lines, 1):
        whole.add_line(raw, f"f:{number}")
    assert entries_of(quick) == entries_of(whole)
    assert [p.to_dict() for p in quick.problems] == [p.to_dict() for p in whole.problems]
    assert quick.events == whole.events
    assert quick.report("t").to_dict() == whole.report("t").to_dict()


@pytest.mark.parametrize("change", ["spaces", "duplicate key after", "content edited",
                                    "seq as float"])
def test_a_line_that_is_not_the_writers_bytes_is_named(tmp_path: Path, change: str) -> None:
    path = tmp_path / "audit.jsonl"
    lines = lines_of(keyed=False)
    lines[2] = CHANGES[change](lines[2])
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    report = verify_files(path)
    assert not report.valid
    # modified; or, read as unchained (a float seq), inserted with seq 3 missing
    assert any(p.first_seq == 3 for p in report.all_problems())


# -- the store ------------------------------------------------------------------------


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    trail = AuditTrail(store={"url": store_url}, sinks=[], integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    for i in range(N):
        trail.emit(AuditEvent.create(
            "createAssetGroup", "inventory", "create",
            actor=Actor(id=f"u{i}", name=f"user {i}"),
            target=Target(type="asset", id=f"t{i}", name=f"asset {i}"),
            client=Client(ip=f"10.0.0.{i}"), tenant="acme"))
    trail.close()
    opened = open_store(store_url)
    yield opened
    opened.close()


class WholeRows:
    """The store seen only through ``iter_stored`` (no ``verify_rows``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.name = store.name

    def iter_stored(self, include_expired: bool = True) -> Any:
        return self.store.iter_stored(include_expired)

    def links(self) -> Any:
        return self.store.links()  # type: ignore[attr-defined]

    def checkpoints(self) -> Any:
        return self.store.checkpoints()


def tamper(url: str, statement: str, *params: Any) -> None:
    """Drop the append-only guard, then change the table, as its owner could."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("DROP TRIGGER IF EXISTS events_append_only")
            conn.execute(statement.replace("%s", "?"), params)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        conn.execute(statement.encode(), params)


def data_of(store: Store, seq: int) -> str:
    [event] = [e for e in store.iter_by_chain() if e["integrity"]["seq"] == seq]
    return codec.dumps_str(event)


# What an intruder does to the row of seq 3, and whether the store still verifies.
ROW_EDITS: list[tuple[str, str, bool]] = [
    ("untouched", "", True),
    ("a column", "UPDATE events SET actor_id = 'someone' WHERE seq = 3", False),
    # (SQLite's order key moves with the time: its CHECK refuses a ts alone)
    ("the time column", "UPDATE events SET ts = ts + {one_us}{move_k} WHERE seq = 3", False),
    ("a column to null", "UPDATE events SET tenant = NULL WHERE seq = 3", False),
    ("a column to a number", "UPDATE events SET seq = 3.5 WHERE seq = 3", False),
    ("data re-spaced, same content", "respace", True),
    ("data with a duplicate key first", "duplicate first", True),
    ("data with a duplicate key last", "duplicate last", False),
    ("data not JSON", "UPDATE events SET data = '{\"oops' WHERE seq = 3", False),
    ("a row deleted", "DELETE FROM events WHERE seq = 3", False),
]


@pytest.mark.parametrize(("what", "edit", "valid"), ROW_EDITS, ids=[e[0] for e in ROW_EDITS])
def test_rows_read_in_one_pass_are_the_rows_read_whole(
        store: Store, store_url: str, what: str, edit: str, valid: bool) -> None:
    assert hasattr(store, "verify_rows")
    data = data_of(store, 3)
    if edit == "respace":
        tamper(store_url, "UPDATE events SET data = %s WHERE seq = 3",
               data.replace(",", ", "))
    elif edit == "duplicate first":
        tamper(store_url, "UPDATE events SET data = %s WHERE seq = 3",
               '{"actor":{"id":"someone"},' + data[1:])
    elif edit == "duplicate last":
        tamper(store_url, "UPDATE events SET data = %s WHERE seq = 3",
               data[:-1] + ',"actor":{"id":"someone"}}')
    elif edit:
        sqlite = store_url.startswith("sqlite")
        one_us = "1" if sqlite else "interval '1 microsecond'"
        tamper(store_url, edit.replace("{one_us}", one_us)
               .replace("{move_k}", ", k = k + 1024" if sqlite else ""))
    quick = verify_store(store, KEY)
    whole = verify_store(WholeRows(store), KEY)  # type: ignore[arg-type]
    assert quick.to_dict() == whole.to_dict()
    assert quick.valid is valid, quick.summary()


@settings(max_examples=500, deadline=None)
@given(st.integers(-(10**18), 10**18))
@example(-65_320_000_000 * 10**6)  # the year -100: 27 characters as well
@example(-30_610_224_000_000_001)
@example(253_402_300_800_000_000)
def test_a_time_column_is_formatted_only_where_reading_the_text_gives_it_back(
        ts: int) -> None:
    text = _time_text(ts)
    if text is not None:
        assert time_text_to_us(text) == ts
    if -30_610_224_000 * 10**6 <= ts <= 253_402_300_799_999_999:  # years 1000-9999
        assert text is not None


# -- one row, any values: the quick reading of a row against its whole reading ---------

# Text a client may put in an event: NUL (the column holds U+FFFD), lone surrogates (the
# column holds their escape), quotes, backslashes, other scripts.
awkward = st.text(st.sampled_from(["a", "\x00", "\ud800", "\udfff", "é", '"', "\\", "'",
                                   "\x1f", "😀", "\ufffd"]), max_size=4)
COLUMN_EDITS = st.one_of(st.none(), st.integers(0, 13).flatmap(lambda at: st.tuples(
    st.just(at), st.one_of(st.none(), awkward, st.integers(-2, 2), st.just(b"x")))))


@settings(max_examples=400, deadline=None)
@given(awkward, awkward, awkward, st.booleans(), COLUMN_EDITS, st.booleans())
@example("a\x00b", "", "", False, None, False)  # the column holds U+FFFD: agrees
@example("a\x00b", "", "", False, (2, "a\x00b"), False)  # the JSON's NUL: disagrees
@example("\ud800", "", "", False, (2, "\ud800"), False)  # the lone surrogate itself
@example("x", "", "", False, (1, 1), False)  # a time one microsecond after the epoch
@example("x", "", "", False, (11, 1), True)  # seq and ts edited, hash off by a key
def test_a_row_read_quickly_is_the_row_read_whole(
        event: str, actor: str, target: str, keyed: bool,
        edit: tuple[int, Any] | None, with_key: bool) -> None:
    from auditmw.integrity.stored import _add_whole, add_rows
    from auditmw.store.rows import event_to_row

    chain = ChainProcessor(KEY if keyed else "")
    stamped = chain({"schema": "auditmw/1", "id": "e-1", "time": "2026-12-01T23:59:59.000001Z",
                     "event": event, "actor": {"id": actor, "name": event + actor},
                     "target": {"id": target}, "client": {"ip": target}, "tenant": actor})
    row = list(event_to_row(stamped))
    if edit is not None:
        at, value = edit
        row[at] = value
    row[14] = codec.dumps(stamped)  # verify reads data as bytes
    key = KEY.encode() if with_key else b""
    quick, whole = Verifier(key, ordered=False), Verifier(key, ordered=False)
    add_rows(quick, [tuple(row)])
    _add_whole(whole, row, row[1], row[14])
    assert entries_of(quick) == entries_of(whole)
    assert quick.report("t").to_dict() == whole.report("t").to_dict()
    if edit is not None and edit[1] != event_to_row(stamped)[edit[0]]:
        assert not quick.report("t").valid  # a column that says otherwise is named


# Times a few seconds and microseconds apart, and column edits of whole seconds: the
# quick reading keeps the last row's second text, and must never judge a row by the
# text of another row's second.
NEAR_TIMES = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2),
                                st.sampled_from([0, 0, 1, -1, 1_000_000, -1_000_000])),
                      min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(NEAR_TIMES)
@example([(0, 0, 0), (0, 0, 1_000_000)])  # the second row's column a second later
@example([(1, 0, 0), (0, 0, 1_000_000)])  # ...and its text the first row's second
def test_rows_read_quickly_in_one_call_are_the_rows_read_whole(
        times: list[tuple[int, int, int]]) -> None:
    from auditmw.integrity.stored import _add_whole, add_rows
    from auditmw.store.rows import event_to_row

    chain = ChainProcessor("")
    base = 1_796_176_799 * 10**6  # 2026-12-01T23:59:59Z: the next second is another day
    rows = []
    for n, (second, micro, moved) in enumerate(times):
        ts = base + second * 10**6 + micro
        stamped = chain({"schema": "auditmw/1", "id": f"e-{n}", "time": _time_text(ts),
                         "event": "x"})
        row = list(event_to_row(stamped))
        row[1] += moved
        row[14] = codec.dumps(stamped)
        rows.append(tuple(row))
    quick, whole = Verifier(b"", ordered=False), Verifier(b"", ordered=False)
    add_rows(quick, rows)
    for row in rows:
        _add_whole(whole, row, row[1], row[14])
    assert entries_of(quick) == entries_of(whole)
    assert quick.report("t").to_dict() == whole.report("t").to_dict()
    assert quick.report("t").valid is not any(moved for _, _, moved in times)
