"""``auditmw hold add|list|remove``: legal holds that keep a tenant's events past
retention (docs/tenants.md). Every change is an audit event and a signed checkpoint."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from auditmw.cli import add_config_option
from auditmw.cli.options import add_store_option, print_table, store_url
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "hold", help="place, list and lift legal holds",
        description="A legal hold keeps a tenant's events (or one category of them) past "
                    "their retention until it is lifted. Placing and lifting one is "
                    "recorded as an audit event and a signed checkpoint.")
    holds = parser.add_subparsers(dest="hold_command", metavar="ACTION", required=True)

    add = holds.add_parser("add", help="place a hold on a tenant's events")
    add.add_argument("--tenant", required=True, metavar="T", help="the tenant held")
    add.add_argument("--category", metavar="C", default=None,
                     help="hold only this category of the tenant's events (default: all)")
    add.add_argument("--reason", default="", help="why (a case number); it is recorded")
    add.set_defaults(handler=run_add)

    listing = holds.add_parser("list", help="list active holds")
    listing.add_argument("--all", action="store_true", help="lifted holds too")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    remove = holds.add_parser("remove", help="lift a hold")
    remove.add_argument("hold", metavar="ID", help="the hold's id (auditmw hold list)")
    remove.set_defaults(handler=run_remove)

    for sub in (add, listing, remove):
        add_config_option(sub)
        add_store_option(sub)


def _open(args: argparse.Namespace) -> tuple[Any, Any]:
    from auditmw.store import open_configured_store

    config = load_config(args.config)
    return config, open_configured_store(config.store, store_url(args, config))


def _change(args: argparse.Namespace, action: str) -> int:
    from auditmw.holds import ADD, record_hold_change
    from auditmw.store import StoreError

    config, store = _open(args)
    try:
        try:
            hold = (store.add_hold(args.tenant, args.category, args.reason) if action == ADD
                    else store.remove_hold(args.hold))
        except StoreError as exc:
            print(f"auditmw hold: {exc}", file=sys.stderr)
            return 1
        try:
            record_hold_change(config, store, hold, action)
        except Exception as exc:  # the hold changed: say loudly that it is not on record
            print(f"auditmw hold: the hold {hold.id} changed, but recording it failed: "
                  f"{exc}", file=sys.stderr)
            return 1
    finally:
        store.close()
    scope = f"{hold.tenant}" + (f" ({hold.category})" if hold.category else "")
    print(f"{'placed' if action == ADD else 'lifted'} hold {hold.id} on {scope}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from auditmw.holds import ADD

    return _change(args, ADD)


def run_remove(args: argparse.Namespace) -> int:
    from auditmw.holds import REMOVE

    return _change(args, REMOVE)


def run_list(args: argparse.Namespace) -> int:
    _, store = _open(args)
    try:
        holds = store.holds(include_removed=args.all)
    finally:
        store.close()
    if args.json:
        print(json.dumps([h.to_dict() for h in holds], indent=2))
        return 0
    table = [("ID", "TENANT", "CATEGORY", "CREATED", "REMOVED", "REASON")]
    table += [(h.id, h.tenant, h.category or "(all)", h.created, h.removed or "-", h.reason)
              for h in holds]
    print_table(table)
    return 0
