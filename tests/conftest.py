"""Fixtures shared by the whole suite: real PostgreSQL databases, temp trails."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

try:  # the version matrix runs some of these tests in venvs without hypothesis
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover
    pass
else:
    # Property tests judge correctness, never speed: on a shared 2-core box (and CI) a
    # slow example or slow input generation is load, not a bug. Examples stay as many as
    # each test asks for; only the timing checks are off.
    settings.register_profile(
        "auditmw", deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    settings.load_profile("auditmw")

PG_ADMIN_URL = os.environ.get("AUDITMW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent


def _ensure_postgres() -> None:
    """Start PostgreSQL if it is down (never skip: CI must exercise it)."""
    subprocess.run(["bash", str(ROOT / "scripts" / "ensure-services.sh")], check=True)


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    _ensure_postgres()
    return PG_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test; dropped afterwards."""
    import psycopg

    name = f"auditmw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = postgres_admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Any]:
    """A PostgreSQL store on a fresh database, closed afterwards."""
    from auditmw.store import open_store
    from auditmw.store.postgres import PostgresStore

    store = open_store(postgres_url)
    assert isinstance(store, PostgresStore)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend: a fresh SQLite file, then a fresh PostgreSQL
    database (a module's own ``store_url`` fixture takes precedence)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def jsonl_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


