"""GraphQL documents → the catalogued top-level fields an operation would execute.

A document is parsed once (graphql-core's parser, with a token limit) and its plan is
cached by its text: for every operation, the catalogued root fields reached directly or
through fragment spreads and inline fragments, with their argument nodes and the
``@skip``/``@include`` directives on the way. Selecting an operation for a request then
only evaluates those nodes against the request's variables. Aliases are ignored for
matching (the field *name* decides) and kept as the response key.

A document that names no catalogued event at all (checked on its identifiers before
parsing) is never parsed. Nothing here raises: a document that cannot be parsed (syntax,
too deep for the parser) has no plan, exactly as the app will refuse it. There is no
token limit of auditmw's own: a limit the app does not share would let a padded document
run unaudited; ``capture.max_body_bytes`` bounds the work instead.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    parse,
)
from graphql.pyutils import Undefined
from graphql.utilities import value_from_ast_untyped

from auditmw.catalog import Catalog, Entry

log = logging.getLogger("auditmw.capture")

MAX_FRAGMENT_DEPTH = 32
CACHE_SIZE = 512
CACHE_MAX_TEXT = 32_768

_IDENTIFIER = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


@dataclass(frozen=True, slots=True)
class PlannedField:
    """A catalogued root field in a parsed document (variables not yet applied)."""

    entry: Entry
    response_key: str
    arguments: tuple[tuple[str, ValueNode], ...]
    conditions: tuple[DirectiveNode, ...]


@dataclass(frozen=True, slots=True)
class OperationPlan:
    operation_type: str
    fields: tuple[PlannedField, ...]


@dataclass(frozen=True, slots=True)
class FieldCall:
    """A catalogued field one request executes: what the HTTP layer knows of it."""

    entry: Entry
    response_key: str
    operation_name: str | None
    operation_type: str
    arguments: dict[str, Any]
    #: Position of the operation in a batched request (0 when not batched).
    index: int = 0


#: Operation name (``None`` for an anonymous one) → its plan; empty when nothing matches.
DocumentPlan = Mapping[str | None, OperationPlan]
_NOTHING: DocumentPlan = {}


class DocumentAnalyzer:
    """Plans documents against one catalogue, with a bounded cache keyed by the text."""

    def __init__(self, catalog: Catalog, cache_size: int = CACHE_SIZE) -> None:
        self.catalog = catalog
        self._names = frozenset(catalog.entries)
        self._cache: OrderedDict[str, DocumentPlan] = OrderedDict()
        self._cache_size = cache_size

    def plan(self, text: str) -> DocumentPlan:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        plan = self._plan_uncached(text)
        if len(text) <= CACHE_MAX_TEXT:
            self._cache[text] = plan
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return plan

    def _plan_uncached(self, text: str) -> DocumentPlan:
        # A document whose identifiers name no catalogued event cannot match.
        if self._names.isdisjoint(_IDENTIFIER.findall(text)):
            return _NOTHING
        try:
            document = parse(text, no_location=True)
        except RecursionError:
            return _NOTHING
        except Exception:  # GraphQLSyntaxError and anything else: the app refuses it too
            return _NOTHING
        return self._plan_document(document)

    def _plan_document(self, document: DocumentNode) -> DocumentPlan:
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        plans: dict[str | None, OperationPlan] = {}
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            op_type = definition.operation.value
            found: list[PlannedField] = []
            self._collect(definition.selection_set, op_type, fragments=fragments,
                          conditions=(), found=found, visiting=set(), depth=0)
            name = definition.name.value if definition.name else None
            plans[name] = OperationPlan(op_type, tuple(found))
        if not any(p.fields for p in plans.values()):
            return _NOTHING
        return plans

    def _collect(self, selection_set: SelectionSetNode | None, op_type: str, *,
                 fragments: Mapping[str, FragmentDefinitionNode],
                 conditions: tuple[DirectiveNode, ...], found: list[PlannedField],
                 visiting: set[str], depth: int) -> None:
        if selection_set is None or depth > MAX_FRAGMENT_DEPTH:
            return
        for selection in selection_set.selections:
            here = conditions + tuple(selection.directives or ())
            if isinstance(selection, FieldNode):
                entry = self.catalog.match(selection.name.value, op_type)
                if entry is not None:
                    key = selection.alias.value if selection.alias else selection.name.value
                    args = tuple((a.name.value, a.value) for a in selection.arguments or ())
                    found.append(PlannedField(entry, key, args, here))
            elif isinstance(selection, InlineFragmentNode):
                self._collect(selection.selection_set, op_type, fragments=fragments,
                              conditions=here, found=found, visiting=visiting,
                              depth=depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in visiting:
                    continue
                visiting.add(name)
                self._collect(fragment.selection_set, op_type, fragments=fragments,
                              conditions=here + tuple(fragment.directives or ()),
                              found=found, visiting=visiting, depth=depth + 1)
                visiting.discard(name)


def select_operation(plan: DocumentPlan, operation_name: str | None) -> OperationPlan | None:
    """The operation a request runs: by ``operationName``, or the only one there is."""
    if not plan:
        return None
    if operation_name is None:
        return next(iter(plan.values())) if len(plan) == 1 else None
    return plan.get(operation_name)


def calls_for(plan: DocumentPlan, operation_name: str | None,
              variables: Mapping[str, Any] | None, index: int = 0) -> list[FieldCall]:
    """The catalogued fields the chosen operation executes, arguments resolved."""
    operation = select_operation(plan, operation_name)
    if operation is None:
        return []
    if operation_name is None:
        operation_name = next(iter(plan))
    variables = variables or {}
    calls: list[FieldCall] = []
    keys: set[str] = set()
    for planned in operation.fields:
        if planned.response_key in keys or not _included(planned.conditions, variables):
            continue  # GraphQL merges a response key's selections: one execution
        keys.add(planned.response_key)
        arguments: dict[str, Any] = {}
        for name, node in planned.arguments:
            value = _value(node, variables)
            if value is not Undefined:
                arguments[name] = value
        calls.append(FieldCall(planned.entry, planned.response_key, operation_name,
                               operation.operation_type, arguments, index))
    return calls


def _value(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    try:
        return value_from_ast_untyped(node, dict(variables))
    except Exception:
        return Undefined


def _included(conditions: tuple[DirectiveNode, ...], variables: Mapping[str, Any]) -> bool:
    """``@skip(if: true)`` / ``@include(if: false)`` anywhere on the way leave it out."""
    for directive in conditions:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        flag = True
        for argument in directive.arguments or ():
            if argument.name.value == "if":
                flag = bool(_value(argument.value, variables))
        if (name == "skip") == flag:
            return False
    return True
