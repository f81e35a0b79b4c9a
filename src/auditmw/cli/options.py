"""Options several commands share: where the trail is, and the Data API's filters."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import datetime, timedelta

from auditmw.config import Config
from auditmw.ids import parse_time
from auditmw.store.base import Query


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters (each repeatable; same as the Data API)")
    group.add_argument("--from", dest="start", metavar="TIME", type=_time,
                       help="RFC 3339 start, inclusive (e.g. 2026-11-01T00:00:00Z)")
    group.add_argument("--to", dest="end", metavar="TIME", type=_time,
                       help="RFC 3339 end, inclusive (as the Data API's `to`)")
    for name, what in (("event", "catalogue event name"), ("category", "category id"),
                       ("actor", "actor id or name"), ("outcome", "success|failure|denied"),
                       ("target", "target id or name"), ("ip", "client IP"),
                       ("tenant", "tenant (docs/tenants.md)")):
        group.add_argument(f"--{name}", action="append", default=[], metavar=name.upper(),
                           help=what)


def _time(text: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an RFC 3339 time such as 2026-11-22T10:50:00Z") from None


def query_from_args(args: argparse.Namespace) -> Query:
    # The store's end is exclusive; `--to` includes its instant, as the Data API does.
    end = None if args.end is None else args.end + timedelta(microseconds=1)
    return Query(start=args.start, end=end, event=tuple(args.event),
                 category=tuple(args.category), actor=tuple(args.actor),
                 outcome=tuple(args.outcome), target=tuple(args.target), ip=tuple(args.ip),
                 tenant=tuple(getattr(args, "tenant", ())))


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="URL",
                        help="store URL (default: [store] url of the config)")


def store_url(args: argparse.Namespace, config: Config) -> str:
    if args.store:
        return str(args.store)
    if not config.store.enabled:
        raise SystemExit("auditmw: the config has no store ([store] enabled = false); "
                         "pass --store URL")
    return config.store.url


def print_table(rows: Sequence[Sequence[str]]) -> None:
    """``rows`` (the first is the heading) in left-aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
