"""Tamper evidence (SPEC §7): hash chains, signed checkpoints, verification.

- :class:`ChainProcessor` — the pipeline's last processor; stamps ``integrity``.
- :func:`make_checkpoint`, :func:`purge_checkpointer` — signed checkpoints.
- :func:`verify_files`, :func:`verify_store` — the verdict behind ``auditmw verify``.

See docs/integrity.md.
"""

from __future__ import annotations

from auditmw.integrity.chain import GENESIS, ChainProcessor
from auditmw.integrity.checkpoint import make_checkpoint, purge_checkpointer
from auditmw.integrity.report import KINDS, ChainReport, Problem, Report
from auditmw.integrity.verify import seal_files, seal_store, verify_files, verify_store

__all__ = [
    "GENESIS", "KINDS", "ChainProcessor", "ChainReport", "Problem", "Report",
    "make_checkpoint", "purge_checkpointer", "seal_files", "seal_store", "verify_files",
    "verify_store",
]
