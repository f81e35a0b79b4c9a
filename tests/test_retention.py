"""Retention per category and per tenant, and legal holds (SPEC §15), on real SQLite and
PostgreSQL stores with a signed chain: what reads hide, what the purge deletes, and that
the purged store still verifies — while a deletion outside the purge is still caught."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw.config import load_config
from auditmw.errors import ConfigError
from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import purge_checkpointer, verify_store
from auditmw.integrity.links import make_link
from auditmw.store import Query, Store, open_store
from auditmw.store.retention import RetentionPolicy
from auditmw.trail import AuditTrail
from support.intruder import sql

KEY = "retention-key"
DAY_NS = 86_400 * 10**9
POLICY = {"default": 365, "categories": {"site_access": 90},
          "tenants": {"globex": {"default": 30}, "initech": {"categories": {"site_access": 7}}}}

# (tenant, category, age in days): one chain, written oldest first.
ROWS: list[tuple[str | None, str, int]] = [
    ("acme", "inventory_configuration", 400),  # past the default: purged
    ("acme", "site_access", 200),              # past its category's 90: purged
    ("acme", "inventory_configuration", 200),  # within 365: kept
    ("globex", "inventory_configuration", 100),  # past globex's 30: purged
    ("globex", "site_access", 60),             # category rule 90 beats globex's 30: kept
    ("initech", "site_access", 20),            # initech's own site_access 7: purged
    ("initech", "inventory_configuration", 20),  # kept
    (None, "site_access", 100),                # no tenant, category 90: purged
    ("acme", "site_access", 10),               # kept
    ("globex", "inventory_configuration", 1),  # kept
]
PURGED = {0, 1, 3, 5, 7}


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url, retention=POLICY)
    yield opened
    opened.close()


def event(tenant: str | None, category: str, ns: int, i: int) -> AuditEvent:
    name = "siteAccess" if category == "site_access" else "createAssetGroup"
    return AuditEvent(name, category, "other", details={"i": i}, tenant=tenant,
                      id=uuid7(ns), time=format_time_ns(ns))


def write(url: str, tmp_path: Path, rows: list[tuple[str | None, str, int]],
          now_ns: int | None = None) -> None:
    """One writer (one chain) recording ``rows`` in order, each ``age`` days old."""
    trail = AuditTrail(store={"url": url, "retention_days": 3650}, sinks=[],
                       integrity={"key": KEY},
                       delivery={"spool_dir": str(tmp_path / "spool"), "batch_size": 4})
    now = now_ns or time.time_ns()
    for i, (tenant, category, age) in enumerate(rows):
        trail.emit(event(tenant, category, now - age * DAY_NS + i * 10**6, i))
    trail.close()


def indexes(items: Any) -> set[int]:
    return {int(e["details"]["i"]) for e in items}


def test_the_policy_picks_the_most_specific_rule() -> None:
    policy = RetentionPolicy.of(POLICY)
    assert policy.days_for("acme", "site_access") == 90
    assert policy.days_for("globex", "site_access") == 90  # a tenant default is weaker
    assert policy.days_for("globex", "exportView") == 30
    assert policy.days_for("initech", "site_access") == 7
    assert policy.days_for(None, None) == 365
    assert (policy.shortest(), policy.longest()) == (7, 365)
    with pytest.raises(ValueError, match=r"store.retention.categories.site_access"):
        RetentionPolicy.of({"categories": {"site_access": 0}})
    with pytest.raises(ValueError, match="unknown key 'tenant'"):
        RetentionPolicy.of({"tenant": {}})


def test_reads_hide_what_is_past_its_retention_before_any_purge(
        store_url: str, store: Store, tmp_path: Path) -> None:
    write(store_url, tmp_path, ROWS)
    kept = set(range(len(ROWS))) - PURGED
    assert indexes(store.iter_events(Query())) == kept
    assert store.count(Query()) == len(kept)
    assert indexes(store.query(Query(tenant=("globex",))).items) == {4, 9}
    # The unfiltered verifier still sees every row (expired ones too).
    assert verify_store(store, KEY).valid


def test_the_purge_follows_category_and_tenant_and_the_store_still_verifies(
        store_url: str, store: Store, tmp_path: Path) -> None:
    write(store_url, tmp_path, ROWS)
    assert store.purge(on_purge=purge_checkpointer(KEY)) == len(PURGED)
    left = indexes(store.iter_events(Query()))
    assert left == set(range(len(ROWS))) - PURGED
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    [chain] = report.chains
    # seq 1 and 2 (the oldest) went as the prefix; 4, 6 and 8 from the middle left links.
    assert chain.purged_through == 2
    links = store.links()  # type: ignore[attr-defined]
    assert sorted(link["seq"] for link in links) == [4, 6, 8]
    # A second purge finds nothing more and changes nothing.
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 0
    assert verify_store(store, KEY).valid


def test_a_deletion_beside_the_purged_holes_is_still_caught(
        store_url: str, store: Store, tmp_path: Path) -> None:
    write(store_url, tmp_path, ROWS)
    store.purge(on_purge=purge_checkpointer(KEY))
    sql(store_url, "DELETE FROM events WHERE seq = %s", 7)  # initech's kept event
    report = verify_store(store, KEY)
    assert [(p.kind, p.first_seq) for p in report.all_problems()] == [("missing", 7)]


def test_a_forged_link_does_not_hide_a_deletion(store_url: str, store: Store,
                                                tmp_path: Path) -> None:
    write(store_url, tmp_path, ROWS)
    store.purge(on_purge=purge_checkpointer(KEY))
    [row] = [e for e in store.iter_by_chain() if e["integrity"]["seq"] == 7]
    integrity = row["integrity"]
    sql(store_url, "DELETE FROM events WHERE seq = %s", 7)
    forged = make_link(integrity["chain"], 7, integrity["prev"], integrity["hash"],
                       "not-the-key")
    sql(store_url, "INSERT INTO links (chain, seq, record) VALUES (%s, %s, %s)",
        integrity["chain"], 7, json.dumps(forged))
    report = verify_store(store, KEY)
    assert not report.valid
    assert {p.first_seq for p in report.all_problems()} == {7}


def test_a_legal_hold_keeps_a_tenants_events_until_it_is_lifted(
        store_url: str, store: Store, tmp_path: Path) -> None:
    write(store_url, tmp_path, ROWS)
    hold = store.add_hold("acme", reason="litigation 2026-17")  # type: ignore[attr-defined]
    category_hold = store.add_hold("initech", "site_access")  # type: ignore[attr-defined]
    # Held events are read again, though past their retention, as soon as the hold is on.
    store._holds_cache = None  # type: ignore[attr-defined]
    assert {0, 1, 5} <= indexes(store.iter_events(Query()))
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 2  # only globex's and None's
    assert indexes(store.iter_events(Query(tenant=("acme",)))) == {0, 1, 2, 8}
    assert verify_store(store, KEY).valid
    listed = store.holds()  # type: ignore[attr-defined]
    assert [(h.id, h.tenant, h.category, h.reason) for h in listed] == [
        (hold.id, "acme", None, "litigation 2026-17"), (category_hold.id, "initech",
                                                        "site_access", "")]
    store.remove_hold(hold.id)  # type: ignore[attr-defined]
    store.remove_hold(category_hold.id)  # type: ignore[attr-defined]
    assert store.holds() == []  # type: ignore[attr-defined]
    assert len(store.holds(include_removed=True)) == 2  # type: ignore[attr-defined]
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 3
    assert indexes(store.iter_events(Query())) == set(range(len(ROWS))) - PURGED
    report = verify_store(store, KEY)
    assert report.valid, report.summary()
    assert report.chains[0].purged_through == 2  # seq 1 and 2 both gone now: the prefix


def test_the_clock_decides_injected_time(store_url: str, store: Store,
                                         tmp_path: Path) -> None:
    """The purge at an injected ``now``: an acme site_access event 10 days old is kept
    today and purged 81 days later, when it is 91 days old."""
    write(store_url, tmp_path, [("acme", "site_access", 10), ("acme", "createAssetGroup", 10)])
    assert store.purge(on_purge=purge_checkpointer(KEY)) == 0
    later = datetime.now(UTC) + timedelta(days=81)
    assert store.purge(later, on_purge=purge_checkpointer(KEY)) == 1
    assert verify_store(store, KEY).valid


def test_config_retention_table_and_the_old_retention_days(tmp_path: Path) -> None:
    path = tmp_path / "auditmw.toml"
    path.write_text('[store]\nretention = {default = 400, categories = {site_access = 90}, '
                    'tenants = {acme = {default = 30}}}\n')
    policy = load_config(path).store.retention_policy()
    assert (policy.default, policy.days_for("x", "site_access"),
            policy.days_for("acme", "other")) == (400, 90, 30)
    path.write_text("[store]\nretention_days = 200\n")
    assert load_config(path).store.retention_policy().default == 200
    path.write_text("[store]\nretention_days = 200\nretention = {default = 100}\n")
    with pytest.raises(ConfigError, match="retention"):
        load_config(path)
    path.write_text("[store]\nretention = {categories = {site_access = 0}}\n")
    with pytest.raises(ConfigError, match="retention"):
        load_config(path)


# --- one rule in SQL and in Python: random policies, holds, events and pages -----------

CATEGORIES = ("site_access", "inventory_configuration", "data_extraction")
TENANT_NAMES = ("acme", "globex", "initech")
days = st.integers(min_value=1, max_value=400)
policies = st.fixed_dictionaries({
    "default": days,
    "categories": st.dictionaries(st.sampled_from(CATEGORIES), days, max_size=2),
    "tenants": st.dictionaries(st.sampled_from(TENANT_NAMES), st.fixed_dictionaries(
        {}, optional={"default": days,
                      "categories": st.dictionaries(st.sampled_from(CATEGORIES), days,
                                                    max_size=2)}), max_size=2)})
stored = st.lists(st.tuples(st.sampled_from((*TENANT_NAMES, None)),
                            st.sampled_from(CATEGORIES), st.integers(0, 420)),
                  min_size=1, max_size=25)
held = st.lists(st.tuples(st.sampled_from(TENANT_NAMES),
                          st.sampled_from((None, *CATEGORIES))), max_size=2)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(policy=policies, rows=stored, holds=held, limit=st.integers(1, 7),
       order=st.sampled_from(("asc", "desc")), tenant=st.sampled_from((None, *TENANT_NAMES)))
def test_reads_keep_exactly_what_the_python_rule_keeps(
        tmp_path_factory: pytest.TempPathFactory, policy: dict[str, Any],
        rows: list[tuple[str | None, str, int]], holds: list[tuple[str, str | None]],
        limit: int, order: str, tenant: str | None) -> None:
    """Whatever the rules and holds: every read (count, pages walked by cursor, the
    stream) returns exactly the events :func:`expired` keeps, and the purge deletes
    exactly the others."""
    from auditmw.store.retention import expired

    directory = tmp_path_factory.mktemp("prop")
    url = f"sqlite:///{directory}/audit.db"
    now = time.time_ns()
    events = [event(t, c, now - age * DAY_NS - i * 10**6, i).to_dict()
              for i, (t, c, age) in enumerate(rows)]
    store = open_store(url, retention=policy)
    try:
        store.write(events)
        placed = [store.add_hold(t, c) for t, c in holds]  # type: ignore[attr-defined]
        rule = RetentionPolicy.of(policy)
        kept = {int(e["details"]["i"]) for e in events
                if not expired(rule, placed, None,
                               int(datetime.fromisoformat(e["time"]).timestamp() * 1e6),
                               tenant=e.get("tenant"), category=e["category"])}
        query = Query(tenant=(tenant,) if tenant else ())
        want = {i for i in kept if tenant is None or rows[i][0] == tenant}
        assert store.count(query) == len(want)
        seen: list[int] = []
        page = store.query(query, order=order, limit=limit)  # type: ignore[arg-type]
        while True:
            seen.extend(int(e["details"]["i"]) for e in page.items)
            if page.next is None:
                break
            page = store.query(query, order=order, limit=limit,  # type: ignore[arg-type]
                               cursor=page.next)
        assert sorted(seen) == sorted(want)
        assert len(seen) == len(set(seen))
        assert indexes(store.iter_events(query)) == want
        store.purge()
        assert indexes(store.iter_events(Query(), )) == kept
        assert {int(e["details"]["i"]) for e in store.iter_by_chain()} == kept
    finally:
        store.close()
