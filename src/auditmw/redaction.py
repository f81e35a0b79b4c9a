"""What counts as a secret: key names, value shapes, and cutting known secrets from text.

Two rules for key names (docs/redaction.md lists both):

- *fragments* — long, unambiguous pieces (``password``, ``token``, ``apikey``...) match
  anywhere in the key once it is lower-cased with ``_``, ``-``, ``.`` and spaces removed,
  so ``userPassword``, ``X_Access_Key`` and ``client-secret`` are all caught;
- *words* — short names (``pass``, ``pin``, ``otp``, ``auth``...) match only as a whole
  word of the key (split at ``_``, ``-``, ``.``, spaces, digits and camelCase humps),
  because as fragments they hide in harmless names: ``pinned``, ``spinner``, ``author``,
  ``passenger``, ``bypass``, ``footprint``.

Value shapes (:data:`BUILTIN_VALUE_PATTERNS`, plus ``capture.redact_values``) catch
secrets wherever they are, under any key or inside any text: bearer tokens, JWTs, AWS
access key ids, PEM private keys, and the well-known token prefixes of code hosts and
chat services.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

REDACTED = "[REDACTED]"

#: Matched anywhere in the normalised key (lower case, no ``_ - .`` or spaces).
BUILTIN_SECRET_FRAGMENTS: tuple[str, ...] = (
    "password", "passwd", "passphrase", "passcode", "pwd", "secret", "token", "apikey",
    "accesskey", "authkey", "privatekey", "privkey", "signingkey", "encryptionkey",
    "masterkey", "credential", "authorization", "cookie", "session", "bearer", "jwt",
    "csrf", "xsrf",
)

#: Matched only as a whole word of the key.
BUILTIN_SECRET_WORDS: tuple[str, ...] = (
    "pass", "pw", "pin", "otp", "totp", "hotp", "mfa", "auth", "creds", "cvv", "cvc",
)

#: Secret shapes recognised in any string, whatever its key.
BUILTIN_VALUE_PATTERNS: tuple[str, ...] = (
    r"\b[Bb][Ee][Aa][Rr][Ee][Rr]\s+[A-Za-z0-9._~+/=-]{8,}",                   # Authorization values
    r"\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*",  # JWTs (JWS compact)
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",  # AWS key ids
    r"-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END[A-Z ]*PRIVATE KEY"
    r"( BLOCK)?-----|$)",                                         # PEM private keys
    r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}",    # GitHub tokens
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}",                            # Slack tokens
    r"\bsk_(?:live|test)_[A-Za-z0-9]{16,}",                       # Stripe secret keys
)

_STRIP = str.maketrans("", "", "_-. ")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

#: Secrets shorter than this are masked where they stand but not searched for in other
#: text: cutting ``"1"`` or ``"ab"`` out of every message would mangle the event and
#: such a value protects nothing anyway.
MIN_CUT_CHARS = 4


def normalise_key(key: str) -> str:
    """``api-key`` / ``API_Key`` / ``apiKey`` → ``apikey``."""
    return key.lower().translate(_STRIP)


def key_words(key: str) -> list[str]:
    """``userPIN`` → ``["user", "pin"]``; ``x-auth-2`` → ``["x", "auth", "2"]``."""
    return [w.lower() for w in _WORDS.findall(key)]


class KeyRule:
    """Decides whether a key names a secret (verdicts cached, bounded)."""

    def __init__(self, extra_fragments: Iterable[str] = ()) -> None:
        self.fragments = tuple(dict.fromkeys(
            [*BUILTIN_SECRET_FRAGMENTS, *(normalise_key(k) for k in extra_fragments if k)]))
        self.words = frozenset(BUILTIN_SECRET_WORDS)
        self._verdicts: dict[str, bool] = {}

    def __call__(self, key: str) -> bool:
        known = self._verdicts.get(key)
        if known is None:
            norm = normalise_key(key)
            known = any(f in norm for f in self.fragments) or \
                any(w in self.words for w in key_words(key))
            if len(self._verdicts) >= 4096:  # a flood of distinct keys cannot grow it
                self._verdicts.clear()
            self._verdicts[key] = known
        return known


#: Every built-in shape contains one of these (``bearer`` in any case): a string with none
#: of them cannot match :data:`BUILTIN_VALUE_PATTERNS`, so its regex scan is skipped.
#: tests/test_redaction_fast.py checks each pattern against this list.
BUILTIN_SHAPE_LITERALS: tuple[str, ...] = (
    "eyJ", "-----BEGIN", "xox", "sk_", "gh", "github_pat_",
    "AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "ANVA", "AIPA",
)

#: How far past the cut a shape scan reads in a string that truncation will cut: more
#: than the part of any built-in shape that tells it apart (a PEM header, a JWT's header
#: and payload, a token's prefix and minimum length), so a secret that starts before the
#: cut is recognised whole and masked, and what lies further is cut away unseen.
SHAPE_MARGIN = 4096


def compile_value_patterns(extra: Iterable[str] = ()) -> re.Pattern[str]:
    """One alternation of the built-in shapes and ``capture.redact_values``; raises
    :class:`re.error` for a bad extra pattern (config validation names it first)."""
    return re.compile("|".join(f"(?:{p})" for p in (*BUILTIN_VALUE_PATTERNS, *extra)))


class ShapeMasker:
    """Masks secret shapes in a string: ``patterns.sub("[REDACTED]", text)``, made cheap.

    - With only the built-in shapes, a string holding none of
      :data:`BUILTIN_SHAPE_LITERALS` is returned as is without running the regex (which
      Python scans at every position, ~100 ns a character).
    - ``keep`` (the characters truncation will keep) bounds the scan of a long string to
      ``keep + SHAPE_MARGIN`` characters; the unscanned rest is returned unchanged and
      the caller cuts it away. If masking shortened the scanned part below that, the
      scan grows, so nothing unscanned can come within the kept part.
    """

    def __init__(self, patterns: re.Pattern[str], builtin_only: bool) -> None:
        self.patterns = patterns
        self._literals = BUILTIN_SHAPE_LITERALS if builtin_only else None

    def could_match(self, text: str) -> bool:
        if self._literals is None:
            return True
        for literal in self._literals:
            if literal in text:
                return True
        return "bearer" in text.lower()

    def mask(self, text: str, keep: int | None = None) -> str:
        return bounded(self._mask_all, text, keep)

    def _mask_all(self, text: str) -> str:
        return self.patterns.sub(REDACTED, text) if self.could_match(text) else text


def bounded(rewrite: Callable[[str], str], text: str, keep: int | None) -> str:
    """``rewrite(text)`` as far as the first ``keep`` characters of the result go: only a
    prefix ``keep + SHAPE_MARGIN`` long is rewritten, the rest passes as is. If
    rewriting shortened that prefix so much that less than half a margin of rewritten
    text follows the kept part, a longer prefix is rewritten: the kept part never holds
    unscanned text, and a secret starting in it is scanned well past its start."""
    if keep is None or len(text) <= keep + SHAPE_MARGIN:
        return rewrite(text)
    limit = keep + SHAPE_MARGIN
    while True:
        done = rewrite(text[:limit])
        if len(done) >= keep + SHAPE_MARGIN // 2 or limit >= len(text):
            return done + text[limit:]
        limit += SHAPE_MARGIN


def spellings(value: str) -> set[str]:
    """The ways a string value shows up quoted in other text: as is, JSON-escaped and
    ``repr``-escaped (graphql-core quotes rejected values with ``repr``)."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        # nothing in it either form escapes (a ' alone makes repr quote with ")
        return {value} if len(value) >= MIN_CUT_CHARS else set()
    out = {value, json.dumps(value)[1:-1], repr(value)[1:-1]}
    return {s for s in out if len(s) >= MIN_CUT_CHARS}


