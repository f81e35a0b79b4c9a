"""What the integrity and retention tests need from outside auditmw: SQL run behind the
store's back, as an intruder with database access would, and an Ed25519 key pair."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any


def sql(url: str, statement: str, *params: Any) -> None:
    """Change the database behind the store's back (``%s`` placeholders, both backends)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement.replace("%s", "?"), params)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement, params)


def key_pair(directory: Path, name: str = "seal") -> tuple[Path, Path]:
    """A fresh Ed25519 private key and its public key, as PEM files in ``directory``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    priv = directory / f"{name}.pem"
    pub = directory / f"{name}.pub.pem"
    priv.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    pub.write_bytes(private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return priv, pub
