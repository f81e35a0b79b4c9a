"""Access keys: made, hashed, checked, listed and revoked in SQLite and PostgreSQL, and
the `auditmw keys` command run as a real subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditmw.access_keys import AUDIT_SCOPE, parse_expiry, split_key
from auditmw.store.keys import TABLE, AccessKeyError, KeyStore

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'keys' / 'audit.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def keys(db_url: str) -> Iterator[KeyStore]:
    store = KeyStore(db_url, pepper="pepper-1")
    yield store
    store.close()


def _table_dump(url: str) -> str:
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return repr(conn.execute(f"SELECT * FROM {TABLE}").fetchall())
    import psycopg

    with psycopg.connect(url) as conn:
        return repr(conn.execute(f"SELECT * FROM {TABLE}").fetchall())


def test_create_verify_and_only_a_hash_is_stored(keys: KeyStore, db_url: str) -> None:
    record, text = keys.create("ci", [AUDIT_SCOPE, "reports", AUDIT_SCOPE])
    assert record.scopes == (AUDIT_SCOPE, "reports")
    assert text.startswith("amk_")
    assert split_key(text) == (record.id, text.split("_", 2)[2])
    verified = keys.verify(text)
    assert verified is not None
    assert (verified.id, verified.name, verified.scopes) == (record.id, "ci", record.scopes)
    dump = _table_dump(db_url)
    secret = text.split("_", 2)[2]
    assert secret not in dump
    assert record.id in dump


@pytest.mark.parametrize("presented", [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("wITrC7cjthxW5pPg", id="leapwork-style"),
    pytest.param("amk_", id="prefix-only"),
    pytest.param("amk_000000000000_x", id="unknown-id"),
    pytest.param("amk_ZZZZZZZZZZZZ_x", id="non-hex-id"),
])
def test_garbage_is_refused(keys: KeyStore, presented: str | None) -> None:
    keys.create("ci", [AUDIT_SCOPE])
    assert keys.verify(presented) is None


def test_wrong_secret_revoked_expired_and_pepper(keys: KeyStore, db_url: str) -> None:
    _, text = keys.create("ci", [AUDIT_SCOPE])
    assert keys.verify(text[:-1] + ("A" if text[-1] != "A" else "B")) is None
    other = KeyStore(db_url, pepper="pepper-2")
    try:
        assert other.verify(text) is None  # a different pepper cannot check the hash
    finally:
        other.close()
    expiring, soon = keys.create("soon", [AUDIT_SCOPE], expires=NOW + timedelta(hours=1))
    assert keys.verify(soon, now=NOW) is not None
    assert keys.verify(soon, now=NOW + timedelta(hours=1)) is None
    assert expiring.status(NOW + timedelta(hours=2)) == "expired"
    revoked = keys.revoke("ci")
    assert revoked.status() == "revoked"
    assert keys.verify(text) is None


def test_names_ids_and_revocation(keys: KeyStore) -> None:
    first, _ = keys.create("ci", [AUDIT_SCOPE])
    with pytest.raises(AccessKeyError, match="an active key named 'ci' exists"):
        keys.create("ci", ["other"])
    keys.revoke(first.id)
    assert keys.revoke(first.id).revoked is not None  # twice is harmless
    second, text = keys.create("ci", ["other"])  # a revoked name can be reused
    assert keys.verify(text) is not None
    with pytest.raises(AccessKeyError, match="no access key"):
        keys.revoke("nobody")
    listed = keys.list_keys()
    assert [(k.id, k.status()) for k in listed] == [(first.id, "revoked"),
                                                   (second.id, "active")]
    with pytest.raises(AccessKeyError, match="--scope"):
        keys.create("x", [" "])
    with pytest.raises(AccessKeyError, match="--name"):
        keys.create(" ", [AUDIT_SCOPE])


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("90d", NOW + timedelta(days=90), id="days"),
    pytest.param("12h", NOW + timedelta(hours=12), id="hours"),
    pytest.param("2w", NOW + timedelta(weeks=2), id="weeks"),
    pytest.param("30m", NOW + timedelta(minutes=30), id="minutes"),
    pytest.param("45s", NOW + timedelta(seconds=45), id="seconds"),
    pytest.param("never", None, id="never"),
    pytest.param(None, None, id="none"),
    pytest.param("2027-01-31", datetime(2027, 1, 31, tzinfo=UTC), id="iso-date-utc"),
    pytest.param("2027-01-31T10:00:00+01:00", datetime(2027, 1, 31, 9, tzinfo=UTC),
                 id="iso-offset"),
])
def test_parse_expiry(text: str | None, expected: datetime | None) -> None:
    assert parse_expiry(text, now=NOW) == expected


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("0d", "must be positive", id="zero"),
    pytest.param("soon", "use a duration such as 90d", id="words"),
    pytest.param("2020-01-01", "is in the past", id="past"),
])
def test_parse_expiry_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_expiry(text, now=NOW)


@given(st.text(max_size=300))
def test_split_key_never_raises(text: str) -> None:
    parts = split_key(text)
    assert parts is None or (len(parts[0]) == 12 and parts[1])


# --- the command, as users run it ----------------------------------------------------------

def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDITMW_KEYS_PEPPER": "from-env"}
    env.pop("AUDITMW_CONFIG", None)
    (tmp_path / "auditmw.toml").write_text(
        '[store]\nurl = "sqlite:///./data/audit.db"\n'
        '[server]\nkeys_pepper = "${AUDITMW_KEYS_PEPPER}"\n', encoding="utf-8")
    (tmp_path / "data").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "auditmw", "keys", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.subprocess
def test_keys_command(tmp_path: Path) -> None:
    plain = _cli(tmp_path, "create", "--name", "ci", "--scope", "audit_logs")
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("amk_")
    made = _cli(tmp_path, "create", "--name", "reports", "--scope", "audit_logs",
                "--scope", "reports", "--expires", "90d", "--json")
    assert made.returncode == 0, made.stderr
    created = json.loads(made.stdout)
    assert set(created) == {"id", "name", "scopes", "key", "expires"}
    assert created["scopes"] == ["audit_logs", "reports"]
    expires = datetime.fromisoformat(created["expires"])
    assert timedelta(days=89) < expires - datetime.now(UTC) <= timedelta(days=90)

    # The keys work against the same database and pepper the config names.
    store = KeyStore(f"sqlite:///{tmp_path / 'data' / 'audit.db'}", pepper="from-env")
    try:
        assert store.verify(lines[0]) is not None
        assert store.verify(created["key"]) is not None
    finally:
        store.close()

    listing = _cli(tmp_path, "list", "--json")
    assert listing.returncode == 0
    rows = json.loads(listing.stdout)
    assert [r["name"] for r in rows] == ["ci", "reports"]
    assert all("key" not in r for r in rows)
    table = _cli(tmp_path, "list")
    for secret in (lines[0], created["key"]):
        assert secret not in listing.stdout
        assert secret not in table.stdout
        assert secret.split("_", 2)[2] not in table.stdout

    revoked = _cli(tmp_path, "revoke", "ci")
    assert revoked.returncode == 0
    assert "revoked" in revoked.stdout
    after = json.loads(_cli(tmp_path, "list", "--json").stdout)
    assert [r["status"] for r in after] == ["revoked", "active"]

    duplicate = _cli(tmp_path, "create", "--name", "reports", "--scope", "x")
    assert duplicate.returncode == 1
    assert "an active key named 'reports' exists" in duplicate.stderr
    bad = _cli(tmp_path, "create", "--name", "y", "--scope", "x", "--expires", "soon")
    assert bad.returncode == 2
    assert "--expires" in bad.stderr
    unknown = _cli(tmp_path, "revoke", "nobody")
    assert unknown.returncode == 1


def _edit(url: str, statement: str, *params: object) -> None:
    """Change the keys table behind the store's back, as an intruder with SQL would."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute(statement, params)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement.replace("?", "%s").encode(), params)


