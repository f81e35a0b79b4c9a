"""Redaction and truncation in one walk: the pipeline's hot path.

:class:`~auditmw.processors.Redactor` then :class:`~auditmw.processors.Truncator` is
the readable statement of what happens to an event; :class:`RedactAndCut` gives the
same event (tests/test_redaction_fast.py checks it byte for byte on random events) for
less work:

- ``details`` are walked once, not three times (redact, cut, size bound), with exact
  type checks for the JSON types; any other type takes the two processors' own path;
- a string's shape scan is remembered (bounded cache: strings repeat — names, tags,
  enum-like values), and skipped when no built-in shape's literal is in it;
- a free-text part of the event (path, operation, user agent, target) that holds no
  value redaction took out is scrubbed once per distinct text, then remembered.

Levels other than ``details = "redacted"`` and ``sensitive`` entries go through the two
processors unchanged: they are rarer and walk differently.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from typing import Any, TypeVar

from auditmw.processors import (
    CUT_SECTIONS,
    MAX_DEPTH,
    SCRUBBED_SECTIONS,
    TOO_DEEP,
    Redactor,
    Truncator,
    int_bound,
    known_spellings,
)
from auditmw.redaction import MIN_CUT_CHARS
from auditmw.types import EventDict

K = TypeVar("K")
V = TypeVar("V")
#: The sections the redactor scrubs or truncation cuts, each handled once.
SECTIONS = tuple(dict.fromkeys((*SCRUBBED_SECTIONS, *CUT_SECTIONS)))
SCRUBBED = tuple((section, section in SCRUBBED_SECTIONS) for section in SECTIONS)
#: Strings up to this long are remembered; the caches hold at most CACHE_ENTRIES each.
CACHED_CHARS = 256
#: Integers orjson writes as at most 20 digits (``int_bound`` 32).
SMALL_INT = (-(2**63) + 1, 2**63 - 1)
CACHE_ENTRIES = 4096
NOTHING_KNOWN: frozenset[str] = frozenset()


class RedactAndCut:
    """``truncator(redactor(event))``, faster."""

    def __init__(self, redactor: Redactor, truncator: Truncator) -> None:
        self.redactor = redactor
        self.truncator = truncator
        self._masked: dict[str, str] = {}
        self._keys: dict[str, tuple[str, int, bool]] = {}
        self._spellings: dict[str, frozenset[str]] = {}
        # strings shorter than this are neither scanned for shapes nor cut
        self._short = min(8, truncator.max_chars + 1)
        self._scrubbed: dict[str, str] = {}
        # a masked secret is always the same text (a keyed hash is not)
        self._hidden = None if redactor.mode == "hash" else self._secret(None)

    def __call__(self, event: EventDict) -> EventDict:
        redactor = self.redactor
        if redactor.details != "redacted" or event.get("event") in redactor.sensitive:
            return self.truncator(redactor(event))
        removed: list[Any] = []
        details = event.get("details") or {}
        # a dict (what to_dict gives): straight to its walk
        details, bound = self._walk_dict(details, 0, removed) if type(details) is dict \
            else self._walk(details, 0, removed)
        known = self._known(removed) if removed else NOTHING_KNOWN
        event["details"] = self.truncator.within_size(details, bound)
        self._sections(event, known)
        return event

    def _known(self, removed: list[Any]) -> AbstractSet[str]:
        if len(removed) == 1:  # the common case: one secret, a short string seen before
            found = self._spellings.get(removed[0]) if type(removed[0]) is str else None
            if found is not None:
                return found
        known: set[str] = set()
        for value in removed:
            if type(value) is str and len(value) <= CACHED_CHARS:
                found = self._spellings.get(value)
                if found is None:
                    found = frozenset(known_spellings([value]))
                    _remember(self._spellings, value, found)
                known |= found
            else:
                known |= known_spellings([value])
        return known

    def _sections(self, event: EventDict, known: AbstractSet[str]) -> None:
        """``Redactor.scrub_strings`` then ``Truncator.cut_sections``, in one loop over
        each section; a part is copied only when something in it is cut."""
        for section in SECTIONS:
            part = event.get(section)
            if part and type(part) is not dict:
                # not what to_dict makes: the two processors' own way
                self.redactor.scrub_strings(event, known, self._scrub)
                self.truncator.cut_sections(event)
                return
        limit = self.truncator.max_chars
        done_before = self._scrubbed
        for section, scrubbed in SCRUBBED:
            part = event.get(section)
            if not part:
                continue
            cut = False
            for key, value in part.items():
                if type(value) is str:
                    text = value
                    if scrubbed and len(value) >= MIN_CUT_CHARS and key != "ip":
                        # self._scrub, its common case written out
                        found = done_before.get(value)
                        if found is not None and known:
                            for secret in known:
                                if secret in value:
                                    found = None
                                    break
                        text = self._scrub(value, known) if found is None else found
                        if text is not value:
                            part[key] = text
                    if len(text) > limit:
                        cut = True
                elif isinstance(value, str):
                    if scrubbed and len(value) >= MIN_CUT_CHARS and key != "ip":
                        part[key] = self.redactor.scrub(value, known)
                    cut = True
                elif isinstance(value, dict):
                    cut = True
            if cut:  # Truncator's own way (scrubbing is done)
                one = {section: part}
                self.truncator.cut_sections(one)
                event[section] = one[section]

    def _walk(self, value: Any, depth: int, removed: list[Any]) -> tuple[Any, int]:
        """``truncator._cut(redactor.redact(value, depth, removed), depth)``."""
        if depth > MAX_DEPTH:
            return self.truncator.cut_text(TOO_DEEP)
        kind = type(value)
        if kind is dict:
            return self._walk_dict(value, depth, removed)
        if kind is list or kind is tuple:
            return self._walk_list(value, depth, removed)
        return self._walk_leaf(value, depth, removed)

    def _walk_leaf(self, value: Any, depth: int, removed: list[Any]) -> tuple[Any, int]:
        kind = type(value)
        if kind is str:
            if len(value) >= 8:
                value = self._mask(value)
            if len(value) > self.truncator.max_chars:
                return self.truncator.cut_text(value)
            return value, 6 * len(value) + 2
        if kind is bool or value is None:
            return value, 5
        if kind is int:
            return value, int_bound(value)
        if kind is float:
            return value, 32
        if depth > MAX_DEPTH:
            return self.truncator.cut_text(TOO_DEEP)
        return self.truncator._cut(self.redactor.redact(value, depth, removed), depth)

    def _walk_dict(self, value: dict[Any, Any], depth: int,
                   removed: list[Any]) -> tuple[Any, int]:
        out: dict[str, Any] = {}
        size = 2
        keys = self._keys
        depth += 1
        if depth > MAX_DEPTH:  # every value is too deep
            for k, v in value.items():
                known = keys.get(k) if type(k) is str else None
                if known is None:
                    known = self._key(k if type(k) is str else str(k))
                key, key_size, secret = known
                if secret:
                    removed.append(v)
                    item, item_size = self._secret(v)
                else:
                    item, item_size = self.truncator.cut_text(TOO_DEEP)
                out[key] = item
                size += key_size + item_size + 2
            return out, size
        short = self._short
        masked = self._masked
        limit = self.truncator.max_chars
        hidden = self._hidden
        for k, v in value.items():
            known = keys.get(k) if type(k) is str else None
            if known is None:
                known = self._key(k if type(k) is str else str(k))
            key, key_size, secret = known
            # the dispatch of _walk and _walk_leaf, written out for the common types:
            # a call per item would cost a third of the walk
            kind = type(v)
            if secret:
                removed.append(v)
                item, item_size = hidden or self._secret(v)
            elif kind is str:
                n = len(v)
                if n < short:
                    item, item_size = v, 6 * n + 2
                else:
                    seen = masked.get(v) if n <= CACHED_CHARS else None
                    if seen is not None and len(seen) <= limit:
                        item, item_size = seen, 6 * len(seen) + 2
                    else:
                        item, item_size = self._walk_leaf(v, depth, removed)
            elif kind is dict:
                item, item_size = self._walk_dict(v, depth, removed)
            elif kind is list or kind is tuple:
                item, item_size = self._walk_list(v, depth, removed)
            elif kind is int and SMALL_INT[0] <= v <= SMALL_INT[1]:
                item, item_size = v, 32
            else:
                item, item_size = self._walk_leaf(v, depth, removed)
            out[key] = item
            size += key_size + item_size + 2
        return out, size

    def _walk_list(self, value: list[Any] | tuple[Any, ...], depth: int,
                   removed: list[Any]) -> tuple[Any, int]:
        items = []
        size = 2
        short = self._short
        masked = self._masked
        limit = self.truncator.max_chars
        depth += 1
        for v in value:
            # the same dispatch as in _walk_dict, written out
            kind = type(v)
            if depth > MAX_DEPTH:
                item, item_size = self.truncator.cut_text(TOO_DEEP)
            elif kind is str:
                n = len(v)
                if n < short:
                    item, item_size = v, 6 * n + 2
                else:
                    seen = masked.get(v) if n <= CACHED_CHARS else None
                    if seen is not None and len(seen) <= limit:
                        item, item_size = seen, 6 * len(seen) + 2
                    else:
                        item, item_size = self._walk_leaf(v, depth, removed)
            elif kind is dict:
                item, item_size = self._walk_dict(v, depth, removed)
            elif kind is list or kind is tuple:
                item, item_size = self._walk_list(v, depth, removed)
            else:
                item, item_size = self._walk_leaf(v, depth, removed)
            items.append(item)
            size += item_size + 1
        return items, size

    def _secret(self, value: Any) -> tuple[str, int]:
        """What a value under a secret key becomes, and its size bound."""
        return self.truncator.cut_text(self.redactor.secret_value(value))

    def _key(self, key: str) -> tuple[str, int, bool]:
        """A key's cut form, its size bound and whether it names a secret."""
        cut, size = self.truncator.cut_text(key)
        known = (cut, size, self.redactor.is_secret(key))
        if type(key) is str:
            _remember(self._keys, key, known)
        return known

    def _mask(self, text: str) -> str:
        if len(text) > CACHED_CHARS:
            return self.redactor.shapes.mask(text, self.redactor.keep)
        masked = self._masked.get(text)
        if masked is None:
            masked = self.redactor.shapes.mask(text)
            _remember(self._masked, text, masked)
        return masked

    def _scrub(self, text: str, known: AbstractSet[str]) -> str:
        if len(text) > CACHED_CHARS:
            return self.redactor.scrub(text, known)
        for secret in known:
            if secret in text:
                return self.redactor.scrub(text, known)
        # No removed value is in it: the result depends on the text alone.
        scrubbed = self._scrubbed.get(text)
        if scrubbed is None:
            scrubbed = self.redactor.scrub(text, set())
            _remember(self._scrubbed, text, scrubbed)
        return scrubbed


def _remember(cache: dict[K, V], key: K, result: V) -> None:
    if len(cache) >= CACHE_ENTRIES:  # a flood of distinct values cannot grow it
        cache.clear()
    cache[key] = result
