"""Signed checkpoints: what a trail's chains looked like at a moment, kept with the trail.

A checkpoint is one JSON object::

    {"schema": "auditmw/checkpoint", "id": <uuid7>, "time": <RFC 3339>,
     "kind": "purge" | "seal",
     "chains": {<chain id>: {"seq": n, "hash": "...", "id": <event id>, "time": ...}},
     "signature": "hmac-sha256:<hex>" | "sha256:<hex>"}

- ``purge`` — written by the retention purge in the same transaction as the delete:
  per chain, the last *purged* event. Events of that chain up to ``seq`` are gone on
  purpose; the next one must carry ``prev == hash``.
- ``seal`` — written by ``auditmw verify --checkpoint``: per chain, the last event
  present. The chain reached at least that ``seq``; fewer events later is a
  ``truncated tail``.
- ``excerpt`` — the last line of a tenant's verifiable export
  (:mod:`auditmw.integrity.excerpt`): ``chains`` as a seal (each chain's end when the
  export was made), plus ``tenant``, ``from`` (per chain, the ``seq``/``hash`` just
  before the export's first record of it: the export starts there on purpose), and
  ``digest``, the SHA-256 of every line of the export before this one.

``public_signature`` (optional) is an Ed25519 signature anyone can check with the
public key alone (:mod:`auditmw.integrity.seals`). ``signature`` is the integrity digest
(:func:`auditmw.integrity.chain.digest`) of the canonical JSON of the record without
``signature`` (so it covers ``public_signature``): an HMAC under ``integrity.key``, or
a plain SHA-256 without a key — which proves the record is intact, not who wrote it.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from auditmw import codec
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import seals
from auditmw.integrity.chain import (
    HMAC_PREFIX,
    SHA_PREFIX,
    as_key,
    check_hash,
    digest,
    unhashed_line,
    verify_event_hash,
)
from auditmw.integrity.report import BAD_SIGNATURE, Problem

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

SCHEMA = "auditmw/checkpoint"
Kind = Literal["purge", "seal", "excerpt"]
KINDS: tuple[str, ...] = ("purge", "seal", "excerpt")


def _chain_entry(value: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"seq": int(value["seq"]), "hash": str(value["hash"])}
    for optional in ("id", "time"):
        if value.get(optional) is not None:
            entry[optional] = str(value[optional])
    return entry


def make_checkpoint(chains: Mapping[str, Mapping[str, Any]], kind: Kind,
                    key: str | bytes | None, signer: Ed25519PrivateKey | None = None,
                    extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A signed checkpoint over ``{chain: {seq, hash, id?, time?}}``; with ``signer``
    also an Ed25519 ``public_signature`` (:mod:`auditmw.integrity.seals`). ``extra``:
    more fields the signatures cover (an excerpt's ``tenant``, ``from``, ``digest``;
    a legal hold's ``hold``)."""
    if kind not in KINDS:
        raise ValueError(f"checkpoint kind must be one of {', '.join(KINDS)}, not {kind!r}")
    now = time.time_ns()
    record: dict[str, Any] = {
        **(extra or {}),
        "schema": SCHEMA, "id": uuid7(now), "time": format_time_ns(now), "kind": kind,
        "chains": {str(chain): _chain_entry(value) for chain, value in chains.items()},
    }
    if signer is not None:
        seals.sign(record, signer)
    record["signature"] = digest(codec.dumps(record), as_key(key))
    return record


class PurgeCheckpointer:
    """The ``on_purge`` hook for ``store.purge``: a signed ``purge`` checkpoint of the
    last purged event of each chain (``None`` when no chained event was purged), and
    :meth:`check_event`, which the purge asks before it deletes a row."""

    def __init__(self, key: str | bytes | None,
                 signer: Ed25519PrivateKey | None = None) -> None:
        self._key = as_key(key)
        self._signer = signer

    def __call__(self, chains: Mapping[str, Mapping[str, Any]]) -> dict[str, Any] | None:
        chained = {c: v for c, v in chains.items() if c and v.get("hash")}
        if not chained:
            return None
        return make_checkpoint(chained, "purge", self._key, self._signer)

    def link(self, chain: str, seq: int, prev: str, hashed: str) -> dict[str, Any]:
        """The signed link a purged event leaves in the middle of its chain
        (:mod:`auditmw.integrity.links`)."""
        from auditmw.integrity.links import make_link

        return make_link(chain, seq, prev, hashed, self._key)

    def check_event(self, event: Mapping[str, Any], raw: str | None = None) -> str | None:
        """Why ``event`` must not be purged (its hash fails, or cannot be checked with
        this key), or ``None``. Events without a chain carry nothing to check. ``raw``:
        the stored canonical JSON, checked as stored (no re-serialisation) when it can be."""
        integrity = event.get("integrity")
        stored = integrity.get("hash") if isinstance(integrity, Mapping) else None
        if not isinstance(stored, str):
            return None
        ok: bool | None = False
        body = unhashed_line(raw.encode(), stored) if raw is not None else None
        if body is not None:
            ok = check_hash(stored, body, self._key)
        if not ok:  # not cut from the stored text: judge the parsed event
            try:
                ok = verify_event_hash(event, self._key)
            except (TypeError, ValueError):
                ok = False
        if ok is None:
            return "it is signed with a key and the purge was given none"
        return None if ok else "its content does not match its hash"


