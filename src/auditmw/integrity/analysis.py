"""Reading a trail's events and checkpoints into a verdict (see docs/integrity.md).

Feed a :class:`Verifier` every line or row in storage order (``add_line`` /
``add_event``) and every checkpoint (``add_checkpoint``), then ask for :meth:`report`.
The per-chain rules live in :mod:`auditmw.integrity.rules`; this module checks each
record on its own and works out which stored hashes later records vouch for.

Links (:mod:`auditmw.integrity.links`) stand in the chain for events a purge deleted
or a tenant export withheld: an occupant with a ``prev`` and a ``hash`` but no content.
A tenant export (:mod:`auditmw.integrity.excerpt`) is read like a file; its last line
vouches, by a digest of the lines before it, for its links and its events' content.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from hashlib import sha256
from hmac import compare_digest
from hmac import digest as hmac_digest
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.event import SCHEMA
from auditmw.integrity import excerpt, links
from auditmw.integrity.chain import (
    GENESIS,
    HMAC_PREFIX,
    SHA_PREFIX,
    check_hash,
    unhashed_body,
    unhashed_line,
)
from auditmw.integrity.checkpoint import SCHEMA as CHECKPOINT
from auditmw.integrity.checkpoint import check_signature, trusted_checkpoints
from auditmw.integrity.heads import DecodeError, Head, head_decoder, read_head
from auditmw.integrity.report import INSERTED, MODIFIED, Problem, Report
from auditmw.integrity.rules import Anchor, Entry, analyse_chain

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# The integrity object as the canonical form writes it (keys sorted), to place a line
# that no longer parses — a one-byte change can break the JSON around it.
_INTEGRITY = re.compile(
    rb'"integrity":\{(?:"after":\{[^{}]*\},)?"chain":"([^"\\]*)","hash":"([^"\\]*)",'
    rb'"prev":"([^"\\]*)","seq":(\d{1,18})\}')


_UNCHAINED = "event carries no integrity chain"




def _schema_of(record: dict[str, Any]) -> str | None:
    """A record's ``schema`` if it is a string (a forged ``[1]`` must not stop a check)."""
    schema = record.get("schema")
    return schema if isinstance(schema, str) else None


def _algorithm(hashed: str) -> str:
    if hashed.startswith(SHA_PREFIX):
        return "sha256"
    return "hmac-sha256" if hashed.startswith(HMAC_PREFIX) else "unknown"


