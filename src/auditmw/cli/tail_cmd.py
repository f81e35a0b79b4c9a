"""``auditmw tail``: show the newest events and follow new ones as they arrive."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from auditmw.cli import add_config_option
from auditmw.cli.options import add_filter_options, add_store_option, query_from_args
from auditmw.config import FileSinkConfig, load_config
from auditmw.ids import parse_time

# Writers deliver in batches, so an event can reach the store a little after a newer
# one: each poll looks this far back and skips ids it has shown.
LOOKBACK = timedelta(seconds=30)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tail", help="show the newest events and follow new ones",
        description="Print the last N events of the store (or of a JSON-lines file with "
                    "--file), then keep printing new ones until interrupted.")
    add_config_option(parser)
    add_store_option(parser)
    parser.add_argument("--file", metavar="PATH", help="follow a JSON-lines file instead")
    parser.add_argument("-n", "--lines", type=int, default=10, metavar="N",
                        help="how many existing events to show first (default 10)")
    parser.add_argument("--no-follow", action="store_true", help="print and exit")
    parser.add_argument("--json", action="store_true", help="print each event as JSON")
    parser.add_argument("--interval", type=float, default=0.5, metavar="S",
                        help="poll interval in seconds (default 0.5)")
    parser.add_argument("--max-events", type=int, metavar="N",
                        help="stop after printing N events (for scripts)")
    add_filter_options(parser)
    parser.set_defaults(handler=run)


def line_for(event: dict[str, Any]) -> str:
    actor = event.get("actor") or {}
    target = event.get("target") or {}
    who = actor.get("name") or actor.get("id") or actor.get("type", "?")
    what = target.get("name") or target.get("id") or ""
    ip = (event.get("client") or {}).get("ip", "")
    return (f"{event.get('time', '')}  {event.get('event', ''):<28} "
            f"{event.get('outcome', ''):<8} {who:<20} {ip:<15} {what}")


def _store_events(args: argparse.Namespace, url: str) -> Iterator[dict[str, Any]]:
    from dataclasses import replace

    from auditmw.store import open_store

    store = open_store(url)
    query = query_from_args(args)
    first = store.query(query, order="desc", limit=max(args.lines, 0) or 1, with_total=False)
    backlog = list(reversed(first.items))[-args.lines:] if args.lines else []
    seen: deque[str] = deque(maxlen=100_000)
    seen_set: set[str] = set()

    def remember(event_id: str) -> None:
        if len(seen) == seen.maxlen:
            seen_set.discard(seen[0])
        seen.append(event_id)
        seen_set.add(event_id)

    last = parse_time(first.items[0]["time"]) if first.items else None
    if last is not None:  # everything already in the look-back window counts as shown
        for item in store.iter_events(replace(query, start=last - LOOKBACK), order="asc"):
            remember(item["id"])
    yield from backlog
    _following(args, url)
    while not args.no_follow:
        time.sleep(args.interval)
        start = last - LOOKBACK if last else query.start
        for item in store.iter_events(replace(query, start=start), order="asc"):
            if item["id"] in seen_set:
                continue
            remember(item["id"])
            last = max(last, parse_time(item["time"])) if last else parse_time(item["time"])
            yield item
    store.close()


def _following(args: argparse.Namespace, where: str) -> None:
    if not args.no_follow:
        print(f"-- following {where} (Ctrl-C to stop) --", file=sys.stderr, flush=True)


def _file_events(args: argparse.Namespace, path: Path) -> Iterator[dict[str, Any]]:
    """Like ``tail -F``: follows the path across rotation."""
    existing = path.read_bytes().splitlines() if path.exists() else []
    for raw in existing[-args.lines:] if args.lines else []:
        yield json.loads(raw)
    handle = path.open("rb") if path.exists() else None
    if handle:
        handle.seek(0, os.SEEK_END)
    pending = b""
    _following(args, str(path))
    while not args.no_follow:
        time.sleep(args.interval)
        if handle is None or (path.exists() and
                              os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino):
            rest = handle.read() if handle else b""
            pending += rest
            if handle:
                handle.close()
            handle = path.open("rb") if path.exists() else None
        if handle:
            pending += handle.read()
        *complete, pending = pending.split(b"\n")
        for raw in complete:
            if raw.strip():
                yield json.loads(raw)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.file:
        events = _file_events(args, Path(args.file))
    elif args.store or config.store.enabled:
        events = _store_events(args, args.store or config.store.url)
    else:
        files = [s for s in config.sinks if isinstance(s, FileSinkConfig)]
        if not files:
            raise SystemExit("auditmw tail: no store and no file sink configured; "
                             "pass --store URL or --file PATH")
        events = _file_events(args, Path(files[0].path))
    shown = 0
    try:
        for event in events:
            print(json.dumps(event, separators=(",", ":")) if args.json else line_for(event),
                  flush=True)
            shown += 1
            if args.max_events is not None and shown >= args.max_events:
                break
    except KeyboardInterrupt:
        pass
    sys.stdout.flush()
    return 0
