"""The event catalogue: which endpoint names are audit events, and how to file them.

>>> catalog = Catalog.load()
>>> catalog.match("createAssetGroup", "mutation").category
'inventory_configuration'
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from auditmw.catalog.actions import derive_action
from auditmw.catalog.model import CatalogFileModel, Category, Entry, Operation
from auditmw.errors import ConfigError, format_validation_error

if TYPE_CHECKING:
    from auditmw.config import CatalogConfig

__all__ = ["Catalog", "Category", "Entry", "derive_action"]

# Exports are often queries, so this category matches query fields too by default.
QUERY_CATEGORIES = frozenset({"data_extraction"})
# Events auditmw records itself (site access capture, the audit server's own exports):
# they stay in the catalogue with ``builtin = false``, with their built-in categories.
SELF_RECORDED = frozenset({"siteAccess", "exportAuditTrail", "addLegalHold",
                           "removeLegalHold"})
BUILTIN_ORIGIN = "builtin catalogue"


def _builtin_data() -> dict[str, Any]:
    text = resources.files("auditmw.catalog").joinpath("builtin.toml").read_text("utf-8")
    return tomllib.loads(text)


def _self_recorded_only(data: Mapping[str, Any]) -> dict[str, Any]:
    """The built-in catalogue cut down to :data:`SELF_RECORDED` and their categories."""
    events = {n: e for n, e in data.get("events", {}).items() if n in SELF_RECORDED}
    needed = {e["category"] for e in events.values()}
    categories = {c: v for c, v in data.get("categories", {}).items() if c in needed}
    return {"categories": categories, "events": events}


def _default_operations(category: str) -> frozenset[Operation]:
    if category in QUERY_CATEGORIES:
        return frozenset({"mutation", "query"})
    return frozenset({"mutation"})


def _read_file(data: Mapping[str, Any], origin: str) -> CatalogFileModel:
    try:
        return CatalogFileModel.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, prefix=f"{origin}: ")) from None


class Catalog:
    """An immutable set of enabled entries, looked up by endpoint name."""

    def __init__(self, categories: Iterable[Category], entries: Iterable[Entry], *,
                 implicit: Iterable[str] = ()) -> None:
        self.categories: dict[str, Category] = {c.id: c for c in categories}
        self.entries: dict[str, Entry] = {e.name: e for e in entries}
        #: Entries present only because ``builtin = false`` keeps :data:`SELF_RECORDED`
        #: (``auditmw coverage`` leaves them out of its report).
        self.implicit: frozenset[str] = frozenset(n for n in implicit if n in self.entries)
        # Names as UTF-8 bytes: a request body holding none of them cannot match.
        self.name_bytes: tuple[bytes, ...] = tuple(n.encode() for n in self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, name: str) -> Entry | None:
        return self.entries.get(name)

    def match(self, field_name: str, operation: str) -> Entry | None:
        """The entry a top-level field of this operation type records, if any."""
        entry = self.entries.get(field_name)
        if entry is not None and operation in entry.operations:
            return entry
        return None

    def in_category(self, category: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.category == category]

    @classmethod
    def from_config(cls, config: CatalogConfig) -> Catalog:
        """The catalogue a ``[catalog]`` table describes (the trail, ``check-config`` and
        ``auditmw catalog`` all build it here)."""
        extra = ({"categories": config.categories, "events": config.events}
                 if config.events or config.categories else None)
        return cls.load(builtin=config.builtin, files=config.files, extra=extra,
                        disabled_categories=config.disabled_categories,
                        disabled_events=config.disabled_events)

    @classmethod
    def load(
        cls,
        *,
        builtin: bool = True,
        files: Iterable[str | Path] = (),
        extra: Mapping[str, Any] | None = None,
        disabled_categories: Iterable[str] = (),
        disabled_events: Iterable[str] = (),
    ) -> Catalog:
        """Built-in data, then each file, then ``extra`` (same format), then the switches."""
        sources: list[tuple[str, Mapping[str, Any]]] = []
        builtin_data = _builtin_data()
        sources.append((BUILTIN_ORIGIN,
                        builtin_data if builtin else _self_recorded_only(builtin_data)))
        for path in files:
            try:
                with open(path, "rb") as fh:
                    sources.append((str(path), tomllib.load(fh)))
            except OSError as exc:
                raise ConfigError(f"catalog.files: cannot read {path}: {exc.strerror}") from None
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"catalog.files: {path} is not valid TOML: {exc}") from None
        if extra:
            sources.append(("catalog.events", extra))

        categories: dict[str, Category] = {}
        entries: dict[str, Entry] = {}
        for origin, data in sources:
            model = _read_file(data, origin)
            for cid, cat in model.categories.items():
                categories[cid] = Category(cid, cat.name, cat.description)
            for name, item in model.events.items():
                if item.category not in categories:
                    raise ConfigError(_unknown_category(
                        origin, name, item.category, known=categories,
                        builtin_data=builtin_data, builtin=builtin))
                ops = (frozenset(item.operations) if item.operations
                       else _default_operations(item.category))
                entries[name] = Entry(
                    name=name, category=item.category, description=item.description,
                    action=item.action or derive_action(name), sensitive=item.sensitive,
                    operations=ops, target=item.target, builtin=origin == BUILTIN_ORIGIN,
                    outcome_path=item.outcome_path,
                )

        off_categories = set(disabled_categories)
        off_events = set(disabled_events)
        for key, names, known in (
            ("catalog.disabled_categories", off_categories, categories),
            ("catalog.disabled_events", off_events, entries),
        ):
            unknown = sorted(names - set(known))
            if unknown:
                raise ConfigError(f"{key}: unknown name(s) {', '.join(unknown)}")
        kept = [e for e in entries.values()
                if e.category not in off_categories and e.name not in off_events]
        implicit = () if builtin else [e.name for e in kept if e.builtin]
        return cls(categories.values(), kept, implicit=implicit)


def _unknown_category(origin: str, event: str, category: str, *, known: Mapping[str, Any],
                      builtin_data: Mapping[str, Any], builtin: bool) -> str:
    where = f"{origin}: events.{event}.category: unknown category {category!r}"
    if not builtin and category in builtin_data.get("categories", {}):
        return (f"{where}: it is a built-in category, and [catalog] builtin = false leaves "
                "the built-in categories out; set builtin = true, or define it under "
                f"[catalog.categories.{category}] (name, description)")
    names = ", ".join(sorted(known)) or "(none: define categories under [catalog.categories])"
    return f"{where}; known: {names}"
