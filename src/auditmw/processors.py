"""The pipeline's processors: small callables ``event_dict -> event_dict`` (structlog style).

Each is built once from the config at start-up; on the hot path they only walk the event.
Order matters and is fixed by :func:`default_processors`: enrich, redact, truncate (a
secret is masked before anything could cut it to a leaky prefix), then the integrity
chain when that is installed.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

from auditmw import codec
from auditmw.redaction import (
    MIN_CUT_CHARS,
    REDACTED,
    KeyRule,
    ShapeMasker,
    TextScrubber,
    compile_value_patterns,
    scalar_leaves,
    spellings,
)
from auditmw.types import EventDict, Processor

TRUNCATED_MARK = "…[truncated {n} chars]"
MAX_DEPTH = 32
TOO_DEEP = "[TOO DEEP]"
#: The free-text parts of an event the redactor scrubs, and the parts truncation cuts.
SCRUBBED_SECTIONS = ("error", "target", "request", "client")
CUT_SECTIONS = ("error", "target", "client", "request", "actor")


# --- enrich ---------------------------------------------------------------------------

def make_enricher(service: str, host: str | None = None) -> Processor:
    """Stamp ``service`` (name and host). The trace ids are read when the event is
    emitted, in the caller's thread (:func:`auditmw.tracing.current_trace`)."""
    stamp = {"name": service, "host": host or socket.gethostname()}

    def enrich(event: EventDict) -> EventDict:
        if not event.get("service"):
            event["service"] = dict(stamp)
        return event

    return enrich


# --- redact ---------------------------------------------------------------------------

