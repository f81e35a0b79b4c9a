"""Public-key signatures on checkpoints (Ed25519), so a third party can check them with
no secret: ``pip install 'auditmw[sign]'`` (the ``cryptography`` package).

A checkpoint signed this way carries ``public_signature = "ed25519:<key id>:<base64>"``,
an Ed25519 signature over the canonical JSON of the record without ``signature`` and
``public_signature``; ``key id`` is the first 16 hex digits of SHA-256 over the raw
public key, to tell keys apart when they rotate. The HMAC/SHA-256 ``signature`` is made
afterwards and covers ``public_signature`` too.

Keys are PEM files, made for instance with OpenSSL::

    openssl genpkey -algorithm ed25519 -out auditmw-seal.pem
    openssl pkey -in auditmw-seal.pem -pubout -out auditmw-seal.pub.pem
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw import codec

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

PREFIX = "ed25519:"
FIELD = "public_signature"
_NEEDS = "Ed25519 checkpoints need the cryptography package: pip install 'auditmw[sign]'"


class SealKeyError(ValueError):
    """A signing or public key that cannot be used; the message says why."""


def _serialization() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise SealKeyError(_NEEDS) from None
    return serialization


def load_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in the PEM file ``path`` (unencrypted PKCS#8)."""
    from_pem = _serialization().load_pem_private_key
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = from_pem(Path(path).read_bytes(), password=None)
    except OSError as exc:
        raise SealKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError) as exc:
        raise SealKeyError(f"{path} is not an unencrypted PEM private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SealKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    """The Ed25519 public key in the PEM file ``path`` (a private key file works too)."""
    serialization = _serialization()
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SealKeyError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        key: Any = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise SealKeyError(f"{path} is not a PEM public key: {exc}") from None
    if isinstance(key, Ed25519PrivateKey):
        key = key.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise SealKeyError(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(_serialization().Encoding.Raw,
                              _serialization().PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _body(record: Mapping[str, Any]) -> bytes:
    return codec.dumps({k: v for k, v in record.items() if k not in ("signature", FIELD)})


def sign(record: dict[str, Any], private: Ed25519PrivateKey) -> None:
    """Add ``public_signature`` to ``record`` (before its ``signature`` is made)."""
    signature = private.sign(_body(record))
    record[FIELD] = (f"{PREFIX}{key_id(private.public_key())}:"
                     + base64.b64encode(signature).decode("ascii"))


def check(record: Mapping[str, Any], public: Ed25519PublicKey) -> tuple[bool, str]:
    """``(True, "")`` when ``record`` carries a valid signature by ``public``."""
    from cryptography.exceptions import InvalidSignature

    value = record.get(FIELD)
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return False, "no Ed25519 signature"
    kid, _, encoded = value[len(PREFIX):].partition(":")
    if kid != key_id(public):
        return False, f"signed by Ed25519 key {kid}, not by the given key {key_id(public)}"
    try:
        public.verify(base64.b64decode(encoded, validate=True), _body(record))
    except (InvalidSignature, binascii.Error, ValueError):
        return False, "Ed25519 signature does not match the record (altered)"
    return True, ""
