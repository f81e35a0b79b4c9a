"""Units of the capture layer: client IP rules, document plans, wire formats, outcomes."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditmw.capture.documents import DocumentAnalyzer, calls_for
from auditmw.capture.ip import anonymize_ip
from auditmw.capture.outcome import find_target, operation_results
from auditmw.capture.request import inflate, read_wire
from auditmw.capture.routes import compile_template
from auditmw.catalog import Catalog


@given(st.ip_addresses())
def test_anonymized_addresses_stay_addresses_in_the_same_network(addr: Any) -> None:
    out = anonymize_ip(str(addr))
    assert out is not None
    prefix = 24 if addr.version == 4 else 48
    import ipaddress

    assert ipaddress.ip_address(out) in ipaddress.ip_network(f"{addr}/{prefix}", strict=False)


ANALYZER = DocumentAnalyzer(Catalog.load())


@pytest.mark.parametrize(("doc", "op", "variables", "expected"), [
    pytest.param('mutation { a: createAssetGroup(name: "x") { id } }', None, None,
                 [("createAssetGroup", "a", {"name": "x"})], id="alias"),
    pytest.param("mutation M($n: String) { createAssetGroup(name: $n, tags: [$n, \"t\"]) "
                 "{ id } }", "M", {"n": "v"},
                 [("createAssetGroup", "createAssetGroup", {"name": "v", "tags": ["v", "t"]})],
                 id="variables"),
    pytest.param("mutation($s: Boolean!) { createAssetGroup(name: \"x\") @skip(if: $s) "
                 "{ id } ... @include(if: $s) { deleteScope(id: 1) } }", None, {"s": True},
                 [("deleteScope", "deleteScope", {"id": 1})], id="skip-include"),
    pytest.param("mutation { ...F } fragment F on Mutation { ...F deleteScope(id: 2) }",
                 None, None, [("deleteScope", "deleteScope", {"id": 2})], id="fragment-cycle"),
    pytest.param("query { deleteScope(id: 1) }", None, None, [], id="mutation-name-in-query"),
    pytest.param("mutation A { deleteScope(id: 1) } mutation B { deleteRole(id: 2) }", None,
                 None, [], id="ambiguous-without-operation-name"),
    pytest.param("mutation { nested { deleteScope(id: 1) } }", None, None, [],
                 id="not-top-level"),
])
def test_document_plans(doc: str, op: str | None, variables: dict[str, Any] | None,
                        expected: list[tuple[str, str, dict[str, Any]]]) -> None:
    calls = calls_for(ANALYZER.plan(doc), op, variables)
    assert [(c.entry.name, c.response_key, c.arguments) for c in calls] == expected


MUT = "mutation { deleteScope(id: 1) }"


@pytest.mark.parametrize(("method", "qs", "ctype", "body", "queries", "batched"), [
    pytest.param("POST", b"", "application/json", json.dumps({"query": MUT}).encode(),
                 [MUT], False, id="json"),
    pytest.param("POST", b"", "application/json",
                 json.dumps([{"query": MUT}, 5, {"query": MUT}]).encode(), [MUT, None, MUT],
                 True, id="batch-keeps-positions"),
    pytest.param("POST", b"", "application/x-www-form-urlencoded",
                 b"query=mutation+%7B+deleteScope%28id%3A+1%29+%7D", [MUT], False, id="form"),
    pytest.param("POST", b"", "multipart/form-data; boundary=XX",
                 b'--XX\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
                 + json.dumps({"query": MUT}).encode() + b"\r\n--XX--\r\n", [MUT], False,
                 id="multipart"),
    pytest.param("GET", b"query=mutation%20%7B%20deleteScope(id%3A%201)%20%7D", None, b"",
                 [MUT], False, id="get"),
    pytest.param("POST", b"", "application/json", b"\xff\xfe\x00", [], False,
                 id="garbage"),
])
def test_wire_formats(method: str, qs: bytes, ctype: str | None, body: bytes,
                      queries: list[str | None], batched: bool) -> None:
    wire = read_wire(method, qs, ctype, body)
    assert [op.query for op in wire.operations] == queries
    assert wire.batched == batched


def test_inflate_is_bounded() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    assert inflate(bomb, "gzip", 1_000_000) is None
    assert inflate(gzip.compress(b"ok"), "gzip", 10) == b"ok"
    assert inflate(b"ok", "br", 10) is None


@pytest.mark.parametrize(("status", "result", "outcomes"), [
    pytest.param(403, {"data": {"a": 1}}, ["denied", "denied"], id="403-wins"),
    pytest.param(500, None, ["failure", "failure"], id="500-no-result"),
    pytest.param(500, {"data": {"a": 1, "b": 2}}, ["success", "success"],
                 id="result-wins-over-status"),
    pytest.param(200, {"data": {"a": None, "b": 2}, "errors": [
        {"message": "no", "path": ["a"], "extensions": {"code": "unauthenticated"}}]},
        ["denied", "success"], id="per-field"),
    pytest.param(200, {"errors": [{"message": "syntax"}]}, ["failure", "failure"],
                 id="request-error"),
])
def test_outcomes(status: int, result: Any, outcomes: list[str]) -> None:
    got = operation_results(status, result, ["a", "b"], serial=False)
    assert [g.outcome for g in got] == outcomes


def test_targets() -> None:
    assert find_target(None, {"id": 5, "name": "n", "__typename": "G"}, {}).to_dict() == {
        "type": "G", "id": "5", "name": "n"}
    assert find_target("asset.key", {"asset": {"key": "k1"}}, {}).id == "k1"
    assert find_target(None, True, {"input": {"id": "i9"}}).id == "i9"
    assert find_target("missing", None, {"missing": 3}).id == "3"


@pytest.mark.parametrize(("template", "path", "params"), [
    pytest.param("/a/{id}/b", "/a/42/b", {"id": "42"}, id="segment"),
    pytest.param("/a/{id}/b", "/a/42/b/", {"id": "42"}, id="trailing-slash"),
    pytest.param("/a/{id}/b", "/a/4/2/b", None, id="one-segment-only"),
    pytest.param("/f/{rest:path}", "/f/x/y", {"rest": "x/y"}, id="path"),
    pytest.param("/n/{n:int}", "/n/x", None, id="int"),
])
def test_route_templates(template: str, path: str, params: dict[str, str] | None) -> None:
    found = compile_template(template).match(path)
    assert (found.groupdict() if found else None) == params
