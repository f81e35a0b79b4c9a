"""A tenant's verifiable export: its own events, and just enough of the chains around
them to check them without anyone else's content (docs/integrity.md, "One tenant's
export").

Hash chains are per writer process, and a writer serves every tenant, so a tenant's
events are scattered through chains it shares with others. The export is JSON lines:

1. a header ``{"schema": "auditmw/excerpt", "tenant": T, "id": ..., "time": ...}``;
2. per chain holding any of T's events, from T's first event in it to the chain's last
   event at export time, in ``seq`` order: T's events as stored (the exact canonical
   JSON the chain signed), and for every other event a **link** — ``chain``, ``seq``,
   ``prev``, ``hash``, nothing else (:mod:`auditmw.integrity.links`); an event a purge
   deleted there appears as the link the purge kept;
3. a signed ``excerpt`` checkpoint (:mod:`auditmw.integrity.checkpoint`): ``tenant``,
   each chain's end (``chains``) and the position just before T's first event in it
   (``from``), and ``digest``, the SHA-256 of every line above it. It is HMAC-signed
   with the integrity key and, with ``integrity.signing_key``, Ed25519-signed too, so a
   tenant checks it with the public key alone: ``auditmw verify export.jsonl
   --public-key seal.pub``.

What verify then knows: the lines are those the server sealed (the digest), every
``seq`` from ``from`` to the chain's end is there once and each record's ``prev`` is
the ``hash`` before it (so no event was dropped, added or moved, T's or anyone's), and
the chain reached the sealed end. With a plain SHA-256 chain (no key) it also recomputes
each of T's events' hashes; with an HMAC chain that needs the key, which a tenant does
not hold: the digest under the seal vouches for the content instead.

What the export reveals of others: how many events other tenants' traffic put between
T's events on the same writer, and those events' hashes (an HMAC reveals nothing; a
plain SHA-256 lets someone holding a guessed event confirm the guess — uuid7 ids and
microsecond times make guessing impractical). Never another tenant's name, content,
time or id.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from auditmw import codec
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import links
from auditmw.integrity.checkpoint import SCHEMA as CHECKPOINT
from auditmw.integrity.checkpoint import make_checkpoint
from auditmw.integrity.report import BAD_SIGNATURE, MODIFIED, Problem

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from auditmw.integrity.rules import Entry

HEADER = "auditmw/excerpt"
#: Line schemas a verifier reads as parts of an export, not as events.
OWN_SCHEMAS = frozenset({HEADER, links.SCHEMA, CHECKPOINT})


def judge(trusted: Sequence[tuple[str, Mapping[str, Any]]], digests: Mapping[str, str],
          entries: Sequence[Entry], problems: list[Problem]) -> set[str]:
    """The ids of the trusted excerpt records whose digest matches the lines read
    before them; settles the export's records: vouched for (links and events an HMAC
    without the key could not check) or, when nothing vouches for them, links that
    prove nothing."""
    sealed: set[str] = set()
    excerpts = [(where, r) for where, r in trusted if r["kind"] == "excerpt"]
    for where, record in excerpts:
        found = digests.get(str(record.get("id")))
        if found is not None and found == record["digest"]:
            sealed.add(str(record["id"]))
            continue
        problems.append(Problem(MODIFIED, None, ids=[str(record.get("id"))], where=[where],
                                detail=("the export was altered after it was sealed: its "
                                        f"lines hash to {found}, its record says "
                                        f"{record['digest']}" if found else
                                        "an excerpt record that closes no export")))
    if entries and not excerpts and not problems:
        problems.append(Problem(BAD_SIGNATURE, None, detail=(
            "a tenant export without a trusted closing record (cut short, or signed "
            "by another key): its links vouch for nothing")))
    for entry in entries:
        if sealed and entry.status in ("pending", "unchecked"):
            entry.status = "ok"
        elif entry.status == "pending":
            entry.status = "bad"
            entry.why = "a link no valid export record vouches for"
    return sealed


class ExcerptSource(Protocol):
    """What an export is cut from (both SQL stores are one)."""

    def tenant_chain_starts(self, tenant: str) -> dict[str, int]:
        """Per chain, the ``seq`` of the tenant's first kept event in it."""
        ...

    def chain_rows(self, chain: str, first_seq: int
                   ) -> Iterator[tuple[int, str, str | None, bool, str]]:
        """``(seq, hash, tenant, kept, data)`` of each stored event of ``chain`` from
        ``first_seq`` on, by ``seq`` (``kept``: within retention or held)."""
        ...

    def links(self, chain: str | None = None, first_seq: int = 0
              ) -> Iterator[dict[str, Any]]:
        """The purge's links (of ``chain``, from ``first_seq`` on)."""
        ...


