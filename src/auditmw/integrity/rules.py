"""The rules that name what happened to one chain.

Input: the chain's records in storage order, each already checked against its own hash
(``status``: ``ok``; ``bad`` — fails it; ``unsigned`` — intact but plain SHA-256 where a
key was expected; ``unchecked`` — HMAC and no key), the newest trusted purge checkpoint,
and anchors (seal checkpoints and later chains' ``after`` records) that say the chain
once reached a ``seq`` with a given ``hash``.

1. Exact duplicates (same ``seq``, same bytes) are counted, not blamed: at-least-once
   delivery may write an event twice.
2. Each ``seq`` gets one occupant: an intact record (one vouched for by the next
   record's ``prev`` or an anchor if several differ); else a failing record that is
   vouched for or links to the previous occupant — ``modified``. Every other claimant
   of that ``seq`` is ``inserted``.
3. ``seq`` values between the purge point (or 0) and the last occupant with no
   occupant are ``missing`` (these are the chain's gaps).
4. Each intact occupant's ``prev`` must be the previous occupant's ``hash`` (``genesis``
   for ``seq`` 1, the purge checkpoint's hash right after a purge) — else ``modified``.
5. An anchor beyond the last occupant means the end was cut off: ``truncated tail``;
   an anchor on an occupant with another hash means it was rewritten: ``modified``.
6. In storage that keeps order (files), occupants outside the longest run of rising
   ``seq`` are ``reordered``.
7. ``unsigned`` occupants are a ``bad signature`` (in a chain that has records signed
   with the key, an unsigned record is treated as failing its hash instead).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from auditmw.integrity.chain import GENESIS
from auditmw.integrity.report import (
    BAD_SIGNATURE,
    INSERTED,
    MISSING,
    MODIFIED,
    REORDERED,
    TRUNCATED,
    ChainReport,
    Problem,
)


class Entry(msgspec.Struct, gc=False):
    """One chained record as read from storage. A msgspec struct: made once a record, in
    C, three times quicker than a slotted dataclass; untracked by the collector (it
    holds strings, numbers and ``after``'s small dict of them, never a cycle)."""

    chain: str
    seq: int
    prev: str
    hash: str
    id: str | None
    where: str
    position: int
    status: str
    fingerprint: int
    algorithm: str
    after: dict[str, Any] | None = None
    why: str = ""
    modified: bool = False
    link: bool = False  # a link: the event's prev and hash, not its content


@dataclass(frozen=True, slots=True)
class Anchor:
    """A record, made elsewhere, that the chain reached ``seq`` with ``hash``."""

    seq: int
    hash: str
    source: str


def _problem(kind: str, entry: Entry, detail: str, last_seq: int | None = None) -> Problem:
    return Problem(kind, entry.chain, entry.seq, entry.seq if last_seq is None else last_seq,
                   ids=[entry.id] if entry.id else [], where=[entry.where], detail=detail)


def _ranges(values: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for value in sorted(values):
        if out and value == out[-1][1] + 1:
            out[-1] = (out[-1][0], value)
        else:
            out.append((value, value))
    return out


class _Vouched:
    """Which hash later records vouch for at each ``seq`` (nearly always one: a dict of
    strings, with a set for the rare second opinion)."""

    __slots__ = ("first", "more")

    def __init__(self) -> None:
        self.first: dict[int, str] = {}
        self.more: set[tuple[int, str]] = set()

    def add(self, seq: int, hashed: str) -> None:
        if self.first.setdefault(seq, hashed) != hashed:
            self.more.add((seq, hashed))

    def has(self, seq: int, hashed: str) -> bool:
        return self.first.get(seq) == hashed or (seq, hashed) in self.more


def _holes(present: list[int], floor: int) -> list[tuple[int, int]]:
    """The ranges above ``floor`` missing between sorted ``present`` seqs (walked, not
    enumerated: a forged seq of 10**15 must not cost memory)."""
    holes: list[tuple[int, int]] = []
    expected = floor + 1
    for seq in present:
        if seq < expected:
            continue
        if seq > expected:
            holes.append((expected, seq - 1))
        expected = seq + 1
    return holes


def _choose(seq: int, candidates: list[Entry], vouched: _Vouched,
            previous: Entry | None, purge: Anchor | None) -> Entry | None:
    intact = [c for c in candidates if c.status != "bad"]
    if intact:
        return next((c for c in intact if vouched.has(seq, c.hash)), intact[0])
    for candidate in candidates:
        links = (vouched.has(seq, candidate.hash)
                 or (previous is not None and candidate.prev == previous.hash)
                 or (seq == 1 and candidate.prev == GENESIS)
                 or (purge is not None and seq == purge.seq + 1
                     and candidate.prev == purge.hash))
        if links:
            candidate.modified = True
            return candidate
    return None


def longest_rising(seqs: Sequence[int]) -> set[int]:
    """Indexes of one longest strictly rising subsequence (patience sorting)."""
    tails: list[int] = []  # seq values ending the best run of each length
    tail_index: list[int] = []
    parent = [-1] * len(seqs)
    for i, seq in enumerate(seqs):
        k = bisect.bisect_left(tails, seq)
        if k == len(tails):
            tails.append(seq)
            tail_index.append(i)
        else:
            tails[k] = seq
            tail_index[k] = i
        parent[i] = tail_index[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        keep.add(i)
        i = parent[i]
    return keep


def intact_run(entries: Sequence[Entry], purge: Anchor | None, *,
               ordered: bool) -> tuple[list[Entry], int] | None:
    """The chain's occupants and its count of exact duplicates, if the chain as stored is
    one run every rule above passes at once: each record intact, ``seq`` rising by one
    from the chain's start (``1`` after ``genesis``, or right after the purge point),
    each ``prev`` the hash before it — apart from exact copies of records already
    seen (rule 1) — and, where storage keeps order, stored in that order. Nearly every
    chain is; the rules then have nothing to name but what anchors say. ``None``: the
    chain needs the rules."""
    if not entries:
        return None
    first = entries[0]
    if purge is None:
        if first.seq != 1 or first.prev != GENESIS:
            return None
    elif first.seq != purge.seq + 1 or first.prev != purge.hash:
        return None
    run = [first]
    duplicates = 0
    previous = first
    for entry in entries[1:]:
        if entry.status != "ok":
            return None
        if entry.seq == previous.seq + 1 and entry.prev == previous.hash and (
                not ordered or entry.position > previous.position):
            run.append(entry)
            previous = entry
            continue
        index = entry.seq - first.seq
        if 0 <= index < len(run) and run[index].fingerprint == entry.fingerprint:
            duplicates += 1
            continue
        return None
    return (run, duplicates) if first.status == "ok" else None


class _Run(Mapping[int, Entry]):
    """An intact run's occupants by ``seq``, without building the dict."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        self.first = entries[0].seq

    def __getitem__(self, seq: int) -> Entry:
        index = seq - self.first
        if 0 <= index < len(self.entries):
            return self.entries[index]
        raise KeyError(seq)

    def __iter__(self) -> Iterator[int]:
        return iter(range(self.first, self.first + len(self.entries)))

    def __len__(self) -> int:
        return len(self.entries)


def _analyse_run(report: ChainReport, entries: Sequence[Entry], duplicates: int,
                 purge: Anchor | None, anchors: list[Anchor]) -> ChainReport:
    """:func:`analyse_chain` for an :func:`intact_run`: what the general rules conclude
    for one (every record the sole occupant of its seq, no gap, no broken link, no
    reordering, nothing unsigned), and the anchors checked the same way."""
    report.algorithm = entries[0].algorithm
    report.duplicates = duplicates
    report.purged_through = purge.seq if purge else None
    last = entries[-1]
    report.first_seq, report.last_seq = entries[0].seq, last.seq
    report.last_hash, report.last_id = last.hash, last.id
    _check_anchors(report, _Run(entries), anchors, last.seq)
    report.problems.sort(key=lambda p: (p.first_seq or 0, p.kind))
    return report


def analyse_chain(chain: str, entries: list[Entry], purge: Anchor | None,
                  anchors: list[Anchor], *, ordered: bool) -> ChainReport:
    run = intact_run(entries, purge, ordered=ordered)
    if run is not None:
        return _analyse_run(ChainReport(chain, events=len(entries)), *run, purge, anchors)
    return analyse_by_rules(chain, entries, purge, anchors, ordered=ordered)


def analyse_by_rules(chain: str, entries: list[Entry], purge: Anchor | None,
                     anchors: list[Anchor], *, ordered: bool) -> ChainReport:
    """The rules above, one by one, for any chain."""
    report = ChainReport(chain, events=len(entries))
    problems = report.problems
    report.algorithm = ",".join(sorted({e.algorithm for e in entries}))
    if any(e.status == "ok" for e in entries):
        # A chain signed with the key: a plain SHA-256 record in it was not written by
        # the chain's writer, so it gets no benefit of the doubt.
        for entry in entries:
            if entry.status == "unsigned":
                entry.status = "bad"
                entry.why = "not signed with the key (plain SHA-256) in a signed chain"
    by_seq: dict[int, list[Entry]] = {}
    for entry in entries:
        if entry.seq < 1:
            problems.append(_problem(INSERTED, entry, "seq must be 1 or more"))
            continue
        claimants = by_seq.setdefault(entry.seq, [])
        if any(c.fingerprint == entry.fingerprint for c in claimants):
            report.duplicates += 1
        else:
            claimants.append(entry)

    vouched = _Vouched()
    for entry in entries:
        if entry.status != "bad":
            vouched.add(entry.seq - 1, entry.prev)
    for anchor in [*anchors, *([purge] if purge else [])]:
        vouched.add(anchor.seq, anchor.hash)

    occupant: dict[int, Entry] = {}
    for seq in sorted(by_seq):
        chosen = _choose(seq, by_seq[seq], vouched, occupant.get(seq - 1), purge)
        for other in by_seq[seq]:
            if other is not chosen:
                problems.append(_problem(INSERTED, other, (
                    f"another event holds seq {seq}" if chosen is not None
                    else "fails its hash and links to nothing in the chain")))
        if chosen is not None:
            occupant[seq] = chosen
            if chosen.modified:
                problems.append(_problem(MODIFIED, chosen, chosen.why))

    floor = purge.seq if purge else 0
    report.purged_through = purge.seq if purge else None
    present = sorted(occupant)
    if present:
        report.first_seq, report.last_seq = present[0], present[-1]
        report.last_hash, report.last_id = occupant[present[-1]].hash, occupant[present[-1]].id
    top = max(present[-1] if present else 0, floor)
    for first, last in _holes(present, floor):
        report.gaps.append((first, last))
        after = occupant.get(last + 1)
        known = f"; seq {last} had hash {after.prev}" if after and not after.modified else ""
        problems.append(Problem(MISSING, chain, first, last,
                                detail=f"{last - first + 1} event(s) absent{known}"))

    _check_links(occupant, purge, problems)
    _check_anchors(report, occupant, anchors, top)
    if ordered:
        _check_order(occupant, problems)
    unsigned = [s for s, e in occupant.items() if e.status == "unsigned"]
    for first, last in _ranges(unsigned):
        problems.append(Problem(BAD_SIGNATURE, chain, first, last, detail=(
            "written without the key (plain SHA-256): proves order, not authorship")))
    report.unchecked = sum(1 for e in occupant.values() if e.status == "unchecked")
    problems.sort(key=lambda p: (p.first_seq or 0, p.kind))
    return report


def _check_links(occupant: dict[int, Entry], purge: Anchor | None,
                 problems: list[Problem]) -> None:
    for seq, entry in sorted(occupant.items()):
        if entry.modified:
            continue
        before = occupant.get(seq - 1)
        if seq == 1 and entry.prev != GENESIS:
            problems.append(_problem(MODIFIED, entry, "a chain's first event must have "
                                                      f"prev {GENESIS!r}"))
        elif before is not None and not before.modified and entry.prev != before.hash:
            problems.append(_problem(MODIFIED, before, (
                f"chain broken: seq {seq} records prev {entry.prev}, but seq {seq - 1} has "
                f"hash {before.hash} (rewritten and rehashed)"), last_seq=seq))
        elif purge is not None and seq == purge.seq + 1 and entry.prev != purge.hash:
            problems.append(_problem(MODIFIED, entry, (
                f"does not follow {purge.source}, which ends at hash {purge.hash}")))
    if purge is not None:
        at_floor = occupant.get(purge.seq)
        if at_floor is not None and not at_floor.modified and at_floor.hash != purge.hash:
            problems.append(_problem(MODIFIED, at_floor, f"differs from {purge.source}"))


def _check_anchors(report: ChainReport, occupant: Mapping[int, Entry],
                   anchors: list[Anchor], top: int) -> None:
    for anchor in anchors:
        held = occupant.get(anchor.seq)
        if held is not None and not held.modified and held.hash != anchor.hash:
            report.problems.append(_problem(MODIFIED, held, (
                f"hash {held.hash} differs from {anchor.hash} recorded by {anchor.source}")))
    if not anchors:
        return
    furthest = max(anchors, key=lambda a: a.seq)
    report.expected_end = furthest.seq
    if furthest.seq > top:
        report.problems.append(Problem(TRUNCATED, report.chain, top + 1, furthest.seq, detail=(
            f"the chain ends at seq {top} here, but {furthest.source} recorded seq "
            f"{furthest.seq} (hash {furthest.hash})")))


def _check_order(occupant: dict[int, Entry], problems: list[Problem]) -> None:
    in_storage = sorted(occupant.values(), key=lambda e: e.position)
    seqs = [e.seq for e in in_storage]
    keep = longest_rising(seqs)
    if len(keep) == len(seqs):
        return
    highest_before = [0] * len(seqs)
    for i in range(1, len(seqs)):
        highest_before[i] = max(highest_before[i - 1], seqs[i - 1])
    lowest_after = [0] * len(seqs)
    for i in range(len(seqs) - 2, -1, -1):
        following = seqs[i + 1]
        lowest_after[i] = following if i == len(seqs) - 2 else min(following,
                                                                    lowest_after[i + 1])
    for i, entry in enumerate(in_storage):
        if i in keep:
            continue
        if highest_before[i] > entry.seq:
            detail = f"stored after seq {highest_before[i]}"
        else:
            detail = f"stored before seq {lowest_after[i]}"
        problems.append(_problem(REORDERED, entry, detail))
