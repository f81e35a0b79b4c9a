"""Access keys in the store's own database: table ``auditmw_access_keys``, made on first use.

SQLite (``sqlite:///path``) through :mod:`sqlite3` and PostgreSQL (``postgresql://``)
through psycopg 3; both keep the same columns, with times as RFC 3339 UTC text. A name
is unique among keys that are not revoked, so ``revoke NAME`` is never ambiguous and a
revoked key's name can be reused. One connection per store, serialised by a lock (key
look-ups are one indexed row).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditmw.errors import AuditError
from auditmw.server.keys import (
    BOUND_PREFIX,
    REVOKED_HASH,
    AccessKey,
    bind_secret,
    bound_fields,
    new_key,
    pepper_id,
    secret_matches,
    split_key,
)

TABLE = "auditmw_access_keys"
_SCHEMA = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL,"
    " secret_hash TEXT NOT NULL, pepper_id TEXT NOT NULL DEFAULT '',"
    " created TEXT NOT NULL, expires TEXT, revoked TEXT, tenant TEXT)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_active_name"
    f" ON {TABLE} (name) WHERE revoked IS NULL",
)
_COLUMNS = "id, name, scopes, pepper_id, created, expires, revoked, tenant"
_KEY_FIELDS = 8  # the columns above, in that order


class AccessKeyError(AuditError, LookupError):
    """A key operation that cannot be done (unknown key, name taken); message says why."""


def _now() -> datetime:
    return datetime.now(UTC)


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _row_to_key(row: Sequence[Any]) -> AccessKey:
    created = _time(row[4])
    assert created is not None
    return AccessKey(id=row[0], name=row[1], scopes=tuple(json.loads(row[2])),
                     pepper_id=row[3], created=created, expires=_time(row[5]),
                     revoked=_time(row[6]), tenant=row[7])


class KeyStore:
    """Create, list, revoke and check access keys in the database at ``url``."""

    def __init__(self, url: str, *, pepper: str = "") -> None:
        self.url = url
        self._pepper = pepper
        self._lock = threading.Lock()
        self._conn: Any = None
        self._is_postgres = url.startswith(("postgresql://", "postgres://"))
        if not self._is_postgres and not url.startswith("sqlite:///"):
            raise ValueError(f"access keys need a sqlite:/// or postgresql:// URL, not {url!r}")

    # -- connection ---------------------------------------------------------------------

    def _connect(self) -> Any:
        if self._is_postgres:
            import psycopg

            conn: Any = psycopg.connect(self.url, autocommit=True)
        else:
            path = self.url[len("sqlite:///"):].split("?", 1)[0]
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        for statement in _SCHEMA:
            conn.execute(statement)
        self._add_tenant_column(conn)
        return conn

    def _add_tenant_column(self, conn: Any) -> None:
        """Tables made before tenants (SPEC §15) get the column; their keys stay operator
        keys (``NULL``)."""
        if self._is_postgres:
            conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS tenant TEXT")
            return
        names = {row[1] for row in conn.execute(f"PRAGMA table_info({TABLE})")}
        if "tenant" not in names:
            conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN tenant TEXT")

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self._is_postgres else statement

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        with self._lock:
            if self._conn is None:
                self._conn = self._connect()
            try:
                yield self._conn
            except Exception as exc:
                if self._is_broken(exc):  # reconnect next time
                    self._drop()
                raise

    def _is_broken(self, exc: Exception) -> bool:
        if self._is_postgres:
            import psycopg

            return isinstance(exc, psycopg.OperationalError)
        return False

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a broken connection may not close
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._cursor() as conn:
            return list(conn.execute(self._sql(statement), tuple(params)).fetchall())

    def _run(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self._cursor() as conn:
            return int(conn.execute(self._sql(statement), tuple(params)).rowcount)

    # -- operations ---------------------------------------------------------------------

    def create(self, name: str, scopes: Sequence[str], expires: datetime | None = None, *,
               tenant: str | None = None) -> tuple[AccessKey, str]:
        """A new key; returns the stored record and the key text (shown once, never kept).
        With ``tenant`` the key reads only that tenant's events."""
        name = name.strip()
        if tenant is not None:
            tenant = tenant.strip()
            if not tenant:
                raise AccessKeyError("--tenant needs a non-empty tenant id")
        if not name:
            raise AccessKeyError("a key needs a non-empty --name")
        clean = tuple(dict.fromkeys(s.strip() for s in scopes if s.strip()))
        if not clean:
            raise AccessKeyError(
                "a key needs at least one --scope (the audit APIs need audit_logs)")
        if self._active_by_name(name):
            raise AccessKeyError(
                f"an active key named {name!r} exists; revoke it or pick another name")
        key_id, secret, text = new_key()
        record = AccessKey(id=key_id, name=name, scopes=clean, created=_now(),
                           expires=expires, pepper_id=pepper_id(self._pepper), tenant=tenant)
        created = _text(record.created)
        assert created is not None
        fields = bound_fields(key_id, name, clean, created=created, expires=_text(expires),
                              pepper_id=record.pepper_id, tenant=tenant)
        try:
            self._run(
                f"INSERT INTO {TABLE} (id, name, scopes, secret_hash, pepper_id, created,"
                " expires, revoked, tenant) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (key_id, name, json.dumps(list(clean)),
                 bind_secret(secret, self._pepper, fields), record.pepper_id, created,
                 _text(expires), tenant))
        except Exception as exc:  # the unique index caught a concurrent create
            if self._active_by_name(name):
                raise AccessKeyError(f"an active key named {name!r} exists") from exc
            raise
        return record, text

    def _active_by_name(self, name: str) -> AccessKey | None:
        rows = self._all(f"SELECT {_COLUMNS} FROM {TABLE} WHERE name = ? AND revoked IS NULL",
                         (name,))
        return _row_to_key(rows[0]) if rows else None

    def list_keys(self) -> list[AccessKey]:
        return [_row_to_key(r) for r in
                self._all(f"SELECT {_COLUMNS} FROM {TABLE} ORDER BY created, id")]

    def get(self, key_id: str) -> AccessKey | None:
        rows = self._all(f"SELECT {_COLUMNS} FROM {TABLE} WHERE id = ?", (key_id,))
        return _row_to_key(rows[0]) if rows else None

    def revoke(self, id_or_name: str) -> AccessKey:
        """Revoke by id, else by the name of an active key. Revoking twice is harmless."""
        found = self.get(id_or_name) or self._active_by_name(id_or_name)
        if found is None:
            raise AccessKeyError(f"no access key with id or active name {id_or_name!r}")
        if found.revoked is None:
            # The hash goes with the revocation: un-revoking the row by hand cannot
            # bring the key back.
            self._run(f"UPDATE {TABLE} SET revoked = ?, secret_hash = ? WHERE id = ? AND "
                      "revoked IS NULL", (_text(_now()), REVOKED_HASH, found.id))
        revoked = self.get(found.id)
        assert revoked is not None
        return revoked

    def verify(self, presented: str | None, now: datetime | None = None) -> AccessKey | None:
        """The active key ``presented`` proves, or ``None`` (missing, malformed, unknown,
        wrong secret, revoked or expired -- the caller answers all of them alike)."""
        parts = split_key(presented.strip()) if presented else None
        if parts is None:
            return None
        key_id, secret = parts
        rows = self._all(f"SELECT {_COLUMNS}, secret_hash FROM {TABLE} WHERE id = ?",
                         (key_id,))
        if not rows:
            return None
        row = rows[0]
        stored = str(row[_KEY_FIELDS])
        if stored == REVOKED_HASH:
            return None
        try:
            fields = bound_fields(row[0], row[1], json.loads(row[2]), created=row[4],
                                  expires=row[5], pepper_id=row[3], tenant=row[7])
        except (TypeError, ValueError):  # a scopes cell that is not a JSON list
            return None
        if not secret_matches(secret, stored, self._pepper, fields):
            return None
        try:
            key = _row_to_key(row[:_KEY_FIELDS])
        except (TypeError, ValueError):
            return None
        if key.status(now) != "active":
            return None
        if not stored.startswith(BOUND_PREFIX):
            # A key made before hashes covered the row: bind it now, while its holder
            # proves the secret (the row as it stands is what the key is from here on).
            self._run(f"UPDATE {TABLE} SET secret_hash = ? WHERE id = ? AND secret_hash = ?",
                      (bind_secret(secret, self._pepper, fields), key.id, stored))
        return key
