"""Links: what an event leaves in its chain when it is gone or withheld, without its
content.

A link is one JSON object::

    {"schema": "auditmw/link", "chain": <chain id>, "seq": n, "prev": "...",
     "hash": "...", "signature": "hmac-sha256:<hex>" | "sha256:<hex>"}

``prev`` and ``hash`` are the event's own, so the chain still links across it: the
event after it must carry ``prev == hash``. Two places make them:

- the **retention purge**, for each event it deletes from the middle of a chain (a
  shorter retention for its category or tenant, a legal hold on its neighbours); those
  are signed like checkpoints (:func:`auditmw.integrity.checkpoint.check_signature`),
  so a deletion outside the purge cannot pass for one;
- a **tenant export** (:mod:`auditmw.integrity.excerpt`), for each other tenant's event
  between that tenant's own; those carry no signature of their own, the export's
  signed record covers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditmw import codec
from auditmw.integrity.chain import as_key, digest

SCHEMA = "auditmw/link"


def make_link(chain: str, seq: int, prev: str, hashed: str,
              key: str | bytes | None = None, *, signed: bool = True) -> dict[str, Any]:
    """The link of event ``seq`` of ``chain``; signed under ``key`` unless ``signed``
    is false (a tenant export's links: the export record signs them all)."""
    record: dict[str, Any] = {"schema": SCHEMA, "chain": str(chain), "seq": int(seq),
                              "prev": str(prev), "hash": str(hashed)}
    if signed:
        record["signature"] = digest(codec.dumps(record), as_key(key))
    return record


def is_link(record: Any) -> bool:
    return (isinstance(record, Mapping) and record.get("schema") == SCHEMA
            and isinstance(record.get("chain"), str)
            and isinstance(record.get("seq"), int) and not isinstance(record.get("seq"), bool)
            and isinstance(record.get("prev"), str) and isinstance(record.get("hash"), str))
