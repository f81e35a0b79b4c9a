"""Which root fields of an operation can be catalogued: read once per document.

An operation's root fields are among the field nodes its selection set reaches at the
root level — directly, through inline fragments and through fragment spreads.
graphql-core's own collection (``@skip``/``@include``, type conditions, merging by
response key) only ever keeps a subset of them. So when none of those names is
catalogued for the operation's type, nothing of the execution can be, and the hook does
no work for it beyond counting it; when some are, the hook arms itself for the response
keys they may run under and nothing else.

The answer depends only on the parsed operation (the AST is immutable) and the
catalogue (immutable too), so it is kept per operation node: a server executing a
cached document pays for the walk once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

if TYPE_CHECKING:
    from auditmw.catalog import Catalog, Entry

_CACHE_SIZE = 1024


class RootPlan(NamedTuple):
    """The catalogued root fields an operation may run: entries by field name, and the
    response keys (alias or name) they may run under."""

    entries: dict[str, Entry]
    keys: frozenset[str]


def read_plan(operation: Any, fragments: Mapping[str, Any], catalog: Catalog
              ) -> RootPlan | None:
    """The operation's :class:`RootPlan`, or ``None`` when no root field it reaches is
    catalogued for its type. Iterative, each fragment read once: a document nesting
    fragments deeper than Python's recursion limit is still read to the end."""
    operation_type = operation.operation.value
    match = catalog.match
    entries: dict[str, Entry] = {}
    keys: set[str] = set()
    pending = [operation.selection_set]
    seen: set[str] = set()
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                entry = match(name, operation_type)
                if entry is not None:
                    entries[name] = entry
                    keys.add(selection.alias.value if selection.alias else name)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment_name = selection.name.value
                if fragment_name in seen:
                    continue
                seen.add(fragment_name)
                fragment = fragments.get(fragment_name)
                if fragment is not None:  # 3.3: FragmentDetails; 3.2: the definition
                    pending.append(getattr(fragment, "definition", fragment).selection_set)
    return RootPlan(entries, frozenset(keys)) if entries else None


class PlanCache:
    """:func:`read_plan` kept per operation node (by identity; the node is held, so its
    id is not reused) and checked against the catalogue it was read with."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[Any, Catalog, RootPlan | None]] = {}

    def get(self, operation: Any, fragments: Mapping[str, Any],
            catalog: Catalog) -> RootPlan | None:
        cached = self._plans.get(id(operation))
        if cached is not None and cached[0] is operation and cached[1] is catalog:
            return cached[2]
        plan = read_plan(operation, fragments, catalog)
        if len(self._plans) >= _CACHE_SIZE:  # documents parsed per request
            self._plans.clear()
        self._plans[id(operation)] = (operation, catalog, plan)
        return plan
