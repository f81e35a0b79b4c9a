"""Access keys in the store's own database: table ``auditmw_access_keys``, made on first use.

The keys go through the store backend's connections (:mod:`auditmw.store.sqlite`,
:mod:`auditmw.store.postgres`): the same URL parsing, one connection per thread, a fresh
connection after a fork, WAL on SQLite, a reconnect after a broken PostgreSQL
connection. Times are RFC 3339 UTC text in both. A name is unique among keys that are
not revoked, so ``revoke NAME`` is never ambiguous and a revoked key's name can be
reused. What a key is and how it is hashed is :mod:`auditmw.access_keys`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditmw.access_keys import (
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
from auditmw.errors import AuditError
from auditmw.store.reader import SqlReader

if TYPE_CHECKING:
    from auditmw.store.base import Store

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


def _open(url: str) -> Store:
    """The store at ``url`` for keys used on their own (``auditmw keys``); a new SQLite
    file's folder is made, as ``keys create`` is often a database's first use."""
    from auditmw.store import open_store
    from auditmw.store.sqlite import sqlite_path

    if url.startswith("sqlite:///"):
        Path(sqlite_path(url)[0]).parent.mkdir(parents=True, exist_ok=True)
    return open_store(url)


def _backend(store: Store) -> SqlReader:
    """The SQL side of ``store``: keys are rows in its database, through its connections."""
    if not isinstance(store, SqlReader):
        raise AccessKeyError(f"access keys need a SQLite or PostgreSQL store, not {store!r}")
    return store


class KeyStore:
    """Create, list, revoke and check access keys in a store's database.

    ``store`` is the store whose database holds the keys (the trail's own, usually:
    ``KeyStore(trail.store)``), or a store URL, opened here and closed by :meth:`close`.
    """

    def __init__(self, store: Store | str, *, pepper: str = "") -> None:
        self._owned = isinstance(store, str)
        self._store = _open(store) if isinstance(store, str) else store
        self._db = _backend(self._store)
        self.url: str = getattr(self._store, "url", "")
        self._pepper = pepper
        self._ready = False

    # -- the table ----------------------------------------------------------------------

    def _ensure_table(self) -> None:
        """Make the table on first use, and give tables made before tenants (SPEC §15) the
        column (their keys stay operator keys, ``NULL``). Another process may do the same
        at the same moment: a statement that lost that race is fine once the table or
        column is there."""
        if self._ready:
            return
        try:
            for statement in _SCHEMA:
                self._db._execute(statement, ())
        except Exception:
            if not self._has_column("id"):
                raise
        if not self._has_column("tenant"):
            try:
                self._db._execute(f"ALTER TABLE {TABLE} ADD COLUMN tenant TEXT", ())
            except Exception:
                if not self._has_column("tenant"):
                    raise
        self._ready = True

    def _has_column(self, column: str) -> bool:
        try:
            self._db._fetch(f"SELECT {column} FROM {TABLE} LIMIT 0", ())
        except Exception:
            return False
        return True

    def _sql(self, statement: str) -> str:
        return statement.replace("?", self._db.placeholder)

    def _all(self, statement: str, params: Sequence[Any] = ()) -> list[Any]:
        self._ensure_table()
        return self._db._fetch(self._sql(statement), tuple(params))

    def _run(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._ensure_table()
        self._db._execute(self._sql(statement), tuple(params))

    def close(self) -> None:
        """Close the store if it was opened here (never the trail's own)."""
        if self._owned:
            self._store.close()

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