class Verifier:
    """Collects records; ``ordered`` says whether storage order means anything (a file
    does, a store's rows do not: they are read back ordered by chain and ``seq``)."""

    def __init__(self, key: bytes, *, ordered: bool = True,
                 public_key: Ed25519PublicKey | None = None) -> None:
        self.key = key
        self.public_key = public_key
        self.ordered = ordered
        self.entries: list[Entry] = []
        self.problems: list[Problem] = []
        self.checkpoints: list[tuple[str, Any]] = []
        self.events = 0
        self._position = 0
        self._chains: dict[str, str] = {}  # one string per chain id, however many events
        self._row_problems: list[Problem] = []
        # A tenant export being read: the running digest of its lines, the entries it
        # holds, and the digest each excerpt record found (by record id).
        self._digest: Any = None
        self._excerpt_entries: list[Entry] = []
        self._digests: dict[str, str] = {}

    # -- intake ---------------------------------------------------------------------

    def add_line(self, raw: bytes, where: str) -> None:
        """One line of a JSON-lines trail (without its newline)."""
        if not raw or raw.isspace():
            return
        head = read_head(raw)
        if head is not None and head.schema == SCHEMA:
            integrity = head.integrity
            hashed = unhashed_line(raw, integrity.hash)
            if hashed is not None:
                if self._digest is not None:
                    self._digest.update(raw + b"\n")
                self._position += 1
                self.events += 1
                self._add_entry(where, hashed, chain=integrity.chain, seq=integrity.seq,
                                prev=integrity.prev, stored=integrity.hash, ident=head.id,
                                after=integrity.after)
                return
        try:
            event = codec.loads(raw)
        except ValueError:
            if self._digest is not None:
                self._digest.update(raw + b"\n")
            self._unreadable(raw, where)
            return
        if isinstance(event, dict) and _schema_of(event) in excerpt.OWN_SCHEMAS:
            self._excerpt_line(event, raw, where)
            return
        if self._digest is not None:
            self._digest.update(raw + b"\n")
        self.add_event(event, where, raw)

    def add_lines(self, lines: Iterable[bytes], name: str, number: int = 0) -> int:
        """The lines of file ``name`` that follow line ``number`` (without their
        newlines); returns the last one's number. What :meth:`add_line` makes of each,
        in one loop: a line whose head reads and that :meth:`take_intact` takes costs a
        few microseconds; any other — odd, failing, keyed without the key, in a tenant
        export — goes to :meth:`add_line` whole."""
        decode = head_decoder()
        take = self.take_intact
        plain = self._digest is None  # an export's: read whole
        for raw in lines:
            number += 1
            if plain:
                try:
                    head: Head | None = decode(raw)
                except DecodeError:
                    head = None
                if (head is not None and head.schema == SCHEMA
                        and take(raw, head.integrity, head.id, f"{name}:{number}")):
                    continue
            self.add_line(raw, f"{name}:{number}")
            plain = decode is not None and self._digest is None
        return number

    def take_intact(self, raw: bytes, integrity: Any, ident: str | None, where: str) -> bool:
        """Keep the record whose canonical bytes are ``raw`` if they match the hash
        ``integrity`` (a head's, :mod:`~auditmw.integrity.heads`) names — under the key,
        if there is one — and say so; else keep nothing (the caller reads it whole).
        ``raw`` less its ``"hash":"…",`` is what was hashed; a match proves the bytes
        are the writer's (no other bytes have that digest), so the head read from them
        is the event's, and its stored hash fingerprints its content."""
        stored = integrity.hash
        body = raw.replace(f'"hash":"{stored}",'.encode(), b"", 1)
        if self.key:
            if not compare_digest(stored, HMAC_PREFIX + hmac_digest(
                    self.key, body, "sha256").hex()):
                return False
            algorithm = "hmac-sha256"
        elif compare_digest(stored, SHA_PREFIX + sha256(body).hexdigest()):
            algorithm = "sha256"
        else:
            return False
        self._position += 1
        self.events += 1
        chain = integrity.chain
        entry = Entry(self._chains.setdefault(chain, chain), integrity.seq, integrity.prev,
                      stored, ident, where, self._position, "ok", hash(stored), algorithm,
                      integrity.after)
        self.entries.append(entry)
        if self._digest is not None:
            self._excerpt_entries.append(entry)
        return True

    def _excerpt_line(self, record: dict[str, Any], raw: bytes, where: str) -> None:
        """A header, link or closing record of a tenant export."""
        kind = record.get("schema")
        if kind == excerpt.HEADER:
            self._digest = hashlib.sha256(raw + b"\n")
            return
        if kind == CHECKPOINT:
            if self._digest is not None and isinstance(record.get("id"), str):
                self._digests[record["id"]] = "sha256:" + self._digest.hexdigest()
                self._digest = None
            self.add_checkpoint(record, where)
            return
        if self._digest is not None:
            self._digest.update(raw + b"\n")
        self.add_link(record, where, in_excerpt=self._digest is not None)

    def add_link(self, record: Any, where: str, *, in_excerpt: bool = False) -> None:
        """A link (an event purged or withheld, without its content). A purge's link
        must carry a good signature; an export's is vouched for by the export's last
        record instead (``in_excerpt``)."""
        self._position += 1
        if not links.is_link(record):
            self.problems.append(Problem(INSERTED, None, where=[where],
                                         detail="not a well-formed link"))
            return
        if in_excerpt and "signature" not in record:
            status, why = "pending", ""
        else:
            ok, why = check_signature(record, self.key)
            status = ("unchecked" if ok is None else "bad" if not ok
                      else "unsigned" if self.key and record["signature"].startswith(
                          SHA_PREFIX) else "ok")
            why = f"link of a purged event: {why}" if why else ""
        chain = self._chains.setdefault(record["chain"], record["chain"])
        entry = Entry(chain=chain, seq=record["seq"], prev=record["prev"],
                      hash=record["hash"], id=None, where=where, position=self._position,
                      status=status, fingerprint=hash(("link", chain, record["seq"],
                                                       record["hash"])),
                      algorithm=_algorithm(record["hash"]), why=why, link=True)
        self.entries.append(entry)
        if in_excerpt:
            self._excerpt_entries.append(entry)

    def add_event(self, event: Any, where: str, raw: bytes | None = None) -> None:
        """One stored event; ``raw`` is its stored line, when it is one."""
        self._position += 1
        if not isinstance(event, dict) or event.get("schema") != SCHEMA:
            self.events += 1
            self.problems.append(Problem(INSERTED, None, where=[where],
                                         detail="not an auditmw/1 event"))
            return
        self.events += 1
        integrity = event.get("integrity")
        ident = event.get("id") if isinstance(event.get("id"), str) else None
        if not _chained(integrity):
            self.problems.append(Problem(
                INSERTED, None, ids=[ident] if ident else [], where=[where],
                detail=_UNCHAINED))
            return
        assert isinstance(integrity, dict)
        stored: str = integrity["hash"]
        # A file line is checked on its own bytes; a row, whose JSON the store parsed,
        # on the canonical serialisation of what it holds.
        hashed = unhashed_line(raw, stored) if raw is not None else None
        if hashed is None:
            hashed = unhashed_body(event)
        after = integrity.get("after")
        self._add_entry(where, hashed, chain=integrity["chain"], seq=integrity["seq"],
                        prev=str(integrity.get("prev")), stored=stored, ident=ident,
                        after=dict(after) if isinstance(after, Mapping) else None)

    def _add_entry(self, where: str, hashed: bytes, *, chain: str, seq: int, prev: str,
                   stored: str, ident: str | None, after: dict[str, Any] | None) -> None:
        """A chained event whose hash covers ``hashed``: checked, and kept for the rules
        (and for the tenant export being read, if one is)."""
        checked = check_hash(stored, hashed, self.key)
        algorithm = _algorithm(stored)
        status = ("unchecked" if checked is None else "bad" if not checked
                  else "unsigned" if self.key and algorithm == "sha256"
                  else "ok")
        # positional: this runs once a record, and keywords cost a third more
        entry = Entry(self._chains.setdefault(chain, chain), seq, prev, stored, ident, where,
                      self._position, status, hash(stored) if checked else hash(hashed),
                      algorithm, after,
                      "content does not match its hash" if checked is False else "")
        self.entries.append(entry)
        if self._digest is not None:
            self._excerpt_entries.append(entry)

    def _unreadable(self, raw: bytes, where: str) -> None:
        self._position += 1
        self.events += 1
        match = _INTEGRITY.search(raw)
        if match is None:
            self.problems.append(Problem(MODIFIED, None, where=[where],
                                         detail="line is not valid JSON"))
            return
        chain, hashed, prev, seq = (g.decode("utf-8", "replace") for g in match.groups())
        self.entries.append(Entry(
            chain=chain, seq=int(seq), prev=prev, hash=hashed, id=None, where=where,
            position=self._position, status="bad", fingerprint=hash(raw),
            algorithm=_algorithm(hashed), after=None, why="line is not valid JSON"))

    def add_row_problem(self, event: Any, ident: str, where: str, why: str) -> None:
        """A store row whose columns disagree with its JSON (or whose JSON is unreadable):
        ``modified``, filed under the chain its JSON names."""
        integrity = event.get("integrity") if isinstance(event, dict) else None
        chain = seq = None
        if _chained(integrity):
            assert isinstance(integrity, dict)
            chain, seq = integrity["chain"], integrity["seq"]
        if event is None:
            self._position += 1
            self.events += 1
        self._row_problems.append(Problem(
            MODIFIED, chain, seq, seq, ids=[ident], where=[where],
            detail=f"store row tampered with: {why}"))

    def add_checkpoint(self, record: Any, where: str) -> None:
        self.checkpoints.append((where, record))

    # -- verdict --------------------------------------------------------------------

    def report(self, target: str, sources: list[str] | None = None) -> Report:
        purges: dict[str, Anchor] = {}
        anchors: dict[str, list[Anchor]] = {}
        trusted = trusted_checkpoints(self.checkpoints, self.key, self.public_key,
                                      self.problems)
        sealed = excerpt.judge(trusted, self._digests, self._excerpt_entries,
                               self.problems)
        for where, record in trusted:
            source = f"{record['kind']} checkpoint {record.get('id')} ({where})"
            starts = record.get("from") if record["kind"] == "excerpt" else None
            if record["kind"] == "excerpt" and record.get("id") not in sealed:
                continue
            for chain, value in (starts or {}).items():
                self._floor(purges, chain, Anchor(value["seq"], value["hash"], (
                    f"the start of this export ({source})")))
            for chain, value in record["chains"].items():
                anchor = Anchor(value["seq"], value["hash"], source)
                if record["kind"] == "purge":
                    self._floor(purges, chain, anchor)
                else:
                    anchors.setdefault(chain, []).append(anchor)
        self._drop_needless_links()
        # A later chain's `after` only speaks for chains this trail holds: a writer may
        # have read it from another sink (a file started before the store, or after).
        held = {entry.chain for entry in self.entries} | set(purges) | set(anchors)
        for entry in self.entries:
            after = entry.after
            if (after and isinstance(after.get("seq"), int)
                    and after.get("chain") in held):
                anchors.setdefault(after["chain"], []).append(Anchor(
                    after["seq"], str(after.get("hash")),
                    f"the start of chain {entry.chain} ({entry.where})"))
        self._rehome(purges, anchors)
        by_chain: dict[str, list[Entry]] = {}
        for entry in self.entries:
            by_chain.setdefault(entry.chain, []).append(entry)
        chains = [analyse_chain(chain, by_chain.get(chain, []), purges.get(chain),
                                anchors.get(chain, []), ordered=self.ordered)
                  for chain in sorted({*by_chain, *purges, *anchors})]
        problems = list(self.problems)
        by_id = {report.chain: report for report in chains}
        for problem in self._row_problems:
            home = by_id.get(problem.chain) if problem.chain else None
            if home is None:
                problems.append(problem)
            else:
                home.problems.append(problem)
                home.problems.sort(key=lambda p: (p.first_seq or 0, p.kind))
        unchained = sum(1 for p in problems if p.detail == _UNCHAINED)
        if not self.entries and not self.checkpoints:
            # Nothing is chained at all: the chain was off, not tampered with.
            problems = [p for p in problems if p.detail != _UNCHAINED]
        return Report(target=target, chains=chains, problems=problems,
                      events=self.events, checkpoints=len(self.checkpoints),
                      sources=list(sources or []), keyed=bool(self.key),
                      unchained=unchained, chained=len(self.entries))

    @staticmethod
    def _floor(purges: dict[str, Anchor], chain: str, anchor: Anchor) -> None:
        if chain not in purges or purges[chain].seq < anchor.seq:
            purges[chain] = anchor

    def _drop_needless_links(self) -> None:
        """A link beside the event it stands for (an event delivered again after its
        purge) says nothing the event does not: it is not a second claimant."""
        linked = [e for e in self.entries if e.link]
        if not linked:
            return
        present = {(e.chain, e.seq, e.hash) for e in self.entries if not e.link}
        self.entries = [e for e in self.entries
                        if not (e.link and (e.chain, e.seq, e.hash) in present)]

    def _rehome(self, purges: Mapping[str, Anchor],
                anchors: Mapping[str, list[Anchor]]) -> None:
        """A record that fails its hash but whose stored hash another record vouches for
        is that vouched-for event, altered — even if the alteration hit its chain or
        seq. Put it back where it belongs so it is named ``modified`` there."""
        if not any(entry.status == "bad" for entry in self.entries):
            return
        vouched: dict[str, tuple[str, int]] = {}
        for entry in self.entries:
            if entry.status != "bad" and entry.prev != GENESIS and entry.seq > 1:
                vouched.setdefault(entry.prev, (entry.chain, entry.seq - 1))
        for chain, anchor in purges.items():
            vouched.setdefault(anchor.hash, (chain, anchor.seq))
        for chain, found in anchors.items():
            for anchor in found:
                vouched.setdefault(anchor.hash, (chain, anchor.seq))
        for entry in self.entries:
            home = vouched.get(entry.hash)
            if entry.status == "bad" and home and home != (entry.chain, entry.seq):
                entry.why = (f"{entry.why}; it claims chain {entry.chain} seq {entry.seq}, "
                             f"but its hash is that of seq {home[1]}")
                entry.chain, entry.seq = home


def _chained(integrity: Any) -> bool:
    return (isinstance(integrity, dict) and isinstance(integrity.get("chain"), str)
            and isinstance(integrity.get("seq"), int)
            and not isinstance(integrity.get("seq"), bool)
            and isinstance(integrity.get("hash"), str))
