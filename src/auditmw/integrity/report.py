"""What ``auditmw verify`` found: problems by kind, per chain, and a summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MODIFIED = "modified"
MISSING = "missing"
INSERTED = "inserted"
REORDERED = "reordered"
TRUNCATED = "truncated tail"
BAD_SIGNATURE = "bad signature"
KINDS: tuple[str, ...] = (MODIFIED, MISSING, INSERTED, REORDERED, TRUNCATED, BAD_SIGNATURE)


@dataclass(slots=True)
class Problem:
    """One finding. ``first_seq``..``last_seq`` is the range of chain positions involved
    (equal for a single event); ``ids`` the event ids known; ``where`` file:line or row
    locations; ``detail`` a sentence for people."""

    kind: str
    chain: str | None
    first_seq: int | None = None
    last_seq: int | None = None
    ids: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    detail: str = ""

    def seqs_text(self) -> str:
        if self.first_seq is None:
            return ""
        if self.last_seq is None or self.last_seq == self.first_seq:
            return f"seq {self.first_seq}"
        return f"seq {self.first_seq}-{self.last_seq}"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "chain": self.chain, "first_seq": self.first_seq,
                "last_seq": self.last_seq, "ids": self.ids, "where": self.where,
                "detail": self.detail}


@dataclass(slots=True)
class ChainReport:
    chain: str
    events: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    last_id: str | None = None
    purged_through: int | None = None
    expected_end: int | None = None
    algorithm: str = ""
    duplicates: int = 0
    unchecked: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.problems:
            return "invalid"
        return "unverified" if self.unchecked else "valid"

    def to_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "status": self.status, "events": self.events,
                "first_seq": self.first_seq, "last_seq": self.last_seq,
                "last_hash": self.last_hash, "last_id": self.last_id,
                "purged_through": self.purged_through, "expected_end": self.expected_end,
                "algorithm": self.algorithm, "duplicates": self.duplicates,
                "unchecked": self.unchecked, "gaps": [list(g) for g in self.gaps],
                "problems": [p.to_dict() for p in self.problems]}


@dataclass(slots=True)
class Report:
    """The whole verdict. ``problems`` holds what belongs to no chain (unreadable lines,
    unchained events, bad checkpoints)."""

    target: str
    chains: list[ChainReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    events: int = 0
    checkpoints: int = 0
    sources: list[str] = field(default_factory=list)
    keyed: bool = False
    unchained: int = 0  # events without integrity
    chained: int = 0  # records placed in a chain

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for c in self.chains for p in c.problems)]

    @property
    def unchecked(self) -> int:
        return sum(c.unchecked for c in self.chains)

    @property
    def valid(self) -> bool:
        """No problem found and every event checked."""
        return not self.all_problems() and not self.unchecked and self.chained > 0

    def counts(self) -> Counter[str]:
        return Counter(p.kind for p in self.all_problems())

    def summary(self) -> str:
        counts = self.counts()
        head = (f"{len(self.chains)} chain{'s' * (len(self.chains) != 1)}, "
                f"{self.events} event{'s' * (self.events != 1)}, "
                f"{self.checkpoints} checkpoint{'s' * (self.checkpoints != 1)}")
        if counts:
            kinds = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts[k])
            total = sum(counts.values())
            return f"{head}: {total} problem{'s' * (total != 1)} ({kinds}) — NOT VALID"
        if self.unchecked:
            return (f"{head}: {self.unchecked} events not checked (signed with a key, and "
                    "no key was given) — NOT VERIFIED")
        if not self.chained:
            off = (f" ({self.unchained} carry no integrity chain: was [integrity] chain "
                   "off?)" if self.unchained else "")
            return f"{head}: no chained events to verify{off} — NOT VERIFIED"
        return f"{head}: valid"

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "valid": self.valid, "keyed": self.keyed,
                "sources": self.sources, "events": self.events,
                "chained": self.chained, "unchained": self.unchained,
                "checkpoints": self.checkpoints, "summary": self.summary(),
                "counts": dict(self.counts()),
                "chains": [c.to_dict() for c in self.chains],
                "problems": [p.to_dict() for p in self.problems]}
