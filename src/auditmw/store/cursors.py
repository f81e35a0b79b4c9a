"""Pagination cursors: a keyset position, signed by the store that issued it.

A cursor reads ``base64url(payload).base64url(mac)``: ``payload`` is
``2|order|flags|time_us|id`` (PostgreSQL) or ``3|order|flags|time_us|k|id`` (SQLite,
whose position is its order key ``k``, :mod:`auditmw.store.orderkey`), ``mac`` the
first 16 bytes of HMAC-SHA256 under the store's own cursor key (32 random bytes made
with the store and kept in its ``auditmw_meta`` table). A cursor edited by hand, made
up, or issued by another store fails the MAC and is refused with :class:`InvalidCursor`
(the Data API's 400) before anything in it is used — so a client can only ever
continue a walk the store started.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from auditmw.store.base import InvalidCursor
from auditmw.store.rows import datetime_to_us

VERSION = "2"
KEYED = "3"
_DOMAIN = b"auditmw/cursor/v2\x00"
_MAC_BYTES = 16
_INVALID = "invalid cursor: use a next/prev value from an earlier page"

# The times every backend can hold (Python's datetime range, which PostgreSQL goes through).
MIN_US = datetime_to_us(datetime(1, 1, 1, tzinfo=UTC))
MAX_US = datetime_to_us(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.digest(key, _DOMAIN + payload, hashlib.sha256)[:_MAC_BYTES]


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position ``(time_us, id)`` (and SQLite's order key ``k``); ``forward``
    continues in the page order (``next``) or walks back (``prev``); ``inclusive`` also
    returns the anchor row itself. A SQLite cursor without ``k`` was issued before the
    store's schema 6: the store finds ``k`` by ``id``."""

    time_us: int
    id: str
    order: str
    forward: bool
    inclusive: bool = False
    k: int | None = None

    def encode(self, key: bytes) -> str:
        flags = ("n" if self.forward else "p") + ("i" if self.inclusive else "x")
        head = (f"{VERSION}|{self.order}|{flags}|{self.time_us}" if self.k is None
                else f"{KEYED}|{self.order}|{flags}|{self.time_us}|{self.k}")
        payload = f"{head}|{self.id}".encode()
        return f"{_b64(payload)}.{_b64(_mac(key, payload))}"

    @classmethod
    def decode(cls, text: str, order: str, key: bytes) -> Cursor:
        """The cursor ``text`` stands for; :class:`InvalidCursor` unless this store
        (``key``) issued it, for this ``order``."""
        try:
            body, _, mac = text.partition(".")
            payload = _unb64(body)
            if not mac or not hmac.compare_digest(_unb64(mac), _mac(key, payload)):
                raise ValueError("not signed by this store")
            text_ = payload.decode("utf-8")
            version = text_.partition("|")[0]
            k: int | None = None
            if version == KEYED:
                _, cursor_order, flags, time_us, k_text, ident = text_.split("|", 5)
                k = int(k_text)
            elif version == VERSION:
                _, cursor_order, flags, time_us, ident = text_.split("|", 4)
            else:
                raise ValueError(payload)
            if len(flags) != 2 or flags[0] not in "np" or flags[1] not in "ix":
                raise ValueError(payload)
            cursor = cls(int(time_us), ident, cursor_order, flags[0] == "n", flags[1] == "i",
                         k)
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise InvalidCursor(_INVALID) from None
        if cursor.order != order:
            raise InvalidCursor(f"cursor was issued for order={cursor.order}, not {order}")
        if not MIN_US <= cursor.time_us <= MAX_US:  # only the store's own edge cursors
            raise InvalidCursor(_INVALID)
        return cursor