@pytest.mark.parametrize(("column", "value"), [
    pytest.param("scopes", json.dumps([AUDIT_SCOPE, "admin"]), id="scopes-widened"),
    pytest.param("scopes", json.dumps([AUDIT_SCOPE]), id="scopes-replaced"),
    pytest.param("expires", "2999-01-01T00:00:00+00:00", id="expiry-extended"),
    pytest.param("expires", None, id="expiry-removed"),
    pytest.param("name", "renamed", id="renamed"),
    pytest.param("created", "2020-01-01T00:00:00+00:00", id="created"),
])
def test_a_key_row_edited_in_the_database_stops_working(
        keys: KeyStore, db_url: str, column: str, value: object) -> None:
    record, text = keys.create("ci", ["reports"], expires=datetime.now(UTC) + timedelta(days=1))
    assert keys.verify(text) is not None
    _edit(db_url, f"UPDATE {TABLE} SET {column} = ? WHERE id = ?", value, record.id)
    assert keys.verify(text) is None  # fails closed: the hash no longer vouches for it
    # Putting the row back as it was makes it work again: nothing else was needed.
    _edit(db_url, f"UPDATE {TABLE} SET name = 'ci', scopes = ?, created = ?, expires = ? "
                  "WHERE id = ?", json.dumps(["reports"]),
          record.created.isoformat(), record.expires.isoformat() if record.expires else None,
          record.id)
    assert keys.verify(text) is not None


