"""Catalogue entries and categories, and the file format users extend them with.

A catalogue file is TOML with ``[categories.ID]`` (``name``, ``description``) and
``[events.NAME]`` (``category``, ``description``, ``action``, ``sensitive``,
``operations``, ``target``, ``outcome_path``) tables. Every key is checked; a user file
may override a built-in entry by naming it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditmw.event import Action

Operation = Literal["mutation", "query", "subscription"]


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalogued event.

    ``target`` is an optional dotted path into the response data or the arguments
    (``"asset.id"``) naming the object acted on; without it capture looks for the
    returned object's ``id``/``key``/``name``.
    """

    name: str
    category: str
    description: str
    action: Action
    sensitive: bool = False
    operations: frozenset[Operation] = frozenset({"mutation"})
    target: str | None = None
    builtin: bool = True
    #: Errors-as-data: a dotted path into the returned data; ``false`` or a non-empty
    #: list there makes the call a ``failure`` (``"success"``, ``"userErrors"``).
    outcome_path: str | None = None


class CategoryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""


class EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    description: str = ""
    action: Action | None = None
    sensitive: bool = False
    operations: list[Operation] | None = None
    target: str | None = None
    outcome_path: str | None = None


class CatalogFileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    categories: dict[str, CategoryModel] = Field(default_factory=dict)
    events: dict[str, EntryModel] = Field(default_factory=dict)
