"""graphql-core's execution hook (3.2 and 3.3): root fields only, exactly what runs.

A counter in every resolver is the judge: events == executions, with the execution's
name, arguments and outcome, whatever the document does (directives with variable
defaults, merged fields, aliases, fragments nested deep, several operations).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw.context import RequestState, current_request
from auditmw.event import Client
from auditmw.graphql import (
    graphql_core_version,
    hook_active,
    installed_hook,
    instrument,
    uninstrument,
)
from auditmw.testing import capture_audit_events
from auditmw.trail import AuditTrail

SDL = """
type Query { ok: Boolean  asset(id: ID!): Asset  exportView(viewId: ID!): String }
type Asset { id: ID!  name: String  child: Asset }
type AssetGroup { id: ID! name: String! }
type Mutation {
  createAssetGroup(name: String!): AssetGroup
  deleteScope(id: ID!): Boolean
  renameThing(id: ID!): Boolean
}
"""


class Counter:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.nested = 0


def make_schema(counter: Counter, *, asynchronous: bool = False) -> graphql.GraphQLSchema:
    schema = graphql.build_schema(SDL)
    mutation = schema.mutation_type
    query = schema.query_type
    assert mutation is not None
    assert query is not None

    def counted(name: str, result: Any) -> Any:
        def resolve(_: Any, __: Any, **args: Any) -> Any:
            counter.calls.append((name, args))
            if isinstance(result, Exception):
                raise result
            return result(args) if callable(result) else result

        async def resolve_async(_: Any, info: Any, **args: Any) -> Any:
            await asyncio.sleep(0)
            return resolve(_, info, **args)

        return resolve_async if asynchronous else resolve

    mutation.fields["createAssetGroup"].resolve = counted(
        "createAssetGroup", lambda a: {"id": "g-" + a["name"], "name": a["name"]})
    mutation.fields["deleteScope"].resolve = counted("deleteScope", PermissionError("no"))
    mutation.fields["renameThing"].resolve = counted("renameThing", True)
    query.fields["exportView"].resolve = counted("exportView", "ok")
    query.fields["asset"].resolve = counted("asset", {"id": "a1", "name": "n", "child": None})

    def child(source: Any, _: Any) -> Any:
        counter.nested += 1
        return {"id": "c", "name": "c", "child": None}

    asset_type = schema.type_map["Asset"]
    assert isinstance(asset_type, graphql.GraphQLObjectType)
    asset_type.fields["child"].resolve = child
    return schema


@pytest.fixture
def trail() -> Iterator[AuditTrail]:
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"},
                       catalog={"events": {"renameThing": {
                                            "category": "inventory_configuration"}}})
    instrument(audit)
    yield audit
    uninstrument()
    audit.close()


def run(schema: graphql.GraphQLSchema, query: str, variables: dict[str, Any] | None = None,
        operation: str | None = None, *, asynchronous: bool = False) -> graphql.ExecutionResult:
    if asynchronous:
        return asyncio.run(graphql.graphql(schema, query, variable_values=variables,
                                           operation_name=operation))
    return graphql.graphql_sync(schema, query, variable_values=variables,
                                operation_name=operation)


CATALOGUED = {"createAssetGroup", "deleteScope", "exportView", "renameThing"}

SHAPES = [
    pytest.param('mutation { createAssetGroup(name: "a") { id } }', None, None, id="plain"),
    pytest.param('mutation { a: createAssetGroup(name: "a") { id } '
                 'b: createAssetGroup(name: "b") { id } }', None, None, id="aliases"),
    pytest.param('mutation { createAssetGroup(name: "a") { id } '
                 'createAssetGroup(name: "a") { name } }', None, None, id="merged"),
    pytest.param('mutation ($v: Boolean = true) { createAssetGroup(name: "a") @skip(if: $v) '
                 '{ id } }', None, None, id="skip-default-true"),
    pytest.param('mutation ($v: Boolean = true) { createAssetGroup(name: "a") @include(if: $v)'
                 ' { id } }', None, None, id="include-default-true"),
    pytest.param('mutation ($v: Boolean = true) { createAssetGroup(name: "a") @include(if: $v)'
                 ' { id } }', {"v": False}, None, id="include-variable-false"),
    pytest.param("mutation { " + "... on Mutation { " * 60 + 'createAssetGroup(name: "deep")'
                 " { id }" + " }" * 60 + " }", None, None, id="fragments-60-deep"),
    pytest.param('fragment F on Mutation { deleteScope(id: 1) } mutation { ...F ...F }',
                 None, None, id="spread-twice"),
    pytest.param('fragment F on Mutation { createAssetGroup(name: "a") @skip(if: true) { id } }'
                 ' mutation { ...F renameThing(id: 1) }', None, None, id="spread-skipped"),
    pytest.param("".join(f"fragment F{i} on Mutation {{ ...F{i + 1} }} " for i in range(80))
                 + 'fragment F80 on Mutation { x: createAssetGroup(name: "c") { id } } '
                 "mutation { ...F0 }", None, None, id="spreads-80-deep"),
    pytest.param('mutation A { createAssetGroup(name: "a") { id } } '
                 "mutation B { deleteScope(id: 2) }", None, "B", id="second-operation"),
    pytest.param('query { exportView(viewId: "v") ok }', None, None, id="query-field"),
    pytest.param('mutation ($n: String!) { createAssetGroup(name: $n) { id } }', {"n": "var"},
                 None, id="variable"),
    pytest.param('mutation { createAssetGroup(name: 5) { id } }', None, None,
                 id="invalid-argument"),
    pytest.param('mutation { deleteScope(id: 1) renameThing(id: 2) '
                 'createAssetGroup(name: "z") { id } }', None, None, id="three-serial"),
]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("query", "variables", "operation"), SHAPES)
def test_events_are_the_executions(trail: AuditTrail, query: str,
                                   variables: dict[str, Any] | None, operation: str | None,
                                   asynchronous: bool) -> None:
    counter = Counter()
    schema = make_schema(counter, asynchronous=asynchronous)
    with capture_audit_events(trail) as events:
        run(schema, query, variables, operation, asynchronous=asynchronous)
    ran = [(name, args) for name, args in counter.calls if name in CATALOGUED]
    assert [(e["event"], e["details"]) for e in events] == ran
    for event, (name, _) in zip(events, ran, strict=True):
        assert event["outcome"] == ("denied" if name == "deleteScope" else "success")


def test_nested_fields_never_meet_the_hook(trail: AuditTrail,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from auditmw.graphql import hook as graphql_hook

    calls = {"n": 0}
    original = graphql_hook._RootFields.__call__

    def counting(self: Any, *args: Any) -> Any:
        calls["n"] += 1
        return original(self, *args)

    monkeypatch.setattr(graphql_hook._RootFields, "__call__", counting)
    counter = Counter()
    query = 'query { exportView(viewId: "v") asset(id: 1) { ' + "child { " * 40 + "id" + \
        " }" * 40 + " } }"
    with capture_audit_events(trail) as events:
        run(make_schema(counter), query)
    assert [e["event"] for e in events] == ["exportView"]
    # only the catalogued root field went through the armed execute_field: disarmed
    # once it started, the other root field and all nested ones ran untouched
    assert calls["n"] == 1
    assert counter.nested == 40  # every nested resolver ran, untouched


def test_fail_closed_refuses_before_the_resolver(tmp_path: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    trail = AuditTrail(store=False, sinks=[],
                       delivery={"mode": "sync", "fail_closed": True,
                                 "spool_dir": str(tmp_path / "spool")})
    instrument(trail)
    monkeypatch.setattr(trail, "healthy", lambda: False)
    counter = Counter()
    with capture_audit_events(trail) as events:
        result = run(make_schema(counter), 'mutation { createAssetGroup(name: "a") { id } }')
    assert counter.calls == []
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "AUDIT_UNAVAILABLE"}
    assert [(e["event"], e["outcome"], e["error"]["type"]) for e in events] == [
        ("createAssetGroup", "failure", "AuditUnavailable")]
    trail.close()


def test_inside_a_request_facts_go_to_the_door(trail: AuditTrail) -> None:
    state = RequestState("POST", "/graphql", Client(ip="10.0.0.1"), "ui")
    token = current_request.set(state)
    try:
        with capture_audit_events(trail) as events:
            run(make_schema(Counter()), 'mutation { x: createAssetGroup(name: "a") { id } }')
    finally:
        current_request.reset(token)
    assert events == []
    assert state.executions == 1
    assert [(f.event, f.response_key, f.field_name) for f in state.fields] == [
        ("createAssetGroup", "x", "createAssetGroup")]


def test_install_is_idempotent_and_reports_the_version(trail: AuditTrail) -> None:
    assert graphql_core_version() >= (3, 2)
    assert instrument(trail) is False
    assert hook_active()
    hook = installed_hook()
    assert hook is not None
    assert hook.trail is trail
    with capture_audit_events(trail) as events:
        run(make_schema(Counter()), 'mutation { createAssetGroup(name: "a") { id } }')
    assert len(events) == 1


def test_older_graphql_core_is_refused_clearly(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from auditmw.graphql import install as graphql_install

    monkeypatch.setattr(graphql_install, "graphql_core_version", lambda: (3, 1))
    audit = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    try:
        assert instrument(audit) is False
        assert "graphql-core 3.1 is too old" in capsys.readouterr().err
    finally:
        audit.close()


_names = st.sampled_from(["createAssetGroup", "deleteScope", "renameThing"])
_selection = st.tuples(_names, st.sampled_from(["", "a1", "a2"]),
                       st.sampled_from(["", "@skip(if: $t)", "@skip(if: $f)",
                                        "@include(if: $t)", "@include(if: $f)"]),
                       st.integers(min_value=0, max_value=3))


def _render(selection: tuple[str, str, str, int]) -> str:
    name, alias, directive, depth = selection
    args = {"createAssetGroup": '(name: "h") { id }', "deleteScope": "(id: 1)",
            "renameThing": "(id: 1)"}[name]
    field = f"{alias + ': ' if alias else ''}{name}{args}"
    if directive:
        field = f"{alias + ': ' if alias else ''}{name} {directive}".replace(
            f"{name} ", f"{name}{args.split(' {')[0]} ") + (" { id }" if "{" in args else "")
    return "... on Mutation { " * depth + field + " }" * depth


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_selection, min_size=1, max_size=6))
def test_any_document_events_equal_executions(trail: AuditTrail,
                                              selections: list[tuple[str, str, str, int]]
                                              ) -> None:
    document = ("mutation ($t: Boolean = true, $f: Boolean = false) { "
                + " ".join(_render(s) for s in selections) + " }")
    counter = Counter()
    with capture_audit_events(trail) as events:
        result = run(make_schema(counter), document)
    if result.errors and result.data is None:  # refused by validation: nothing ran
        assert counter.calls == []
        assert events == []
        return
    assert [e["event"] for e in events] == [name for name, _ in counter.calls]


def _root_armed(schema: graphql.GraphQLSchema, query: str) -> list[bool]:
    """Whether the execution's ``execute_field`` was armed when its root fields ran."""
    seen: list[bool] = []

    class Watching(graphql.ExecutionContext):
        def execute_fields(self, parent_type: Any, source: Any, path: Any,
                           fields: Any) -> Any:
            if path is None:
                seen.append("execute_field" in vars(self))
            return super().execute_fields(parent_type, source, path, fields)

        execute_fields_serially = execute_fields  # type: ignore[assignment]

    document = graphql.parse(query)
    for _ in range(2):
        result = graphql.execute_sync(schema, document, execution_context_class=Watching)
        assert result.errors is None
    return seen


