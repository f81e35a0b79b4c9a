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
from typing import Any

from auditmw import codec

EventDict = dict[str, Any]
Processor = Callable[[EventDict], EventDict]

REDACTED = "[REDACTED]"
BUILTIN_SECRET_FRAGMENTS: tuple[str, ...] = (
    "password", "passwd", "secret", "token", "apikey", "accesskey", "credential",
    "privatekey", "authorization", "cookie", "session",
)
TRUNCATED_MARK = "…[truncated {n} chars]"
MAX_DEPTH = 32


def normalise_key(key: str) -> str:
    """``api-key`` / ``API_Key`` / ``apiKey`` → ``apikey``."""
    return key.lower().replace("_", "").replace("-", "")


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
    """Masks (or keyed-hashes) values under secret-looking keys, at any depth.

    ``details``: ``none`` drops them, ``keys`` keeps keys only, ``redacted`` masks
    secrets, ``full`` records as given (still never for ``sensitive`` entries, which
    always keep keys only).
    """

    def __init__(
        self,
        details: str = "redacted",
        mode: str = "mask",
        extra_keys: Iterable[str] = (),
        hash_key: str = "",
        sensitive_events: Iterable[str] = (),
    ) -> None:
        if mode == "hash" and not hash_key:
            raise ValueError("hash redaction needs a key")
        self.details = details
        self.fragments = tuple(dict.fromkeys(
            [*BUILTIN_SECRET_FRAGMENTS, *(normalise_key(k) for k in extra_keys)]))
        self.mode = mode
        self._key = hash_key.encode()
        self.sensitive = frozenset(sensitive_events)
        self._verdicts: dict[str, bool] = {}

    def is_secret(self, key: str) -> bool:
        # Argument names repeat endlessly; remember each verdict (bounded, so a flood of
        # distinct keys cannot grow it without limit).
        known = self._verdicts.get(key)
        if known is None:
            norm = normalise_key(key)
            known = any(fragment in norm for fragment in self.fragments)
            if len(self._verdicts) >= 4096:
                self._verdicts.clear()
            self._verdicts[key] = known
        return known

    def secret_value(self, value: Any) -> str:
        if self.mode == "hash":
            digest = hmac.new(self._key, codec.dumps(value), hashlib.sha256).hexdigest()
            return f"hmac:{digest}"
        return REDACTED

    def redact(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            return "[TOO DEEP]"
        if isinstance(value, Mapping):
            return {
                str(k): (self.secret_value(v) if self.is_secret(str(k))
                         else self.redact(v, depth + 1))
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return [self.redact(v, depth + 1) for v in value]
        return value

    def __call__(self, event: EventDict) -> EventDict:
        details = event.get("details") or {}
        if self.details == "none":
            event["details"] = {}
        elif self.details == "keys" or event.get("event") in self.sensitive:
            event["details"] = keys_only(details)
        elif self.details == "redacted":
            event["details"] = self.redact(details)
        return event


# --- truncate -------------------------------------------------------------------------

class Truncator:
    """Bounds what one event can weigh: long strings, deep nesting, huge ``details``."""

    def __init__(self, max_string_chars: int = 2048, max_details_bytes: int = 65_536) -> None:
        self.max_chars = max_string_chars
        self.max_bytes = max_details_bytes

    def cut(self, value: Any, depth: int = 0) -> Any:
        return self._cut(value, depth)[0]

    def _cut(self, value: Any, depth: int) -> tuple[Any, int]:
        """The cut value and an upper bound of its JSON size (6 bytes a character covers
        the worst escape), so small details need no trial serialisation."""
        if isinstance(value, str):
            if len(value) > self.max_chars:
                value = value[: self.max_chars] + TRUNCATED_MARK.format(
                    n=len(value) - self.max_chars)
            return value, 6 * len(value) + 2
        if isinstance(value, bool) or value is None:
            return value, 5
        if isinstance(value, int | float):
            return value, 32
        if depth > MAX_DEPTH:
            return "[TOO DEEP]", 12
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
        details, bound = self._cut(event.get("details") or {}, 0)
        if bound > self.max_bytes:
            size = len(codec.dumps(details))
            if size > self.max_bytes:
                # Keep what says what was there, not the bulk.
                details = {"_truncated": True, "_bytes": size,
                           "_keys": sorted(details)[:100] if isinstance(details, dict) else []}
        event["details"] = details
        for section in ("error", "target", "client"):
            part = event.get(section)
            if part:
                event[section] = {k: self.cut(v) if isinstance(v, str) else v
                                  for k, v in part.items()}
        return event
