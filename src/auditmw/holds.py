"""Placing and lifting legal holds, each one on the record (SPEC §15, docs/tenants.md).

A hold keeps a tenant's events (or one category of them) past retention until it is
lifted. Changing one is itself audited and checkpointed, in this order:

1. the store's ``holds`` table changes (the purge obeys it from its next run);
2. an ``addLegalHold`` / ``removeLegalHold`` event is recorded through the configured
   trail, carrying the hold's tenant (so that tenant sees it in its own trail), the
   hold as its target, and who did it;
3. a signed ``seal`` checkpoint is stored with the hold in its ``hold`` field and, in
   ``chains``, the position the hold's event took in its chain — so the record of the
   hold cannot be cut from the trail later without ``auditmw verify`` saying so.
"""

from __future__ import annotations

import getpass
import os
from typing import TYPE_CHECKING, Any

from auditmw.store import Query

if TYPE_CHECKING:
    from auditmw.config import Config
    from auditmw.store.retention import Hold

ADD, REMOVE = "addLegalHold", "removeLegalHold"


def record_hold_change(config: Config, store: Any, hold: Hold, action: str) -> dict[str, Any]:
    """Record ``hold`` having been placed (``ADD``) or lifted (``REMOVE``); returns the
    checkpoint stored for it."""
    from auditmw.event import Actor, Target
    from auditmw.integrity.checkpoint import make_checkpoint
    from auditmw.integrity.seals import load_signing_key
    from auditmw.trail import AuditTrail

    user = getpass.getuser()
    trail = AuditTrail(config)
    try:
        built = trail.record(
            action, actor=Actor(id=user, name=user, type="user"), channel="system",
            tenant=hold.tenant, target=Target(id=hold.id, name=f"legal hold {hold.id}",
                                              type="legalHold"),
            details={"via": f"auditmw hold {'add' if action == ADD else 'remove'}",
                     "hold": hold.to_dict(), "pid": os.getpid()})
    finally:
        trail.close()
    signing = config.integrity.signing_key
    record = make_checkpoint(
        _position(store, action, hold.tenant, built.id), "seal", config.integrity.key,
        load_signing_key(signing) if signing else None,
        extra={"hold": {"action": action, **hold.to_dict(), "event": built.id}})
    store.add_checkpoint(record)
    return record


def _position(store: Any, action: str, tenant: str, ident: str) -> dict[str, Any]:
    """``{chain: {seq, hash, id}}`` of the hold's event as the store holds it (empty
    when the store is not one of the trail's sinks, or the chain is off)."""
    for event in store.iter_events(Query(event=(action,), tenant=(tenant,)), order="desc",
                                   chunk_size=20):
        if event.get("id") != ident:
            continue
        integrity = event.get("integrity") or {}
        if integrity.get("chain") and integrity.get("hash"):
            return {integrity["chain"]: {"seq": integrity["seq"], "hash": integrity["hash"],
                                         "id": ident}}
        break
    return {}
