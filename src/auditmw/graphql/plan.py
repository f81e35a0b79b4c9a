"""Which root fields of an operation can be catalogued: read once per document.

An operation's root fields are among the field nodes its selection set reaches at the
root level — directly, through inline fragments and through fragment spreads.
graphql-core's own collection (``@skip``/``@include``, type conditions, merging by
response key) only ever keeps a subset of them. So when none of those names is
catalogued for the operation's type, nothing of the execution can be, and the hook does
no work for it beyond counting it; when some are, the hook arms itself for the response
keys they may run under and nothing else.

The answer depends only on the operation's document and the catalogue (both immutable),
so it is kept twice over. By the operation node's identity, when its root level spreads
no fragment (the answer then depends on the node alone): a server executing a cached
document (Strawberry's ``ParserCache``, a persisted-query store) finds it with one dict
lookup and a weak reference's check, and the entry goes with the node (a weak reference,
never the node itself; graphql-core 3.3's nodes are frozen, so nothing is written on
them). And per document *text* and operation position: a server parsing the same text
per request (Ariadne, Graphene) pays for the walk once — that cache holds the text,
never a parsed tree (holding the node, as first built, kept every per-request parse
alive: 1,024 documents' trees).
"""

from __future__ import annotations

import weakref
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


def spreads_fragments(operation: Any) -> bool:
    """Whether the operation's root level reaches a fragment spread (directly or through
    inline fragments): its plan then depends on the document's fragments too."""
    pending = [operation.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                return True
            if isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
    return False


_NodeEntry = tuple["weakref.ref[Any]", "Catalog", "RootPlan | None"]


class PlanCache:
    """:func:`read_plan` kept per operation node (when it spreads no fragment) and per
    (document text, operation offset), each checked against the catalogue it was read
    with; an operation without its source text (parsed with ``no_location``) or with a
    long one, that spreads fragments, is read each time."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, int], tuple[Catalog, RootPlan | None]] = {}
        #: id(node) → (a weak reference to it, catalogue, plan); the reference's
        #: callback drops the entry when the node goes, before its id can be reused.
        self.by_node: dict[int, _NodeEntry] = {}

    def get(self, operation: Any, fragments: Mapping[str, Any],
            catalog: Catalog) -> RootPlan | None:
        known = self.by_node.get(id(operation))  # the executions of a cached document
        if known is not None and known[1] is catalog and known[0]() is operation:
            return known[2]
        key = _document_key(operation)
        cached = self._plans.get(key) if key is not None else None
        if cached is not None and cached[0] is catalog:
            # a text seen before, in another node: a server parsing per request. Nothing
            # is kept by this node, which will not come again.
            return cached[1]
        plan = read_plan(operation, fragments, catalog)
        if key is not None:
            if len(self._plans) >= _CACHE_SIZE:  # the simplest bound, no order to keep
                self._plans.clear()
            self._plans[key] = (catalog, plan)
        if not spreads_fragments(operation):  # the first node of its text: maybe cached
            self._keep(operation, catalog, plan)
        return plan

    def _keep(self, operation: Any, catalog: Catalog, plan: RootPlan | None) -> None:
        by_node, key = self.by_node, id(operation)

        def forget(ref: weakref.ref[Any]) -> None:
            entry = by_node.get(key)
            if entry is not None and entry[0] is ref:
                by_node.pop(key, None)

        try:
            ref = weakref.ref(operation, forget)
        except TypeError:  # an operation that takes no weak reference: the text cache only
            return
        if len(by_node) >= _CACHE_SIZE:
            by_node.clear()
        by_node[key] = (ref, catalog, plan)


def _document_key(operation: Any) -> tuple[str, int] | None:
    loc: Any = getattr(operation, "loc", None)
    body = getattr(getattr(loc, "source", None), "body", None)
    if type(body) is not str or len(body) > MAX_KEPT_DOCUMENT:
        return None
    return body, int(loc.start)
