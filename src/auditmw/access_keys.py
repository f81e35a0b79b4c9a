"""Access keys: what a key is, how it is made, hashed and checked.

A key reads ``amk_<id>_<secret>``: ``id`` (12 hex digits) finds the row, ``secret`` is
32 random bytes (URL-safe base64) that exist only in the creator's hands. The database
keeps ``v2:HMAC-SHA256(pepper, secret || id, name, scopes, created, expires)``: the hash
vouches for the row too, so scopes, expiry or name edited in the database make the key
stop working, and a revoked key's hash is destroyed (clearing ``revoked`` cannot revive
it). Rows from before (``HMAC-SHA256(pepper, secret)``) are upgraded on their next use.

Why a keyed fast hash and not scrypt: scrypt and friends exist to slow down guessing of
*low-entropy* secrets (passwords). A 256-bit random secret cannot be guessed at any speed,
so a slow hash would only add tens of milliseconds to every API call and hand attackers a
cheap way to load the server. The optional pepper (``server.keys_pepper``, e.g.
``${AUDITMW_KEYS_PEPPER}``) lives outside the database, so a stolen copy of the table does
not even let its holder check a candidate key offline. Hashes are compared with
:func:`hmac.compare_digest`, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

PREFIX = "amk_"
AUDIT_SCOPE = "audit_logs"
_ID_HEX = 12
_DOMAIN = b"auditmw/access-key/v1\x00"
_DOMAIN_V2 = b"auditmw/access-key/v2\x00"
BOUND_PREFIX = "v2:"
#: ``secret_hash`` of a revoked key: the hash is destroyed, so clearing ``revoked`` in the
#: database cannot bring the key back.
REVOKED_HASH = "revoked"
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class AccessKey:
    """A stored key, never its secret."""

    id: str
    name: str
    scopes: tuple[str, ...]
    created: datetime
    expires: datetime | None = None
    revoked: datetime | None = None
    pepper_id: str = ""
    #: A tenant key reads only that tenant's events (SPEC §15); ``None``: an operator key.
    tenant: str | None = None

    def status(self, now: datetime | None = None) -> str:
        """``active``, ``revoked`` or ``expired``."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and self.expires <= (now or datetime.now(UTC)):
            return "expired"
        return "active"

    def to_public_dict(self, now: datetime | None = None) -> dict[str, object]:
        return {
            "id": self.id, "name": self.name, "scopes": list(self.scopes),
            "created": _iso(self.created), "expires": _iso(self.expires),
            "revoked": _iso(self.revoked), "status": self.status(now),
            "tenant": self.tenant,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat().replace(
        "+00:00", "Z")


def new_key() -> tuple[str, str, str]:
    """A fresh ``(key_id, secret, full_key_text)``."""
    key_id = secrets.token_hex(_ID_HEX // 2)
    secret = secrets.token_urlsafe(32)
    return key_id, secret, f"{PREFIX}{key_id}_{secret}"


def split_key(text: str) -> tuple[str, str] | None:
    """``(key_id, secret)`` of a presented key; ``None`` when it is not shaped like one."""
    if not text.startswith(PREFIX):
        return None
    key_id, sep, secret = text[len(PREFIX):].partition("_")
    if not sep or len(key_id) != _ID_HEX or not secret or len(secret) > 256:
        return None
    if any(c not in "0123456789abcdef" for c in key_id):
        return None
    return key_id, secret


def hash_secret(secret: str, pepper: str) -> str:
    """The version-1 hash (the secret alone); still accepted, and upgraded on first use."""
    return hmac.new(_DOMAIN + pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def bound_fields(key_id: str, name: str, scopes: Sequence[str], *, created: str,
                 expires: str | None, pepper_id: str, tenant: str | None = None) -> bytes:
    """What a key's stored hash vouches for besides its secret: everything about the key
    that never changes after creation (its tenant too: cleared, a tenant key would read
    every tenant), as one unambiguous string."""
    fields: list[Any] = [key_id, name, list(scopes), created, expires, pepper_id]
    if tenant is not None:  # keys of before tenants hash as they always did
        fields.append(tenant)
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def bind_secret(secret: str, pepper: str, fields: bytes) -> str:
    """The stored hash: HMAC over the secret *and* the key's fields, so a row whose
    scopes, expiry, name or id were edited in the database no longer matches any secret
    (the key stops working) — and nobody without the secret can make it match again."""
    mac = hmac.new(_DOMAIN_V2 + pepper.encode(), secret.encode() + b"\x00" + fields,
                   hashlib.sha256)
    return BOUND_PREFIX + mac.hexdigest()


def pepper_id(pepper: str) -> str:
    """A short fingerprint of the pepper, kept per row so a changed pepper is explained."""
    if not pepper:
        return ""
    return hashlib.sha256(b"auditmw/pepper-id\x00" + pepper.encode()).hexdigest()[:8]


def secret_matches(secret: str, stored_hash: str, pepper: str, fields: bytes) -> bool:
    """Does ``secret`` prove this row? Version-2 hashes also prove its ``fields``."""
    if stored_hash.startswith(BOUND_PREFIX):
        return hmac.compare_digest(bind_secret(secret, pepper, fields), stored_hash)
    return hmac.compare_digest(hash_secret(secret, pepper), stored_hash)


def parse_expiry(text: str | None, now: datetime | None = None) -> datetime | None:
    """``90d``, ``12h``, ``2w``, ``30m``, ``45s``, ``never``, or an ISO date/date-time.

    Raises :class:`ValueError` naming the accepted forms.
    """
    if text is None or text.strip().lower() in ("", "never"):
        return None
    value = text.strip().lower()
    now = now or datetime.now(UTC)
    match = _DURATION.fullmatch(value)
    if match:
        amount = int(match.group(1))
        if amount <= 0:
            raise ValueError(f"--expires {text!r}: the duration must be positive")
        return now + timedelta(**{_UNITS[match.group(2)]: amount})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--expires {text!r}: use a duration such as 90d, 12h, 2w, 30m, 45s, "
            "an ISO date such as 2027-01-31 (UTC), or 'never'") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if moment <= now:
        raise ValueError(f"--expires {text!r} is in the past")
    return moment.astimezone(UTC)