def keys_only(value: Any, depth: int = 0) -> Any:
    """Keep an object's keys, drop every value: ``{"a": {"b": 1}}`` → ``{"a": {"b": None}}``."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        return {str(k): keys_only(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [keys_only(v, depth + 1) for v in value if isinstance(v, Mapping | list | tuple)]
    return None


class Redactor:
    """Masks (or keyed-hashes) values under secret-looking keys, at any depth, and cuts
    every value it removed out of the event's other strings.

    ``details``: ``none`` drops them, ``keys`` keeps keys only, ``redacted`` masks
    secrets, ``full`` records as given (still never for ``sensitive`` entries, which
    always keep keys only). Whatever the level, a value under a secret key (for a
    sensitive entry: every argument value) is cut from ``error``, ``target``,
    ``request`` and ``client`` text, and strings of a known secret shape
    (:data:`~auditmw.redaction.BUILTIN_VALUE_PATTERNS` and ``extra_values``) are
    masked everywhere. A sensitive entry's target never repeats an argument value.

    ``keep``: the characters truncation keeps of a string (``capture.max_string_chars``);
    the shape and ``key=value`` scans of a longer string stop a margin past it
    (:class:`~auditmw.redaction.ShapeMasker`), so a 200 KB argument costs what the
    part that is kept costs. ``None``: scan everything.
    """

    def __init__(
        self,
        *,
        details: str = "redacted",
        mode: str = "mask",
        extra_keys: Iterable[str] = (),
        hash_key: str = "",
        sensitive_events: Iterable[str] = (),
        extra_values: Iterable[str] = (),
        keep: int | None = None,
    ) -> None:
        if mode == "hash" and not hash_key:
            raise ValueError("hash redaction needs a key")
        self.details = details
        self.is_secret = KeyRule(extra_keys)
        self.fragments = self.is_secret.fragments
        self.mode = mode
        self._key = hash_key.encode()
        self.sensitive = frozenset(sensitive_events)
        extra = tuple(extra_values)
        self.keep = keep
        self.patterns = compile_value_patterns(extra)
        self.shapes = ShapeMasker(self.patterns, builtin_only=not extra)
        self.scrubber = TextScrubber(self.is_secret, self.shapes)

    def secret_value(self, value: Any) -> str:
        if self.mode == "hash":
            digest = hmac.new(self._key, codec.dumps(value), hashlib.sha256).hexdigest()
            return f"hmac:{digest}"
        return REDACTED

    def redact(self, value: Any, depth: int = 0, removed: list[Any] | None = None) -> Any:
        """``value`` with secrets masked; what was masked is appended to ``removed``."""
        if depth > MAX_DEPTH:
            return TOO_DEEP
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for k, v in value.items():
                key = str(k)
                if self.is_secret(key):
                    out[key] = self.secret_value(v)
                    if removed is not None:
                        removed.append(v)
                else:
                    out[key] = self.redact(v, depth + 1, removed)
            return out
        if isinstance(value, list | tuple):
            return [self.redact(v, depth + 1, removed) for v in value]
        if isinstance(value, str):
            return self._shapes(value)
        return value

    def _shapes(self, text: str) -> str:
        return self.shapes.mask(text, self.keep) if len(text) >= 8 else text

    def __call__(self, event: EventDict) -> EventDict:
        details = event.get("details") or {}
        removed: list[Any] = []
        sensitive = event.get("event") in self.sensitive
        if sensitive:
            removed.append(details)  # every argument value of a sensitive call
            event["details"] = keys_only(details)
        elif self.details == "full":
            event["details"] = details
        else:
            redacted = self.redact(details, removed=removed)
            if self.details == "none":
                event["details"] = {}
            elif self.details == "keys":
                event["details"] = keys_only(details)
            else:
                event["details"] = redacted
        if sensitive:
            self._target_not_from_arguments(event, details)
        self.scrub_strings(event, known_spellings(removed), self.scrub)
        return event

    def scrub(self, text: str, known: AbstractSet[str]) -> str:
        return self.scrubber.scrub(text, known, self.keep)

    def _target_not_from_arguments(self, event: EventDict, details: Any) -> None:
        target = event.get("target")
        if not target:
            return
        values = set(scalar_leaves(details))
        for part in ("id", "name"):
            if target.get(part) is not None and str(target[part]) in values:
                target.pop(part)

    @staticmethod
    def scrub_strings(event: EventDict, known: AbstractSet[str],
                      scrub: Callable[[str, AbstractSet[str]], str]) -> None:
        """``scrub`` every free-text string of the event (not ``client.ip``)."""
        for section in SCRUBBED_SECTIONS:
            part = event.get(section)
            if not isinstance(part, dict):
                continue
            for key, value in part.items():
                if isinstance(value, str) and len(value) >= MIN_CUT_CHARS and key != "ip":
                    part[key] = scrub(value, known)


def known_spellings(removed: Iterable[Any]) -> set[str]:
    """Every spelling of every scalar redaction took out: what to cut from free text."""
    known: set[str] = set()
    for value in removed:
        for leaf in scalar_leaves(value):
            known |= spellings(leaf)
    return known


# --- truncate -------------------------------------------------------------------------

class Truncator:
    """Bounds what one event can weigh: long strings, deep nesting, huge ``details``."""

    def __init__(self, max_string_chars: int = 2048, max_details_bytes: int = 65_536) -> None:
        self.max_chars = max_string_chars
        self.max_bytes = max_details_bytes

    def cut(self, value: Any, depth: int = 0) -> Any:
        return self._cut(value, depth)[0]

    def cut_text(self, value: str) -> tuple[str, int]:
        """A string cut to ``max_string_chars``, and the bound of its JSON size."""
        if len(value) > self.max_chars:
            value = value[: self.max_chars] + TRUNCATED_MARK.format(
                n=len(value) - self.max_chars)
        return value, 6 * len(value) + 2

    def _cut(self, value: Any, depth: int) -> tuple[Any, int]:
        """The cut value and an upper bound of its JSON size (6 bytes a character covers
        the worst escape), so small details need no trial serialisation."""
        if isinstance(value, str):
            return self.cut_text(value)
        if isinstance(value, bool) or value is None:
            return value, 5
        if isinstance(value, int):
            return value, int_bound(value)
        if isinstance(value, float):
            return value, 32
        if depth > MAX_DEPTH:
            return TOO_DEEP, 12
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            size = 2
            for k, v in value.items():
                key, key_size = self._cut(str(k), depth + 1)
                out[key], item_size = self._cut(v, depth + 1)
                size += key_size + item_size + 2
            return out, size
        if isinstance(value, list | tuple):
            items = []
            size = 2
            for v in value:
                item, item_size = self._cut(v, depth + 1)
                items.append(item)
                size += item_size + 1
            return items, size
        return self._cut(str(value), depth)

    def __call__(self, event: EventDict) -> EventDict:
        event["details"] = self.within_size(*self._cut(event.get("details") or {}, 0))
        self.cut_sections(event)
        return event

    def within_size(self, details: Any, bound: int) -> Any:
        """Cut ``details`` whose JSON size is at most ``bound``: itself when that fits
        ``max_details_bytes`` (or its exact size does), else a summary of it."""
        if bound > self.max_bytes:
            size = len(codec.dumps(details))
            if size > self.max_bytes:
                # Keep what says what was there, not the bulk.
                details = {"_truncated": True, "_bytes": size,
                           "_keys": sorted(details)[:100] if isinstance(details, dict) else []}
        return details

    def cut_sections(self, event: EventDict) -> None:
        limit = self.max_chars
        for section in CUT_SECTIONS:
            part = event.get(section)
            if not part:
                continue
            for value in part.values():
                # copy only a part that has something to cut (nearly none has)
                kind = type(value)
                if (len(value) > limit if kind is str
                        else kind is dict or (isinstance(value, str | dict)
                        and (isinstance(value, dict) or len(value) > limit))):
                    event[section] = {k: self.cut(v) if isinstance(v, str | dict) else v
                                      for k, v in part.items()}
                    break


def int_bound(value: int) -> int:
    """An upper bound of an integer's JSON size: orjson writes 64-bit ones (≤ 20 digits),
    and the codec writes bigger ones as strings of their digits."""
    bits = value.bit_length()
    return 32 if bits <= 63 else bits * 10 // 33 + 5
