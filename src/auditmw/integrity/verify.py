"""Verify a trail — a JSON-lines file with its rotated siblings, or a store — and seal it
with a checkpoint. The rules are in :mod:`auditmw.integrity.rules`; docs/integrity.md
says what each problem means and what cannot be detected."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw.integrity.analysis import Verifier
from auditmw.integrity.chain import as_key
from auditmw.integrity.checkpoint import make_checkpoint
from auditmw.integrity.files import (
    append_record,
    checkpoint_path,
    file_set,
    iter_blocks,
    read_records,
)
from auditmw.integrity.stored import add_rows

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    from auditmw.integrity.report import Report
    from auditmw.store.base import Store

__all__ = ["chain_ends", "seal_files", "seal_store", "verify_files", "verify_store"]


Extra = Sequence[tuple[str, Any]]


def verify_files(path: str | os.PathLike[str], key: str | bytes | None = None, *,
                 public_key: Ed25519PublicKey | None = None, extra: Extra = ()) -> Report:
    """Verify ``path`` and its rotated siblings, in writing order, against the
    checkpoints in ``<path>.checkpoints`` and ``extra`` (``(where, record)`` pairs, e.g.
    seals shipped off the host and read back). With ``public_key`` only checkpoints
    with its Ed25519 signature are trusted. Raises ``FileNotFoundError`` when there is
    no such trail."""
    files = file_set(path)
    if not files:
        raise FileNotFoundError(f"no JSON-lines trail at {path} (nor rotated files beside it)")
    verifier = Verifier(as_key(key), ordered=True, public_key=public_key)
    for file in files:
        number = 0
        for lines in iter_blocks(file):
            number = verifier.add_lines(lines, file.name, number)
    for where, record in [*read_records(checkpoint_path(path)), *extra]:
        verifier.add_checkpoint(record, where)
    return verifier.report(str(path), [str(f) for f in files])


def verify_store(store: Store, key: str | bytes | None = None,
                 target: str | None = None, *, public_key: Ed25519PublicKey | None = None,
                 extra: Extra = ()) -> Report:
    """Verify every event of ``store`` (expired ones too) against its checkpoints and
    ``extra`` (as :func:`verify_files`). Rows are checked by chain and ``seq``; a
    database keeps no other order to check. Each row's columns are checked against its
    JSON."""
    verifier = Verifier(as_key(key), ordered=False, public_key=public_key)
    rows = getattr(store, "verify_rows", None)
    if rows is not None:  # the SQL backends: read in one pass (integrity.stored)
        add_rows(verifier, rows())
    for stored in () if rows is not None else store.iter_stored(include_expired=True):
        where = f"row {stored.id}"
        if stored.event is not None:
            verifier.add_event(stored.event, where)
        for why in stored.disagreements:
            # Reads filter on the columns: one that says what the signed event does not
            # relabels, hides or backdates that event in every filtered read.
            verifier.add_row_problem(stored.event, stored.id, where, why)
    # What purges left of events they deleted from the middle of a chain (per-category
    # or per-tenant retention, a legal hold beside them): signed links.
    for record in getattr(store, "links", tuple)():
        verifier.add_link(record, f"link {record.get('chain')}:{record.get('seq')}")
    for n, record in enumerate(store.checkpoints(), 1):
        verifier.add_checkpoint(record, f"checkpoint #{n}")
    for where, record in extra:
        verifier.add_checkpoint(record, where)
    return verifier.report(target or store.name, [target or store.name])


def chain_ends(report: Report) -> dict[str, dict[str, Any]]:
    """``{chain: {seq, hash, id}}`` of the last event present in each chain."""
    return {c.chain: {"seq": c.last_seq, "hash": c.last_hash, "id": c.last_id}
            for c in report.chains if c.last_seq is not None and c.last_hash}


def _seal(report: Report, key: str | bytes | None,
          signer: Ed25519PrivateKey | None) -> dict[str, Any]:
    if not report.valid:
        raise ValueError("not writing a checkpoint over a trail that does not verify: "
                         + report.summary())
    return make_checkpoint(chain_ends(report), "seal", key, signer)


def seal_files(path: str | os.PathLike[str], report: Report,
               key: str | bytes | None = None,
               signer: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """Append a ``seal`` checkpoint of every chain's end to ``<path>.checkpoints``
    (Ed25519-signed too with ``signer``)."""
    record = _seal(report, key, signer)
    append_record(checkpoint_path(Path(path)), record)
    return record


def seal_store(store: Store, report: Report, key: str | bytes | None = None,
               signer: Ed25519PrivateKey | None = None) -> dict[str, Any]:
    """Store a ``seal`` checkpoint of every chain's end in the store."""
    record = _seal(report, key, signer)
    store.add_checkpoint(record)
    return record
