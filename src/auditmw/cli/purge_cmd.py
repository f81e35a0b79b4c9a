"""``auditmw purge``: delete events past the retention period now."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from auditmw.cli import add_config_option
from auditmw.cli.options import add_store_option, store_url
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "purge", help="delete events older than the retention period",
        description="Delete every event past its retention from the store (store.retention"
                    ": per category and tenant; events under a legal hold stay; the "
                    "background purge does the same on its own schedule). When the "
                    "integrity chain is on, a signed checkpoint of each chain's last "
                    "purged event is written first, so the store still verifies.")
    add_config_option(parser)
    add_store_option(parser)
    parser.add_argument("--retention-days", type=int, metavar="N",
                        help="override the default retention (store.retention.default)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from auditmw.store import open_store
    from auditmw.store.retention import RetentionPolicy

    config = load_config(args.config)
    policy = config.store.retention_policy()
    if args.retention_days is not None:
        if args.retention_days < 1:
            raise SystemExit("auditmw purge: --retention-days must be at least 1")
        policy = RetentionPolicy.of({**policy.to_dict(), "default": args.retention_days})
    store = open_store(store_url(args, config), retention=policy)
    try:
        purged = store.purge(on_purge=_checkpoint_hook(config))
        kept = int(getattr(store, "last_purge_kept", 0))
    finally:
        store.close()
    rules = "" if policy.simple else " (or their category's or tenant's retention)"
    print(f"purged {purged} events older than {policy.default} days{rules}")
    if kept:
        # Named on stderr by the store; a scheduled purge must not look fine.
        print(f"auditmw purge: kept {kept} event(s) that are past the cut by their time "
              "column only (tampering?): run auditmw verify --store", file=sys.stderr)
        return 1
    return 0


def _checkpoint_hook(config: Any) -> Any:
    if not config.integrity.chain:
        return None
    try:
        from auditmw.integrity.checkpoint import purge_checkpointer
    except ImportError:
        return None
    return purge_checkpointer(config.integrity.key, config.integrity.signing_key)