def purge_checkpointer(key: str | bytes | None, signing_key: str = "") -> PurgeCheckpointer:
    """The ``on_purge`` callback for ``store.purge`` (see :class:`PurgeCheckpointer`);
    ``signing_key``: path of an Ed25519 PEM key to sign its checkpoints with too."""
    return PurgeCheckpointer(key, seals.load_signing_key(signing_key) if signing_key
                             else None)


def check_signature(record: Mapping[str, Any], key: bytes) -> tuple[bool | None, str]:
    """``(True, "")`` if intact (and signed with ``key`` when one is given), ``(False,
    why)`` if not, ``(None, why)`` when it cannot be told (HMAC-signed, no key)."""
    signature = record.get("signature")
    if not isinstance(signature, str):
        return False, "no signature"
    body = codec.dumps({k: v for k, v in record.items() if k != "signature"})
    if signature.startswith(HMAC_PREFIX):
        if not key:
            return None, "signed with a key, and no key was given"
        ok = hmac.compare_digest(signature, digest(body, key))
        return ok, "" if ok else "HMAC does not match the record (altered, or another key)"
    if signature.startswith(SHA_PREFIX):
        if not hmac.compare_digest(signature, digest(body, b"")):
            return False, "SHA-256 does not match the record (altered)"
        if key:
            return False, "not signed with the key (plain SHA-256)"
        return True, ""
    return False, "unknown signature algorithm"


def well_formed(record: Any) -> bool:
    """Has the shape of a checkpoint (checked before its signature)."""
    if not isinstance(record, Mapping) or record.get("schema") != SCHEMA:
        return False
    chains = record.get("chains")
    if record.get("kind") not in KINDS or not isinstance(chains, Mapping):
        return False
    if record.get("kind") == "excerpt":
        starts = record.get("from")
        if not isinstance(record.get("digest"), str) or not isinstance(starts, Mapping):
            return False
        chains = {**chains, **{f"from {c}": v for c, v in starts.items()}}
    return all(isinstance(v, Mapping) and isinstance(v.get("seq"), int)
               and isinstance(v.get("hash"), str) for v in chains.values())


def trusted_checkpoints(checkpoints: Iterable[tuple[str, Any]], key: bytes,
                        public_key: Ed25519PublicKey | None, problems: list[Problem],
                        ) -> list[tuple[str, Mapping[str, Any]]]:
    """The ``(where, record)`` checkpoints a verifier may rely on: well formed, and
    signed with ``public_key`` (when given) or ``key``; a problem in ``problems`` for
    each of the others."""
    trusted: list[tuple[str, Mapping[str, Any]]] = []
    for where, record in checkpoints:
        ident = record.get("id") if isinstance(record, Mapping) else None
        ids = [ident] if isinstance(ident, str) else []
        if not well_formed(record):
            problems.append(Problem(BAD_SIGNATURE, None, ids=ids, where=[where],
                                    detail="not a well-formed checkpoint"))
            continue
        if public_key is not None:
            # A third party's check: only the Ed25519 signature vouches for it.
            signed, why = seals.check(record, public_key)
            if not signed:
                problems.append(Problem(BAD_SIGNATURE, None, ids=ids, where=[where],
                                        detail=f"checkpoint ignored: {why}"))
                continue
            if not key:
                trusted.append((where, record))
                continue
        ok, why = check_signature(record, key)
        if ok is False:
            problems.append(Problem(BAD_SIGNATURE, None, ids=ids, where=[where],
                                    detail=f"checkpoint ignored: {why}"))
            continue
        trusted.append((where, record))
    return trusted