def scalar_leaves(value: object, depth: int = 0) -> Iterable[str]:
    """Every scalar in a value, as text (what a message might quote)."""
    if depth > 32:
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from scalar_leaves(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from scalar_leaves(item, depth + 1)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, str | int | float):
        yield str(value)


class TextScrubber:
    """Cuts secrets out of free text: known values (longest first), value shapes, and
    ``key: 'value'`` / ``key=value`` pairs whose key names a secret (how Python reprs,
    JSON and graphql-core messages quote objects).

    ``keep``: the characters truncation will keep. Shapes and pairs are then looked for
    in the first ``keep + SHAPE_MARGIN`` characters only (a quoted value still open
    where that scan stops is masked to its end); known values and graphql-core's
    ``got invalid value … at 'path'`` (whose path follows the value) are looked for in
    the whole text, as plain substring searches they are cheap.
    """

    _PAIR = re.compile(
        r"""(?P<q>['"]?)(?P<key>[A-Za-z_][\w.-]{0,63})(?P=q)\s*[:=]\s*"""
        r"""(?:'(?P<v1>(?:[^'\\]|\\.)*)(?:'|\Z)|"(?P<v2>(?:[^"\\]|\\.)*)(?:"|\Z)"""
        r"""|(?P<v3>[^\s,;}\]\)'"]+))""")
    _AT_PATH = re.compile(r"""got invalid value (?P<v>.+?) at '(?P<path>[^']+)'""")

    def __init__(self, is_secret: KeyRule, shapes: ShapeMasker) -> None:
        self.is_secret = is_secret
        self.shapes = shapes

    def scrub(self, text: str, known: Iterable[str] = (), keep: int | None = None) -> str:
        if known:  # longest first: a secret holding another is cut whole
            for secret in sorted(set(known), key=len, reverse=True):
                if secret in text:
                    text = text.replace(secret, REDACTED)
        text = self.shapes.mask(text, keep)
        if ":" in text or "=" in text:
            text = bounded(self._mask_pairs, text, keep)
        if "got invalid value" in text:
            text = self._AT_PATH.sub(self._mask_at_path, text)
        return text

    def _mask_pairs(self, text: str) -> str:
        return self._PAIR.sub(self._mask_pair, text)

    def _mask_pair(self, match: re.Match[str]) -> str:
        key = match.group("key")
        if not self.is_secret(key.rsplit(".", 1)[-1]):
            return match.group(0)
        start = match.start()
        out = match.group(0)
        for name in ("v1", "v2", "v3"):
            if match.group(name) is not None:
                a, b = match.span(name)
                return out[:a - start] + REDACTED + out[b - start:]
        return out

    def _mask_at_path(self, match: re.Match[str]) -> str:
        leaf = match.group("path").rsplit(".", 1)[-1]
        if not self.is_secret(leaf):
            return match.group(0)
        return f"got invalid value {REDACTED} at '{match.group('path')}'"
