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
from collections.abc import Iterable

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


def compile_value_patterns(extra: Iterable[str] = ()) -> re.Pattern[str]:
    """One alternation of the built-in shapes and ``capture.redact_values``; raises
    :class:`re.error` for a bad extra pattern (config validation names it first)."""
    return re.compile("|".join(f"(?:{p})" for p in (*BUILTIN_VALUE_PATTERNS, *extra)))


def spellings(value: str) -> set[str]:
    """The ways a string value shows up quoted in other text: as is, JSON-escaped and
    ``repr``-escaped (graphql-core quotes rejected values with ``repr``)."""
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
    JSON and graphql-core messages quote objects)."""

    _PAIR = re.compile(
        r"""(?P<q>['"]?)(?P<key>[A-Za-z_][\w.-]{0,63})(?P=q)\s*[:=]\s*"""
        r"""(?:'(?P<v1>(?:[^'\\]|\\.)*)'|"(?P<v2>(?:[^"\\]|\\.)*)"|(?P<v3>[^\s,;}\]\)'"]+))""")
    _AT_PATH = re.compile(r"""got invalid value (?P<v>.+?) at '(?P<path>[^']+)'""")

    def __init__(self, is_secret: KeyRule, patterns: re.Pattern[str]) -> None:
        self.is_secret = is_secret
        self.patterns = patterns

    def scrub(self, text: str, known: Iterable[str] = ()) -> str:
        for secret in sorted(set(known), key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = self.patterns.sub(REDACTED, text)
        if ":" in text or "=" in text:
            text = self._PAIR.sub(self._mask_pair, text)
        if "got invalid value" in text:
            text = self._AT_PATH.sub(self._mask_at_path, text)
        return text

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
