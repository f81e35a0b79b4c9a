"""`auditmw verify`'s quick paths conclude what the slow ones do: an intact chain read in
one pass gets the report the rules give it, and a line read by its head alone becomes
the record that parsing the whole line makes (odd lines are read whole)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.integrity.analysis import Verifier
from auditmw.integrity.chain import ChainProcessor
from auditmw.integrity.rules import Anchor, Entry, analyse_by_rules, analyse_chain


def chain_entries(n: int) -> list[Entry]:
    entries = []
    prev = "genesis"
    for seq in range(1, n + 1):
        hashed = f"sha256:{seq:064x}"
        entries.append(Entry("c", seq, prev, hashed, f"id-{seq}", f"f:{seq}", seq, "ok",
                             hash(hashed), "sha256"))
        prev = hashed
    return entries


edits = st.lists(st.tuples(
    st.sampled_from(["duplicate", "drop", "swap", "bad", "relink", "reseq", "unsigned"]),
    st.integers(0, 30)), max_size=3)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 25), edits, st.booleans(), st.integers(0, 30), st.booleans())
def test_the_one_pass_report_is_the_rules_report(n: int, changes: list[tuple[str, int]],
                                                  ordered: bool, anchor_at: int,
                                                  purged: bool) -> None:
    entries = chain_entries(n)
    for kind, at in changes:
        i = at % len(entries)
        entry = entries[i]
        if kind == "duplicate":
            entries.append(copy.copy(entry))
            entries[-1].position = len(entries) + 100
        elif kind == "drop" and len(entries) > 1:
            entries.pop(i)
        elif kind == "swap" and i + 1 < len(entries):
            entries[i].position, entries[i + 1].position = (entries[i + 1].position,
                                                            entries[i].position)
        elif kind == "bad":
            entry.status = "bad"
        elif kind == "relink":
            entry.prev = "sha256:" + "f" * 64
        elif kind == "reseq":
            entry.seq += 7
        elif kind == "unsigned":
            entry.status = "unsigned"
    purge = Anchor(0, "genesis", "purge") if purged else None
    anchors = [Anchor(anchor_at, f"sha256:{anchor_at:064x}", "seal"),
               Anchor(anchor_at, "sha256:" + "e" * 64, "other seal")][: 1 + anchor_at % 2]
    fast = analyse_chain("c", copy.deepcopy(entries), purge, anchors, ordered=ordered)
    slow = analyse_by_rules("c", copy.deepcopy(entries), purge, anchors, ordered=ordered)
    assert fast.to_dict() == slow.to_dict()
    assert [p.to_dict() for p in fast.problems] == [p.to_dict() for p in slow.problems]


def chained_line(event: dict[str, Any]) -> bytes:
    return codec.dumps(ChainProcessor("")(event))


odd_values = st.sampled_from([True, 1.0, 7, None, "x", [1], {"a": 1}, "genesis"])


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["id", "schema", "seq", "prev", "chain", "hash", "after", "integrity"]),
       odd_values)
def test_a_line_read_by_its_head_is_the_line_read_whole(field: str, value: Any) -> None:
    event: dict[str, Any] = {"schema": "auditmw/1", "id": "e-1", "event": "x",
                             "details": {"n": [1, 2, {"k": "v"}]}}
    line = chained_line(event)
    record = codec.loads(line)
    integrity = record["integrity"]
    if field in ("id", "schema", "integrity"):
        record[field] = value
    else:
        integrity[field] = value
    raw = codec.dumps(record)
    by_head, whole = Verifier(b""), Verifier(b"")
    by_head.add_line(raw, "f:1")
    whole.add_event(codec.loads(raw), "f:1", raw)
    assert [vars_of(e) for e in by_head.entries] == [vars_of(e) for e in whole.entries]
    assert [p.to_dict() for p in by_head.problems] == [p.to_dict() for p in whole.problems]
    assert by_head.events == whole.events


def test_an_intact_line_is_read_by_its_head() -> None:
    raw = chained_line({"schema": "auditmw/1", "id": "e-1", "event": "x"})
    by_head, whole = Verifier(b""), Verifier(b"")
    by_head.add_line(raw, "f:1")
    whole.add_event(codec.loads(raw), "f:1", raw)
    assert [vars_of(e) for e in by_head.entries] == [vars_of(e) for e in whole.entries]
    assert by_head.entries[0].status == "ok"


def vars_of(entry: Entry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in Entry.__slots__}  # type: ignore[attr-defined]
