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
from typing import Any

from pydantic import ValidationError

from auditmw.catalog.actions import derive_action
from auditmw.catalog.model import CatalogFileModel, Category, Entry, Operation
from auditmw.errors import ConfigError, format_validation_error

__all__ = ["Catalog", "Category", "Entry", "derive_action"]

# Exports are often queries, so this category matches query fields too by default.
QUERY_CATEGORIES = frozenset({"data_extraction"})


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

    def __init__(self, categories: Iterable[Category], entries: Iterable[Entry]) -> None:
        self.categories: dict[str, Category] = {c.id: c for c in categories}
        self.entries: dict[str, Entry] = {e.name: e for e in entries}
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
        if builtin:
            text = resources.files("auditmw.catalog").joinpath("builtin.toml").read_text("utf-8")
            sources.append(("builtin catalogue", tomllib.loads(text)))
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
                    raise ConfigError(
                        f"{origin}: events.{name}.category: unknown category {item.category!r}; "
                        f"known: {', '.join(sorted(categories))}"
                    )
                ops = (frozenset(item.operations) if item.operations
                       else _default_operations(item.category))
                entries[name] = Entry(
                    name=name, category=item.category, description=item.description,
                    action=item.action or derive_action(name), sensitive=item.sensitive,
                    operations=ops, target=item.target, builtin=origin == "builtin catalogue",
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
        return cls(categories.values(), kept)
