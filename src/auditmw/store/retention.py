"""How long each event is kept: per category, per tenant, and past both under a legal hold.

One :class:`RetentionPolicy` answers "how many days for an event of tenant T, category
C" (:meth:`RetentionPolicy.days_for`), most specific rule first:

1. the tenant's own rule for that category (``tenants.T.categories.C``),
2. the rule for the category (``categories.C``) — a category rule is usually a legal
   minimisation (site access logs hold IP addresses), so a tenant's longer *default*
   does not lengthen it; only a rule naming the category for that tenant does,
3. the tenant's default (``tenants.T.default``),
4. the default.

An active :class:`Hold` on a tenant (optionally one category of it) keeps its events
however old. :func:`live_clause` is the one SQL rule both the reads ("expired events are
never returned, purged or not") and the purge (which deletes the complement) use, so
what a read hides and what a purge deletes cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from auditmw.store.rows import datetime_to_us


@dataclass(frozen=True, slots=True)
class Hold:
    """A legal hold: events of ``tenant`` (of ``category`` only, when set) survive
    retention until the hold is removed."""

    id: str
    tenant: str
    category: str | None
    reason: str
    created: str
    removed: str | None = None

    def covers(self, tenant: str | None, category: str | None) -> bool:
        return (self.removed is None and tenant == self.tenant
                and (self.category is None or category == self.category))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "tenant": self.tenant, "category": self.category,
                "reason": self.reason, "created": self.created, "removed": self.removed}


@dataclass(frozen=True, slots=True)
class TenantRetention:
    default: int | None = None
    categories: Mapping[str, int] = field(default_factory=dict)


def _check_days(where: str, days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"{where} must be a whole number of days, at least 1, not {days!r}")
    return days


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days to keep events, by category and tenant (module docstring for the order)."""

    default: int = 365
    categories: Mapping[str, int] = field(default_factory=dict)
    tenants: Mapping[str, TenantRetention] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_days("store.retention.default", self.default)
        for name, days in self.categories.items():
            _check_days(f"store.retention.categories.{name}", days)
        for tenant, rule in self.tenants.items():
            if rule.default is not None:
                _check_days(f"store.retention.tenants.{tenant}.default", rule.default)
            for name, days in rule.categories.items():
                _check_days(f"store.retention.tenants.{tenant}.categories.{name}", days)

    @classmethod
    def of(cls, value: RetentionPolicy | Mapping[str, Any] | int | None,
           retention_days: int = 365) -> RetentionPolicy:
        """A policy from a policy, a ``store.retention`` mapping, or plain days."""
        if isinstance(value, RetentionPolicy):
            return value
        if value is None:
            return cls(default=retention_days)
        if isinstance(value, int):
            return cls(default=value)
        unknown = sorted(set(value) - {"default", "categories", "tenants"})
        if unknown:
            raise ValueError(f"store.retention: unknown key {unknown[0]!r}; allowed: "
                             "default, categories, tenants")
        tenants = {}
        for tenant, rule in dict(value.get("tenants") or {}).items():
            extra = sorted(set(rule) - {"default", "categories"})
            if extra:
                raise ValueError(f"store.retention.tenants.{tenant}: unknown key "
                                 f"{extra[0]!r}; allowed: default, categories")
            tenants[str(tenant)] = TenantRetention(rule.get("default"),
                                                   dict(rule.get("categories") or {}))
        return cls(default=value.get("default", retention_days),
                   categories=dict(value.get("categories") or {}), tenants=tenants)

    @property
    def simple(self) -> bool:
        """One period for every event (the ``retention_days`` of old)."""
        return not self.categories and not self.tenants

    def days_for(self, tenant: str | None, category: str | None) -> int:
        rule = self.tenants.get(tenant) if tenant is not None else None
        if rule is not None and category is not None and category in rule.categories:
            return rule.categories[category]
        if category is not None and category in self.categories:
            return self.categories[category]
        if rule is not None and rule.default is not None:
            return rule.default
        return self.default

    def longest(self) -> int:
        return max(self._all_days())

    def shortest(self) -> int:
        return min(self._all_days())

    def _all_days(self) -> list[int]:
        days = [self.default, *self.categories.values()]
        for rule in self.tenants.values():
            days.extend(rule.categories.values())
            if rule.default is not None:
                days.append(rule.default)
        return days

    def to_dict(self) -> dict[str, Any]:
        return {"default": self.default, "categories": dict(self.categories),
                "tenants": {t: {"default": r.default, "categories": dict(r.categories)}
                            for t, r in self.tenants.items()}}


def cut_us(now: datetime | None, days: int) -> int:
    """Events older than this many days before ``now`` (microseconds) are expired."""
    return datetime_to_us((now or datetime.now(UTC)) - timedelta(days=days))


def expired(policy: RetentionPolicy, holds: Sequence[Hold], now: datetime | None,
            time_us: int, *, tenant: str | None, category: str | None) -> bool:
    """Whether one event is past its retention and no hold keeps it (the purge asks
    this of each row's *own* signed fields after the SQL picked it)."""
    if any(hold.covers(tenant, category) for hold in holds):
        return False
    return time_us < cut_us(now, policy.days_for(tenant, category))


def live_clause(policy: RetentionPolicy, holds: Sequence[Hold], now: datetime | None,
                placeholder: str, time_param: Any = int) -> tuple[str, list[Any]]:
    """SQL (over ``events``' ``ts``/``tenant``/``category`` columns) true for events
    still within retention or held, with its parameters. ``time_param`` turns
    microseconds into the backend's ``ts`` value."""
    ph = placeholder
    params: list[Any] = []
    cases: list[str] = []
    for tenant, rule in sorted(policy.tenants.items()):
        for category, days in sorted(rule.categories.items()):
            cases.append(f"WHEN tenant = {ph} AND category = {ph} THEN {ph}")
            params.extend((tenant, category, time_param(cut_us(now, days))))
    for category, days in sorted(policy.categories.items()):
        cases.append(f"WHEN category = {ph} THEN {ph}")
        params.extend((category, time_param(cut_us(now, days))))
    for tenant, rule in sorted(policy.tenants.items()):
        if rule.default is not None:
            cases.append(f"WHEN tenant = {ph} THEN {ph}")
            params.extend((tenant, time_param(cut_us(now, rule.default))))
    default_cut = time_param(cut_us(now, policy.default))
    if cases:
        clause = f"ts >= CASE {' '.join(cases)} ELSE {ph} END"
        params.append(default_cut)
        # A plain bound too: the planner can use it as an index range.
        clause = f"ts >= {ph} AND {clause}"
        params.insert(0, time_param(cut_us(now, policy.longest())))
    else:
        clause = f"ts >= {ph}"
        params.append(default_cut)
    active = [hold for hold in holds if hold.removed is None]
    if not active:
        return clause, params
    held: list[str] = []
    for hold in active:
        # IS NOT NULL: a NULL tenant must make the term false, not unknown, or the
        # purge's NOT (...) would skip events that have no tenant.
        if hold.category is None:
            held.append(f"(tenant IS NOT NULL AND tenant = {ph})")
            params.append(hold.tenant)
        else:
            held.append(f"(tenant IS NOT NULL AND category IS NOT NULL AND tenant = {ph} "
                        f"AND category = {ph})")
            params.extend((hold.tenant, hold.category))
    return f"(({clause}) OR {' OR '.join(held)})", params

