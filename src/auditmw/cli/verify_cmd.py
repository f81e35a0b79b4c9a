"""``auditmw verify``: check a trail's hash chains and name every problem; exit 0 or 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw.cli import add_config_option
from auditmw.config import FileSinkConfig, load_config

if TYPE_CHECKING:
    from auditmw.integrity.report import Report

DEFAULT_KEY_ENV = "AUDITMW_HMAC_KEY"
_STORE_SCHEMES = ("sqlite:///", "postgresql://", "postgres://")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify", help="verify the trail's hash chains and checkpoints",
        description="Check every chain of a JSON-lines trail (with its rotated files) or a "
                    "store: each problem is named (modified, missing, inserted, reordered, "
                    "truncated tail, bad signature) with the events involved. Exit 0 when "
                    "every chain is valid, 1 otherwise, 2 on bad usage. Without a target: "
                    "the file sinks and the store of the config.")
    add_config_option(parser)
    parser.add_argument("target", nargs="?", metavar="TARGET",
                        help="a JSON-lines file path or a store URL (sqlite:///..., "
                             "postgresql://...)")
    parser.add_argument("--file", metavar="PATH", help="verify this JSON-lines trail")
    parser.add_argument("--store", metavar="URL", help="verify this store")
    parser.add_argument("--key-env", metavar="NAME",
                        help=f"environment variable holding the integrity key (default "
                             f"{DEFAULT_KEY_ENV}, then [integrity] key of the config)")
    parser.add_argument("--checkpoint", action="store_true",
                        help="when the trail verifies, write a signed checkpoint (a seal) of "
                             "each chain's end (beside the file, or in the store)")
    parser.add_argument("--seal-out", metavar="PATH",
                        help="with --checkpoint: also append the seal as one JSON line to "
                             "PATH, to ship off the host")
    parser.add_argument("--signing-key", metavar="PEM",
                        help="with --checkpoint: also sign the seal with this Ed25519 private "
                             "key (default: [integrity] signing_key of the config)")
    parser.add_argument("--seals", metavar="PATH", action="append", default=[],
                        help="also check the trail against the checkpoints in this JSON-lines "
                             "file (seals shipped off the host earlier); repeatable")
    parser.add_argument("--public-key", metavar="PEM",
                        help="trust only checkpoints signed by this Ed25519 public key (no "
                             "secret needed; the events' own hashes need --key-env unless "
                             "the chain is plain SHA-256)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # "file" | "store"
    location: str
    from_config: bool = False  # found in the config, not named: skipped if absent


class UsageError(Exception):
    pass


def _targets(args: argparse.Namespace) -> list[Target]:
    given = [t for t in (args.target, args.file, args.store) if t]
    if len(given) > 1:
        raise UsageError("give one of TARGET, --file or --store")
    if args.file:
        return [Target("file", args.file)]
    if args.store:
        return [Target("store", args.store)]
    if args.target:
        kind = "store" if args.target.startswith(_STORE_SCHEMES) else "file"
        return [Target(kind, args.target)]
    config = load_config(args.config)
    found = [Target("file", s.path, from_config=True) for s in config.sinks
             if isinstance(s, FileSinkConfig)]
    if config.store.enabled:
        found.append(Target("store", config.store.url, from_config=True))
    if not found:
        raise UsageError("the config has no file sink and no store: give a TARGET")
    return found


def _key(args: argparse.Namespace) -> str:
    if args.key_env:
        value = os.environ.get(args.key_env, "")
        if not value:
            raise UsageError(f"--key-env {args.key_env}: that environment variable is not set")
        return value
    return os.environ.get(DEFAULT_KEY_ENV) or load_config(args.config).integrity.key


@dataclass(frozen=True, slots=True)
class Options:
    """What every target is checked and sealed with."""

    key: str
    checkpoint: bool
    signer: Any = None  # Ed25519PrivateKey
    public_key: Any = None  # Ed25519PublicKey
    extra: tuple[tuple[str, Any], ...] = ()


def _options(args: argparse.Namespace, key: str) -> Options:
    from auditmw.integrity.files import read_records
    from auditmw.integrity.seals import SealKeyError, load_public_key, load_signing_key

    if args.seal_out and not args.checkpoint:
        raise UsageError("--seal-out needs --checkpoint")
    try:
        signing = args.signing_key
        if signing is None and args.checkpoint:
            signing = load_config(args.config).integrity.signing_key
        signer = load_signing_key(signing) if signing and args.checkpoint else None
        public = load_public_key(args.public_key) if args.public_key else None
    except SealKeyError as exc:
        raise UsageError(str(exc)) from None
    extra: list[tuple[str, Any]] = []
    for path in args.seals:
        if not os.path.isfile(path):
            raise UsageError(f"--seals {path}: no such file")
        extra.extend(read_records(Path(path)))
    return Options(key, args.checkpoint, signer, public, tuple(extra))


def _check(target: Target, options: Options) -> tuple[Report, dict[str, Any] | None]:
    from auditmw.integrity import seal_files, seal_store, verify_files, verify_store

    key, checkpoint = options.key, options.checkpoint
    if target.kind == "file":
        report = verify_files(target.location, key, public_key=options.public_key,
                              extra=options.extra)
        record = seal_files(target.location, report, key, options.signer) \
            if checkpoint and report.valid else None
        return report, record
    from auditmw.store import open_store
    from auditmw.store.base import safe_url

    if target.location.startswith("sqlite:///") and not os.path.exists(
            target.location.removeprefix("sqlite:///")):
        raise FileNotFoundError(f"no SQLite store at {target.location}")
    store = open_store(target.location)
    try:
        report = verify_store(store, key, safe_url(target.location),
                              public_key=options.public_key, extra=options.extra)
        record = seal_store(store, report, key, options.signer) \
            if checkpoint and report.valid else None
    finally:
        store.close()
    return report, record


def run(args: argparse.Namespace) -> int:
    results: list[tuple[Report, dict[str, Any] | None]] = []
    try:
        targets = _targets(args)
        options = _options(args, _key(args))
        for target in targets:
            try:
                results.append(_check(target, options))
            except FileNotFoundError as exc:
                if not target.from_config:
                    raise
                print(f"auditmw verify: skipped: {exc}", file=sys.stderr)
        if not results:
            raise UsageError("nothing to verify: none of the configured trails exists")
    except (UsageError, FileNotFoundError) as exc:
        print(f"auditmw verify: {exc}", file=sys.stderr)
        return 2
    valid = all(report.valid for report, _ in results)
    if args.seal_out:
        from auditmw.integrity.files import append_record

        for _, record in results:
            if record is not None:
                append_record(Path(args.seal_out), record)
    if args.json:
        json.dump({"valid": valid,
                   "reports": [r.to_dict() for r, _ in results],
                   "checkpoints_written": [c for _, c in results if c is not None]},
                  sys.stdout, indent=2)
        print()
    else:
        for report, record in results:
            print_report(report)
            if record is not None:
                print(f"checkpoint {record['id']} written: {len(record['chains'])} "
                      "chain end(s) sealed")
            elif args.checkpoint:
                print("no checkpoint written: the trail does not verify")
    return 0 if valid else 1


def _problem_line(problem: Any) -> str:
    parts = [f"    {problem.kind:<14}", problem.seqs_text()]
    if problem.ids:
        parts.append("id " + ",".join(problem.ids))
    if problem.where:
        parts.append(",".join(problem.where))
    parts.append(problem.detail)
    return "  ".join(p for p in parts if p)


def print_report(report: Report) -> None:
    sources = ", ".join(report.sources)
    print(f"{report.target}" + (f"  ({sources})" if sources != report.target else ""))
    for chain in report.chains:
        span = (f"seq {chain.first_seq}-{chain.last_seq}" if chain.first_seq is not None
                else "no events")
        extra = f", purged through {chain.purged_through}" if chain.purged_through else ""
        dup = f", {chain.duplicates} duplicate(s)" if chain.duplicates else ""
        print(f"  chain {chain.chain}  {span}  {chain.events} event(s){extra}{dup}  "
              f"{chain.status}")
        for problem in chain.problems:
            print(_problem_line(problem))
    if report.problems:
        print("  outside any chain")
        for problem in report.problems:
            print(_problem_line(problem))
    print(f"summary: {report.summary()}")