def test_a_key_tenant_edited_in_the_database_stops_working(keys: KeyStore,
                                                           db_url: str) -> None:
    """Clearing a tenant key's tenant would let it read every tenant; giving an operator
    key a tenant would relabel it: either way the hash no longer vouches for the row."""
    tenant_key, tenant_text = keys.create("acme-reader", [AUDIT_SCOPE], tenant="acme")
    operator, operator_text = keys.create("ops", [AUDIT_SCOPE])
    assert keys.verify(tenant_text) is not None
    assert keys.verify(operator_text) is not None
    _edit(db_url, f"UPDATE {TABLE} SET tenant = NULL WHERE id = ?", tenant_key.id)
    _edit(db_url, f"UPDATE {TABLE} SET tenant = 'acme' WHERE id = ?", operator.id)
    assert keys.verify(tenant_text) is None
    assert keys.verify(operator_text) is None
    _edit(db_url, f"UPDATE {TABLE} SET tenant = 'acme' WHERE id = ?", tenant_key.id)
    verified = keys.verify(tenant_text)
    assert verified is not None
    assert verified.tenant == "acme"


def test_a_revoked_key_cannot_be_revived_by_clearing_revoked(keys: KeyStore,
                                                             db_url: str) -> None:
    record, text = keys.create("ci", [AUDIT_SCOPE])
    keys.revoke(record.id)
    _edit(db_url, f"UPDATE {TABLE} SET revoked = NULL WHERE id = ?", record.id)
    assert keys.verify(text) is None
    assert f"'{record.id}'" in _table_dump(db_url)


def test_a_key_hash_copied_from_another_row_does_not_work(keys: KeyStore, db_url: str
                                                          ) -> None:
    mine, mine_text = keys.create("mine", ["reports"])
    admin, _ = keys.create("admin", [AUDIT_SCOPE])
    # Give my row the admin's scopes and hash: neither secret proves it now.
    _edit(db_url, f"UPDATE {TABLE} SET scopes = (SELECT scopes FROM {TABLE} WHERE id = ?), "
                  f"secret_hash = (SELECT secret_hash FROM {TABLE} WHERE id = ?) WHERE id = ?",
          admin.id, admin.id, mine.id)
    assert keys.verify(mine_text) is None


def test_a_key_of_the_previous_hash_format_works_and_is_bound_on_first_use(
        keys: KeyStore, db_url: str) -> None:
    from auditmw.access_keys import hash_secret

    record, text = keys.create("old", [AUDIT_SCOPE])
    secret = text.split("_", 2)[2]
    _edit(db_url, f"UPDATE {TABLE} SET secret_hash = ? WHERE id = ?",
          hash_secret(secret, "pepper-1"), record.id)  # as version 1 stored it
    assert keys.verify(text) is not None
    assert "v2:" in _table_dump(db_url)  # upgraded: the hash now covers the row
    _edit(db_url, f"UPDATE {TABLE} SET scopes = ? WHERE id = ?",
          json.dumps([AUDIT_SCOPE, "admin"]), record.id)
    assert keys.verify(text) is None


def test_keys_live_in_the_trail_store_and_its_connections(db_url: str) -> None:
    """``KeyStore(trail.store)`` adds no connection of its own: a key made through the
    trail's store is checked through it, and closing the keys leaves the store open."""
    from auditmw.trail import AuditTrail

    if db_url.startswith("sqlite:///"):  # a trail's store needs its folder to exist
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True)
    trail = AuditTrail(store=db_url, sinks=[])
    try:
        assert trail.store is not None
        keys = KeyStore(trail.store, pepper="p")
        _, text = keys.create("ops", [AUDIT_SCOPE])
        keys.close()
        assert KeyStore(trail.store, pepper="p").verify(text) is not None
        # the same rows as a key store that opened the database by URL
        by_url = KeyStore(db_url, pepper="p")
        try:
            assert [k.name for k in by_url.list_keys()] == ["ops"]
        finally:
            by_url.close()
    finally:
        trail.close()


def test_a_forked_worker_checks_keys_on_its_own_connection(keys: KeyStore) -> None:
    """A pre-fork server (gunicorn) checks keys in every worker: the child must not use
    the connection the parent made, and closing its own must not end the parent's session
    (a shared PostgreSQL connection closed in the child would)."""
    _, text = keys.create("ci", [AUDIT_SCOPE])
    assert keys.verify(text) is not None  # the parent has a connection now
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code
        code = 1
        try:
            code = 0 if keys.verify(text) is not None else 3
            keys.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert keys.verify(text) is not None


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "mysql://db/audit"])
def test_a_key_store_url_is_read_by_the_store(url: str) -> None:
    """One reading of ``store.url`` for events and keys: the store's own refusals."""
    from auditmw.store import StoreError

    with pytest.raises(StoreError, match=r"store\.url"):
        KeyStore(url)
