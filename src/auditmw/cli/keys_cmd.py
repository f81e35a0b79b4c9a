"""``auditmw keys create|list|revoke``: access keys for the audit APIs.

The key is printed once, alone on one stdout line (or in ``--json``), and stored only as
a keyed hash in the store's database (``store.url``), in its own table.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from auditmw.cli import add_config_option
from auditmw.cli.options import print_table
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "keys", help="create, list and revoke access keys for the audit APIs",
        description="Access keys guard the audit APIs (export, Data API, GraphQL); they "
                    "need the audit_logs scope. Keys live, hashed, in the store's database.")
    keys = parser.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    create = keys.add_parser("create", help="make a key and print it once")
    create.add_argument("--name", required=True, help="a name for the key (unique among "
                        "active keys); it is the actor of the key's audit events")
    create.add_argument("--scope", action="append", required=True, metavar="SCOPE",
                        help="a scope (repeatable; any name; the audit APIs need audit_logs)")
    create.add_argument("--expires", metavar="WHEN", default=None,
                        help="90d, 12h, 2w, 30m, 45s, an ISO date (UTC) or 'never' "
                             "(default: never)")
    create.add_argument("--tenant", metavar="T", default=None,
                        help="scope the key to one tenant: it reads and exports that "
                             "tenant's events only (default: an operator key)")
    create.add_argument("--json", action="store_true",
                        help='print {"id","name","scopes","key","expires"}')
    create.set_defaults(handler=run_create)

    listing = keys.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    revoke = keys.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key", metavar="ID_OR_NAME", help="the key's id, or an active name")
    revoke.set_defaults(handler=run_revoke)

    for sub in (create, listing, revoke):
        add_config_option(sub)
        sub.add_argument("--store", metavar="URL",
                         help="the database holding the keys (default: store.url)")


def _open(args: argparse.Namespace) -> Any:
    from auditmw.store.keys import KeyStore

    config = load_config(args.config)
    return KeyStore(args.store or config.store.url, pepper=config.server.keys_pepper)


def _fail(message: str, code: int = 1) -> int:
    print(f"auditmw keys: {message}", file=sys.stderr)
    return code


def run_create(args: argparse.Namespace) -> int:
    from auditmw.access_keys import parse_expiry
    from auditmw.store.keys import AccessKeyError

    try:
        expires = parse_expiry(args.expires)
    except ValueError as exc:
        return _fail(str(exc), 2)
    store = _open(args)
    try:
        record, text = store.create(args.name, args.scope, expires, tenant=args.tenant)
    except AccessKeyError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    if args.json:
        public = record.to_public_dict()
        made = {"id": record.id, "name": record.name, "scopes": list(record.scopes),
                "key": text, "expires": public["expires"]}
        if record.tenant is not None:  # SPEC §13's five keys, plus the tenant when scoped
            made["tenant"] = record.tenant
        print(json.dumps(made))
    else:
        print(text)
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        keys = store.list_keys()
    finally:
        store.close()
    now = datetime.now(UTC)
    rows = [k.to_public_dict(now) for k in keys]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = [("ID", "NAME", "SCOPES", "TENANT", "STATUS", "CREATED", "EXPIRES")]
    table += [(str(r["id"]), str(r["name"]), ",".join(k.scopes), k.tenant or "(all)",
               str(r["status"]), str(r["created"]), str(r["expires"] or "never"))
              for r, k in zip(rows, keys, strict=True)]
    print_table(table)
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from auditmw.store.keys import AccessKeyError

    store = _open(args)
    try:
        record = store.revoke(args.key)
    except AccessKeyError as exc:
        return _fail(str(exc))
    finally:
        store.close()
    print(f"revoked {record.id} ({record.name})")
    return 0
