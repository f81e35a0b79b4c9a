"""The hash chain every writer process keeps over the events it emits (SPEC §7).

Each event gets ``integrity = {chain, seq, prev, hash}``:

- ``chain`` — a UUIDv7 made when the chain starts: once per process, again in every
  forked child, so no two writers ever share a chain;
- ``seq`` — 1, 2, 3... with no gaps within a chain;
- ``prev`` — the previous event's ``hash`` (:data:`GENESIS` for ``seq`` 1);
- ``hash`` — ``"hmac-sha256:<hex>"`` (with ``integrity.key``) or ``"sha256:<hex>"``
  (without) over the canonical JSON (:func:`auditmw.codec.dumps`) of the whole event
  with ``integrity`` holding everything but ``hash``. The prefix names the algorithm, so
  the verifier can tell "written without a key" from "altered".

The first event of a chain may also carry ``integrity.after = {chain, seq, hash}``: the
last event the writer could see when its chain started (the parent's position in a
forked child, else the last line of the file sink or the newest event of the store).
It is covered by the hash, and it lets ``auditmw verify`` notice when events that were
once there (up to that ``seq``) have since been cut off the end of an earlier chain.

Ordering: a chain is only useful if events reach storage in ``seq`` order. The
processor holds a re-entrant lock while it stamps an event, and ``AuditTrail.emit``
holds the same lock (``with chain:``) until the dispatcher has accepted the event, so
``seq`` order and submission order are the same order in every thread.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from auditmw import codec
from auditmw.ids import uuid7
from auditmw.types import EventDict

log = logging.getLogger("auditmw.integrity")

Position = dict[str, Any]  # {"chain": str, "seq": int, "hash": str}

GENESIS = "genesis"
#: How the top-level ``integrity`` object opens in an event's canonical bytes.
OPENED = b'"integrity":{'
OPENED_LEN = len(OPENED)
HMAC_PREFIX = "hmac-sha256:"
SHA_PREFIX = "sha256:"


def as_key(key: str | bytes | None) -> bytes:
    """The integrity key as bytes (empty: no key, plain SHA-256)."""
    if not key:
        return b""
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def digest(body: bytes, key: bytes) -> str:
    """``hmac-sha256:<hex>`` under ``key``, or ``sha256:<hex>`` when there is none."""
    if key:
        return HMAC_PREFIX + hmac.digest(key, body, "sha256").hex()
    return SHA_PREFIX + hashlib.sha256(body).hexdigest()


def unhashed_body(event: Mapping[str, Any]) -> bytes:
    """The canonical bytes an event's ``hash`` covers: the event with ``integrity``
    minus its ``hash``."""
    integrity = {k: v for k, v in event["integrity"].items() if k != "hash"}
    return codec.dumps({**event, "integrity": integrity})


def position_of(event: Mapping[str, Any]) -> Position | None:
    """``{chain, seq, hash}`` of a chained event, ``None`` if it is not chained."""
    integrity = event.get("integrity")
    if not isinstance(integrity, Mapping):
        return None
    chain, seq, hashed = integrity.get("chain"), integrity.get("seq"), integrity.get("hash")
    if isinstance(chain, str) and isinstance(seq, int) and isinstance(hashed, str):
        return {"chain": chain, "seq": seq, "hash": hashed}
    return None


# Every live chain, so one fork hook can restart them all in the child without keeping
# any of them alive.
_LIVE: weakref.WeakSet[ChainProcessor] = weakref.WeakSet()


def _restart_chains_in_child() -> None:
    for chain in list(_LIVE):
        chain._restart_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_restart_chains_in_child)


class ChainProcessor:
    """The pipeline's last processor: stamps ``integrity`` on each event.

    ``key`` — HMAC key (``integrity.key``); empty for plain SHA-256.
    ``resume`` — called once when a chain starts (at its first event), returning the
    position of the last event this writer can see from an earlier run, or ``None``; it
    must be quick and must not raise (errors are logged and ignored).

    Use as a context manager (``with chain:``) to keep the chain's order across a longer
    critical section, as ``AuditTrail.emit`` does around the dispatcher's ``submit``.
    """

    def __init__(self, key: str | bytes | None = "", *,
                 resume: Callable[[], Position | None] | None = None) -> None:
        self._key = as_key(key)
        self._resume = resume
        self._lock = threading.RLock()
        self._inherited: Position | None = None
        self._start()
        _LIVE.add(self)

    @property
    def keyed(self) -> bool:
        return bool(self._key)

    def _start(self) -> None:
        self.chain = uuid7()
        self.seq = 0
        self.prev = GENESIS
        # how this chain's integrity object opens in an event's bytes (no ``after``)
        self._opened = OPENED + f'"chain":"{self.chain}",'.encode()

    def position(self) -> Position | None:
        """Where this chain stands: ``{chain, seq, hash}`` of its last event, if any."""
        with self._lock:
            if not self.seq:
                return None
            return {"chain": self.chain, "seq": self.seq, "hash": self.prev}

    def _restart_after_fork(self) -> None:
        # The parent's lock may have been held by a thread that does not exist here.
        self._lock = threading.RLock()
        parent = {"chain": self.chain, "seq": self.seq, "hash": self.prev} if self.seq else None
        self._inherited = parent or self._inherited
        self._start()

    def _previous_end(self) -> Position | None:
        if self._inherited is not None:
            return self._inherited
        if self._resume is None:
            return None
        try:
            found = self._resume()
        except Exception:
            log.exception("auditmw: could not read where the previous chain ended")
            return None
        if found is None or found.get("chain") == self.chain:
            return None
        return {"chain": found["chain"], "seq": found["seq"], "hash": found["hash"]}

    def __enter__(self) -> ChainProcessor:
        self._lock.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._lock.release()

    def __call__(self, event: EventDict) -> EventDict:
        key = self._key
        with self._lock:
            seq = self.seq + 1
            integrity: dict[str, Any] = {"chain": self.chain, "seq": seq, "prev": self.prev}
            if seq == 1:
                after = self._previous_end()
                if after is not None:
                    integrity["after"] = after
            event["integrity"] = integrity
            body = codec.dumps(event)
            # digest(), its default (no key) written out: this runs per event
            hashed = digest(body, key) if key else \
                SHA_PREFIX + hashlib.sha256(body).hexdigest()
            integrity["hash"] = hashed
            self.seq = seq
            self.prev = hashed
        # The line every writing sink reads (the file's line, the store's data), made
        # here from the hashed bytes: one copy of them, the exact size (orjson's bytes
        # keep its whole growing buffer, 3x the text, held while the event is queued).
        at = body.find(OPENED)
        opened = self._opened
        if (seq != 1 and at >= 0 and body.find(OPENED, at + OPENED_LEN) < 0
                and body.startswith(opened, at)):
            # hashed_line's common case: the one integrity object, opening as this
            # chain's does (what follows it, prev and seq, sorts after the hash)
            cut = at + len(opened)
            line: bytes | None = b"".join((body[:cut], b'"hash":"', hashed.encode(), b'",',
                                           body[cut:], b"\n"))
        else:
            line = hashed_line(body, integrity)
        return codec.encoded(event, line)


def hashed_line(body: bytes, integrity: Mapping[str, Any]) -> bytes | None:
    """The event's canonical line, from the ``body`` its hash was made over: the same
    bytes with ``"hash":"…",`` put in after ``integrity.chain`` (``hash`` sorts right
    after ``chain``), and a newline. ``None`` when the spot is not certain — an object
    under an ``integrity`` key anywhere else in the event (a copy of its own, say), or
    the object's bytes not exactly as this chain writes them (a value JSON escapes):
    then the line is made in full.

    ``"integrity":{`` found once is the top level's object (it is always there): what
    is put back is that object with its hash, everything else as it is."""
    at = body.find(OPENED)
    if at < 0 or body.find(OPENED, at + len(OPENED)) >= 0:
        return None
    chain, prev, seq = integrity["chain"], integrity["prev"], integrity["seq"]
    opened = OPENED
    if "after" in integrity:  # a chain's first event: {"after":{…},"chain":…}
        opened = b'"integrity":{"after":' + codec.dumps(integrity["after"]) + b","
    try:
        unhashed = opened + f'"chain":"{chain}","prev":"{prev}","seq":{seq}}}'.encode()
        if not body.startswith(unhashed, at):
            return None
        hashed = f'"chain":"{chain}","hash":"{integrity["hash"]}","prev":"{prev}",' \
                 f'"seq":{seq}}}'.encode()
    except UnicodeEncodeError:  # a lone surrogate: the JSON holds it escaped
        return None
    return b"".join((body[:at], opened, hashed, body[at + len(unhashed):], b"\n"))


def check_hash(stored: Any, body: bytes, key: bytes) -> bool | None:
    """Is ``stored`` the digest of ``body``? ``None`` when it cannot be told: an HMAC
    hash and no key to check it with."""
    if not isinstance(stored, str):
        return False
    if stored.startswith(SHA_PREFIX):  # the default (no integrity.key): tried first
        return hmac.compare_digest(stored, SHA_PREFIX + hashlib.sha256(body).hexdigest())
    if stored.startswith(HMAC_PREFIX):
        if not key:
            return None
        return hmac.compare_digest(stored, digest(body, key))
    return False


def verify_event_hash(event: Mapping[str, Any], key: bytes) -> bool | None:
    """Does the stored ``hash`` match the content? ``None`` when it cannot be told."""
    stored = event["integrity"].get("hash")
    if not isinstance(stored, str):
        return False
    return check_hash(stored, unhashed_body(event), key)


def unhashed_line(raw: bytes, stored: str) -> bytes | None:
    """The hashed bytes of a stored canonical line, by cutting ``"hash":"…",`` out of its
    top-level ``integrity`` object (which sorts after every other key that can hold
    one). If the line is exactly what was hashed, this is the hashed body; if it is not,
    the digest will not match — so no re-serialisation is needed to check a file."""
    start = raw.rfind(b'"integrity":{')
    if start < 0:
        return None
    field = b'"hash":"' + stored.encode("utf-8") + b'",'
    at = raw.find(field, start)
    if at < 0:
        return None
    return raw[:at] + raw[at + len(field):]
