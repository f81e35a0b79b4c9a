"""Which root fields of an operation can be catalogued: read once per document.

An operation's root fields are among the field nodes its selection set reaches at the
root level — directly, through inline fragments and through fragment spreads.
graphql-core's own collection (``@skip``/``@include``, type conditions, merging by
response key) only ever keeps a subset of them. So when none of those names is
catalogued for the operation's type, nothing of the execution can be, and the hook does
no work for it beyond counting it; when some are, the hook arms itself for the response
keys they may run under and nothing else.

The answer depends only on the operation's document and the catalogue (both immutable),
so it is kept per document *text* and operation position: a server executing a cached
document, or one parsing the same text per request (Ariadne, Graphene), pays for the walk
once — and the cache holds the text, never a parsed tree (holding the node, as first
built, kept every per-request parse alive: 1,024 documents' trees).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

if TYPE_CHECKING:
    from auditmw.catalog import Catalog, Entry

_CACHE_SIZE = 1024
#: Documents longer than this are planned each time rather than kept (a padded document
#: would make the cache big; its walk is small beside its parse).
MAX_KEPT_DOCUMENT = 4096


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
    """:func:`read_plan` kept per (document text, operation offset), checked against the
    catalogue it was read with; an operation without its source text (parsed with
    ``no_location``) or with a long one is read each time."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, int], tuple[Catalog, RootPlan | None]] = {}

    def get(self, operation: Any, fragments: Mapping[str, Any],
            catalog: Catalog) -> RootPlan | None:
        key = _document_key(operation)
        if key is None:
            return read_plan(operation, fragments, catalog)
        cached = self._plans.get(key)
        if cached is not None and cached[0] is catalog:
            return cached[1]
        plan = read_plan(operation, fragments, catalog)
        if len(self._plans) >= _CACHE_SIZE:  # the simplest bound, no order to keep
            self._plans.clear()
        self._plans[key] = (catalog, plan)
        return plan


def _document_key(operation: Any) -> tuple[str, int] | None:
    loc: Any = getattr(operation, "loc", None)
    body = getattr(getattr(loc, "source", None), "body", None)
    if type(body) is not str or len(body) > MAX_KEPT_DOCUMENT:
        return None
    return body, int(loc.start)