def excerpt_tenant(query: Any) -> str:
    """The one tenant a verifiable export of ``query`` (a store ``Query``) holds;
    ``ValueError`` unless it names exactly one tenant and nothing else (the export holds
    every event of that tenant the store keeps: a filtered subset could not be checked
    against its chains)."""
    from dataclasses import fields

    others = [f.name for f in fields(query) if f.name != "tenant" and getattr(query, f.name)]
    if len(query.tenant) != 1 or others:
        raise ValueError("a verifiable export takes exactly one tenant and no other filter "
                         "(it holds every event of that tenant)")
    return str(query.tenant[0])


def excerpt_lines(source: ExcerptSource, tenant: str, *, key: str | bytes | None,
                  signer: Ed25519PrivateKey | None = None) -> Iterator[bytes]:
    """Tenant ``tenant``'s export from ``source``, line by line (each ending in a
    newline), read a chain at a time: constant memory but for one chain's purge links.
    The last line is the closing record."""
    digest = hashlib.sha256()

    def line(data: bytes) -> bytes:
        digest.update(data + b"\n")
        return data + b"\n"

    now = time.time_ns()
    yield line(codec.dumps({"schema": HEADER, "tenant": tenant, "id": uuid7(now),
                            "time": format_time_ns(now)}))
    ends: dict[str, dict[str, Any]] = {}
    froms: dict[str, dict[str, Any]] = {}
    events = withheld = 0
    for chain, first in sorted(source.tenant_chain_starts(tenant).items()):
        purged = list(source.links(chain, first))  # by seq
        at = 0
        for seq, hashed, owner, live, data in source.chain_rows(chain, first):
            while at < len(purged) and purged[at]["seq"] < seq:  # purged before this one
                yield line(codec.dumps(_bare(purged[at])))
                withheld += 1
                at += 1
            while at < len(purged) and purged[at]["seq"] == seq:  # delivered again
                at += 1
            integrity = codec.loads(data).get("integrity") or {}
            if chain not in froms:
                froms[chain] = {"seq": seq - 1, "hash": str(integrity.get("prev"))}
            if owner == tenant and live:
                yield line(data.encode())
                events += 1
            else:
                yield line(codec.dumps(links.make_link(
                    chain, seq, str(integrity.get("prev")), hashed, signed=False)))
                withheld += 1
            ends[chain] = {"seq": seq, "hash": hashed}
        for link in purged[at:]:  # purged events after the last stored one
            yield line(codec.dumps(_bare(link)))
            withheld += 1
            ends[chain] = {"seq": int(link["seq"]), "hash": link["hash"]}
    record = make_checkpoint(ends, "excerpt", key, signer, extra={
        "tenant": tenant, "from": froms, "digest": "sha256:" + digest.hexdigest(),
        "counts": {"events": events, "links": withheld}})
    yield codec.dumps(record) + b"\n"


def write_excerpt(source: ExcerptSource, tenant: str, write: Callable[[bytes], Any], *,
                  key: str | bytes | None, signer: Ed25519PrivateKey | None = None
                  ) -> dict[str, Any]:
    """Write :func:`excerpt_lines` through ``write``; returns the closing record (its
    ``counts`` say how many events and links went out)."""
    last = b""
    for last in excerpt_lines(source, tenant, key=key, signer=signer):
        write(last)
    record: dict[str, Any] = codec.loads(last)
    return record


def _bare(link: Mapping[str, Any]) -> dict[str, Any]:
    """A purge's link as an export carries it: the export's record signs it (a tenant
    could not check the link's own HMAC)."""
    return links.make_link(str(link["chain"]), int(link["seq"]), str(link["prev"]),
                           str(link["hash"]), signed=False)
