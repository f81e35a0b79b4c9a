"""``auditmw export``: write the trail (filtered) to a CSV, JSON, JSON-lines or XLSX file."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, cast

from auditmw.cli import add_config_option
from auditmw.cli.options import add_filter_options, add_store_option, query_from_args, store_url
from auditmw.config import load_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="export events to csv, json, jsonl or xlsx",
        description="Stream the events matching the filters, oldest first, to a file (-o) "
                    "or standard output, in constant memory. Shows a progress bar when "
                    "standard error is a terminal. The export itself is recorded as an "
                    "exportAuditTrail event.")
    add_config_option(parser)
    add_store_option(parser)
    parser.add_argument("-f", "--format", choices=("csv", "json", "jsonl", "xlsx"),
                        default="csv", help="file format (default csv)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write here (default: standard output; '-' too)")
    parser.add_argument("--order", choices=("asc", "desc"), default="asc",
                        help="oldest first (asc, default) or newest first")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--verifiable", action="store_true",
                        help="with one --tenant and no other filter: every event of that "
                             "tenant as JSON lines, with the chain links and the signed "
                             "record `auditmw verify FILE` checks it with on its own "
                             "(docs/integrity.md)")
    add_filter_options(parser)
    parser.set_defaults(handler=run)


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self._drawn = 0.0

    def count(self, events: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for event in events:
            self.done += 1
            if self.enabled and time.monotonic() - self._drawn > 0.1:
                self.draw()
            yield event
        if self.enabled:
            self.draw()
            sys.stderr.write("\n")

    def draw(self) -> None:
        self._drawn = time.monotonic()
        width = 30
        share = self.done / self.total if self.total else 1.0
        filled = int(width * min(share, 1.0))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                         f"{self.done:,}/{self.total:,} events")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from auditmw.exports import export_chunks
    from auditmw.store import open_configured_store

    config = load_config(args.config)
    to_stdout = args.output in (None, "-")
    if args.verifiable:
        return _verifiable(args, config, to_stdout)
    if to_stdout and args.format == "xlsx" and sys.stdout.isatty():
        raise SystemExit("auditmw export: XLSX is binary; write it to a file with -o FILE")
    query = query_from_args(args)
    store = open_configured_store(config.store, store_url(args, config))
    progress = Progress(store.count(query),
                        enabled=not args.quiet and sys.stderr.isatty() and not (
                            to_stdout and sys.stdout.isatty()))
    events = progress.count(store.iter_events(query, order=args.order))
    target: BinaryIO
    if to_stdout:
        target = sys.stdout.buffer
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        target = open(args.output, "wb")  # noqa: SIM115 (closed below, maybe stdout)
    outcome = "failure"
    try:
        for chunk in export_chunks(events, args.format):
            target.write(chunk)
        target.flush()
        outcome = "success"
    finally:
        if not to_stdout:
            target.close()
        store.close()
        _record_export(config, args, query, progress.done, outcome)
    if not to_stdout and not args.quiet:
        print(f"exported {progress.done:,} events to {args.output}", file=sys.stderr)
    return 0


def _verifiable(args: argparse.Namespace, config: Any, to_stdout: bool) -> int:
    """One tenant's export that verifies on its own (auditmw.integrity.excerpt)."""
    from auditmw.integrity.excerpt import ExcerptSource, excerpt_tenant, write_excerpt
    from auditmw.integrity.seals import load_signing_key
    from auditmw.store import open_configured_store

    query = query_from_args(args)
    try:
        tenant = excerpt_tenant(query)
    except ValueError as exc:
        raise SystemExit(f"auditmw export: --verifiable: {exc}") from None
    signing = config.integrity.signing_key
    store = open_configured_store(config.store, store_url(args, config))
    target: BinaryIO = sys.stdout.buffer if to_stdout else open(args.output, "wb")  # noqa: SIM115
    outcome, counts = "failure", {"events": 0}
    try:
        record = write_excerpt(cast("ExcerptSource", store), tenant, target.write,
                               key=config.integrity.key,
                               signer=load_signing_key(signing) if signing else None)
        target.flush()
        outcome, counts = "success", record["counts"]
    finally:
        if not to_stdout:
            target.close()
        store.close()
        _record_export(config, args, query, int(counts["events"]), outcome)
    if not to_stdout and not args.quiet:
        print(f"exported {counts['events']:,} events of tenant {tenant} and "
              f"{counts.get('links', 0):,} links to {args.output}", file=sys.stderr)
    return 0


def _record_export(config: Any, args: argparse.Namespace, query: Any, count: int,
                   outcome: str) -> None:
    """The export is itself an audit event (SPEC: every read of the trail is)."""
    from dataclasses import asdict

    from auditmw.event import Actor
    from auditmw.trail import AuditTrail

    try:
        trail = AuditTrail(config)
        filters = {k: (v.isoformat() if hasattr(v, "isoformat") else list(v))
                   for k, v in asdict(query).items() if v}
        trail.record("exportAuditTrail", outcome=outcome,  # type: ignore[arg-type]
                     actor=Actor(id=getpass.getuser(), name=getpass.getuser(), type="user"),
                     channel="system", details={"via": "auditmw export", "format": args.format,
                                                "filters": filters, "events": count,
                                                "pid": os.getpid()})
        trail.close()
    except Exception as exc:  # the export itself succeeded; say why it is not on record
        print(f"auditmw export: could not record the export: {exc}", file=sys.stderr)