@pytest.mark.skipif(graphql_core_version() >= (3, 3), reason="3.2's patch point")
def test_nothing_catalogued_arms_nothing(trail: AuditTrail) -> None:
    schema = make_schema(Counter())
    with capture_audit_events(trail) as events:
        assert _root_armed(schema, 'query { ok asset(id: 1) { id } }') == [False, False]
        assert _root_armed(schema, 'mutation { renameThing(id: 1) }') == [True, True]
    assert [e["event"] for e in events] == ["renameThing", "renameThing"]


def test_a_parsed_operation_is_read_once(trail: AuditTrail,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from auditmw.graphql import plan

    reads: list[object] = []
    original = plan.read_plan

    def counting(operation: Any, *args: Any) -> Any:
        reads.append(operation)
        return original(operation, *args)

    monkeypatch.setattr(plan, "read_plan", counting)
    schema = make_schema(Counter())
    documents = [graphql.parse('mutation { createAssetGroup(name: "a") { id } }'),
                 graphql.parse("query { ok }")]
    with capture_audit_events(trail) as events:
        for _ in range(3):
            for document in documents:
                assert graphql.execute_sync(schema, document).errors is None
    assert len(events) == 3
    assert len(reads) == 2  # once per document, not per execution
    # the same text parsed again (a server parsing per request) is not read again,
    # and the cache holds text, not the parsed trees
    assert graphql.execute_sync(schema, graphql.parse(
        'mutation { createAssetGroup(name: "a") { id } }')).errors is None
    assert len(reads) == 2
    held = [v for v in vars(plan).values() if isinstance(v, plan.PlanCache)]
    for cache in held:
        for key, value in cache._plans.items():
            assert isinstance(key[0], str)
            assert not any(isinstance(part, graphql.language.Node) for part in value)
    # a long document is planned every time rather than kept
    padded = 'mutation { createAssetGroup(name: "b") { id } }' + " " * plan.MAX_KEPT_DOCUMENT
    for _ in range(2):
        assert graphql.execute_sync(schema, graphql.parse(padded)).errors is None
    assert len(reads) == 4
    # another catalogue (a new trail) is read afresh
    other = AuditTrail(store=False, sinks=[], delivery={"mode": "sync"})
    try:
        instrument(other)
        assert graphql.execute_sync(schema, documents[0]).errors is None
        assert len(reads) == 5
    finally:
        instrument(trail)
        other.close()


def test_a_cached_document_keeps_its_plan_on_the_node(trail: AuditTrail,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A server executing one parsed document again (Strawberry's ParserCache) finds the
    plan by the operation node; an operation spreading fragments is kept by none (its
    plan depends on the document's fragments, which another document may define
    otherwise around the same node); the entry goes with the node."""
    from auditmw.graphql import plan

    reads: list[int] = []
    original = plan.read_plan

    def counting(operation: Any, *args: Any) -> Any:
        reads.append(id(operation))  # not the node: it must be free to go
        return original(operation, *args)

    monkeypatch.setattr(plan, "read_plan", counting)
    monkeypatch.setattr(plan, "_document_key", lambda operation: None)  # no text cache
    schema = make_schema(Counter())
    document = graphql.parse('mutation { createAssetGroup(name: "a") { id } }')
    with capture_audit_events(trail) as events:
        for _ in range(3):
            assert graphql.execute_sync(schema, document).errors is None
    assert len(reads) == 1
    assert len(events) == 3
    hook = installed_hook()
    assert hook is not None
    by_node = hook.plans.by_node
    assert by_node[id(document.definitions[0])][1] is trail.catalog
    # the same text parsed again (a server parsing per request) is found by its text, and
    # its node, which will not come again, is not kept
    monkeypatch.undo()
    text = 'mutation { createAssetGroup(name: "a") { id } }'
    parsed = [graphql.parse(text) for _ in range(3)]
    for doc in parsed:
        assert graphql.execute_sync(schema, doc).errors is None
    assert id(parsed[0].definitions[0]) in by_node  # the text's first node: maybe cached
    assert not {id(doc.definitions[0]) for doc in parsed[1:]} & set(by_node)
    monkeypatch.setattr(plan, "read_plan", counting)
    monkeypatch.setattr(plan, "_document_key", lambda operation: None)

    # one operation node between two documents whose fragment of the same name differs
    spread = graphql.parse("mutation { ...F } fragment F on Mutation { renameThing(id: 1) }")
    quiet = graphql.parse("fragment F on Mutation { __typename }")
    operation = spread.definitions[0]
    other = graphql.language.DocumentNode(definitions=(operation, quiet.definitions[0]))
    with capture_audit_events(trail) as events:
        for doc in (spread, other, spread, other):
            assert graphql.execute_sync(schema, doc).errors is None
    assert [e["event"] for e in events] == ["renameThing", "renameThing"]
    assert id(operation) not in by_node
    kept = id(document.definitions[0])
    del document
    gc.collect()
    assert kept not in by_node  # gone with its node


def test_arguments_named_like_the_hooks_own_parameters(trail: AuditTrail) -> None:
    """The hook calls its auditor as a resolver is called; its own leading parameters
    are positional only, so arguments named ``entry`` or ``next_`` reach the resolver."""
    schema = graphql.build_schema(
        "type Query { ok: Boolean } type Mutation { renameThing(entry: ID!, next_: ID): Boolean }")
    seen: list[dict[str, Any]] = []

    def resolve(_: Any, __: Any, **args: Any) -> bool:
        seen.append(args)
        return True

    mutation = schema.mutation_type
    assert mutation is not None
    mutation.fields["renameThing"].resolve = resolve
    with capture_audit_events(trail) as events:
        result = graphql.graphql_sync(schema, 'mutation { renameThing(entry: "e1", next_: "n") }')
    assert result.errors is None
    assert seen == [{"entry": "e1", "next_": "n"}]
    assert [(e["event"], e["details"]) for e in events] == [
        ("renameThing", {"entry": "e1", "next_": "n"})]
