"""One canonical encoding per event: the bytes the chain hashes are the file sink's line
and the store's ``data``, byte for byte what encoding the finished event gives (the
reference), on random events; a changed event never keeps stale bytes."""

from __future__ import annotations

import copy
import pickle
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.event import Actor, AuditEvent, Client, RequestInfo, Target
from auditmw.integrity import ChainProcessor, verify_files, verify_store
from auditmw.integrity.chain import hashed_line, verify_event_hash
from auditmw.sinks.file import FileSink
from auditmw.store import open_store
from auditmw.store.rows import event_to_row
from auditmw.trail import AuditTrail

texts = st.one_of(st.text(max_size=20), st.sampled_from(
    ["\u2028", "\ud800x", "a\u0085b", "\u2029\u2028", 'q"uote', "back\\slash", "é ü ß 漢",
     '"integrity":{']))
leaves = st.one_of(texts, st.none(), st.booleans(), st.integers(-2**70, 2**70),
                   st.floats(allow_nan=False), st.just(2**64 + 1))
keys = st.one_of(texts, st.integers(-3, 3), st.sampled_from(["chain", "hash", "prev", "seq"]))
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@st.composite
def raw_events(draw: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "schema": "auditmw/1", "id": draw(st.uuids()).hex, "time": "2026-12-01T10:00:00.000001Z",
        "event": draw(texts), "details": draw(st.dictionaries(keys, values, max_size=5)),
        "target": {"id": draw(texts), "name": draw(st.one_of(texts, st.none()))},
        "actor": {"id": draw(texts), "name": draw(texts), "type": "user"},
    }
    if draw(st.booleans()):
        event["tenant"] = draw(texts)
    return event


def reference_line(event: dict[str, Any]) -> bytes:
    """What the file sink wrote before: the finished event, encoded in full."""
    return codec.dumps_line(dict(event))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(raw_events(), min_size=1, max_size=4), st.sampled_from(["", "k-ключ"]),
       st.booleans(), st.integers(0, 3))
def test_the_hashed_bytes_are_the_reference_line(events: list[dict[str, Any]], key: str,
                                                 resumed: bool, copies: int) -> None:
    after = {"chain": "0190-earlier", "seq": 7, "hash": "sha256:ab"} if resumed else None
    chain = ChainProcessor(key, resume=lambda: after)
    for n, event in enumerate(events):
        # an event may hold a copy of the very integrity object it is about to get
        # (the spot to splice is then not certain: the line is made in full)
        own = {"chain": chain.chain, "prev": chain.prev, "seq": chain.seq + 1}
        for i in range(copies if n % 2 else 0):
            # under its own key, or under an "integrity" key of its own
            event["details"][f"copy{i}"] = {"integrity": dict(own)} if i else dict(own)
        out = chain(event)
        assert type(out) is codec.Encoded
        line = codec.line_of(out)
        assert line == reference_line(out)
        assert codec.text_of(out) == codec.dumps_str(dict(out))
        assert event_to_row(out)[-1] == codec.dumps_str(dict(out))
        assert verify_event_hash(out, key.encode()) is True


def test_an_event_holding_its_own_integrity_is_encoded_in_full() -> None:
    chain = ChainProcessor("")
    own = {"chain": chain.chain, "prev": chain.prev, "seq": 1}
    integrity = {**own, "hash": "sha256:00"}
    body = codec.dumps({"details": {"x": own}, "integrity": own})
    # a copy under another key: the top level's object is still certain
    assert hashed_line(body, integrity) == codec.dumps_line(
        {"details": {"x": own}, "integrity": integrity})
    body = codec.dumps({"details": {"integrity": own}, "integrity": own})
    assert hashed_line(body, integrity) is None  # found twice: not spliced
    out = chain({"details": {"integrity": dict(own)}})
    assert codec.line_of(out) == reference_line(out)
    assert verify_event_hash(out, b"") is True


def test_a_changed_event_drops_its_bytes() -> None:
    chain = ChainProcessor("")
    changes = [lambda e: e.__setitem__("x", 1), lambda e: e.pop("details"),
               lambda e: e.update(y=2), lambda e: e.setdefault("z", 3),
               lambda e: e.__delitem__("id"), lambda e: e.popitem(),
               lambda e: e.__ior__({"w": 4}), lambda e: e.clear()]
    for change in changes:
        out = chain({"id": "1", "details": {"a": 1}})
        before = codec.line_of(out)
        change(out)
        assert codec.line_of(out) == reference_line(out) != before
    bare = codec.Encoded({"id": "1"})  # no bytes given: made when first read
    assert codec.line_of(bare) == b'{"id":"1"}\n'
    assert codec.text_of(bare) == '{"id":"1"}'
    out = chain({"id": "1", "details": {"a": 1}})
    for twin in (copy.copy(out), copy.deepcopy(out), pickle.loads(pickle.dumps(out))):
        assert type(twin) is dict  # a copy carries no bytes to go stale
        assert twin == out


def finished(n: int) -> AuditEvent:
    return AuditEvent.create(
        "createAssetGroup", "inventory_configuration", "create",
        actor=Actor(id=f"u-{n}", name="Ann \u2028 Example"), channel="ui", source="graphql",
        client=Client(ip="203.0.113.7", user_agent="Mozilla/5.0"),
        target=Target(type="AssetGroup", id=f"g-{n}", name=f"Servers «{n}»"),
        details={"name": f"rack {n}", "apiToken": f"t-{n:06d}", "big": 2**70,
                 "rules": [{"field": "os", "value": "linux"}]},
        request=RequestInfo(method="POST", path="/graphql", status=200), duration_ms=1.5)


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_file_lines_and_store_data_are_the_finished_events_bytes(tmp_path: Path,
                                                                 mode: str) -> None:
    path, db = tmp_path / "audit.jsonl", tmp_path / "audit.db"
    trail = AuditTrail(store={"url": f"sqlite:///{db}"},
                       sinks=[{"type": "file", "path": str(path), "fsync": "never"}],
                       delivery={"mode": mode, "spool_dir": str(tmp_path / "spool")})
    seen: list[dict[str, Any]] = []
    trail.add_tap(seen.append)
    for n in range(40):
        trail.emit(finished(n))
    trail.close(timeout=60)
    assert len(seen) == 40
    assert path.read_bytes() == b"".join(reference_line(e) for e in seen)
    with sqlite3.connect(db) as conn:
        stored = [row[0] for row in conn.execute("SELECT data FROM events ORDER BY seq")]
    assert stored == [codec.dumps_str(dict(e)) for e in seen]
    assert verify_files(path).valid
    assert verify_store(open_store(f"sqlite:///{db}")).valid


def test_sinks_write_the_chains_bytes_without_encoding_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ChainProcessor("")
    references = [reference_line(expected(finished(n).to_dict())) for n in range(3)]

    def refused(value: Any) -> bytes:
        raise AssertionError("encoded a second time")

    monkeypatch.setattr(codec, "dumps_line", refused)
    monkeypatch.setattr(codec, "dumps_str", refused)
    chain = ChainProcessor("")
    events = [chain(finished(n).to_dict()) for n in range(3)]
    lines = [codec.line_of(e) for e in events]
    assert [len(line) for line in lines] == [len(line) for line in references]
    sink = FileSink(tmp_path / "a.jsonl", fsync="never")
    sink.write(events)
    sink.close()
    assert (tmp_path / "a.jsonl").read_bytes() == b"".join(lines)
    assert [event_to_row(e)[-1] for e in events] == [line[:-1].decode() for line in lines]


def test_the_line_is_made_once_by_the_chain_and_read_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from auditmw.integrity import chain as chain_module

    made: list[bytes] = []

    def counting(body: bytes, integrity: Any) -> bytes | None:
        line = hashed_line(body, integrity)
        made.append(line or b"")
        return line

    monkeypatch.setattr(chain_module, "hashed_line", counting)
    out = ChainProcessor("")(finished(1).to_dict())
    assert len(made) == 1  # with the hash: one copy of the hashed bytes, exact size
    assert codec.line_of(out) is codec.line_of(out) == reference_line(out)
    assert codec.text_of(out) == codec.dumps_str(dict(out))
    assert len(made) == 1


@pytest.mark.parametrize("change", [
    lambda b: b.replace(b'"prev":"genesis"', b'"prev":"genesiz"'),
    lambda b: b.replace(b'"seq":1}', b'"seq":2}'),
    lambda b: b.replace(b'"chain":"', b'"chain":"x'),
    lambda b: b.replace(b'"integrity":{', b'"integrity":{"a":1,'),
    lambda b: b.replace(b'"integrity":{', b'"x":{"integrity":{"chain":"0190-c","prev":'
                                          b'"genesis","seq":1}},"integrity":{'),
    lambda b: b.replace(b'"integrity":{', b'"integrity":{"after":{},'),
])
def test_a_spot_not_exactly_the_chains_is_not_spliced(change: Any) -> None:
    integrity = {"chain": "0190-c", "seq": 1, "prev": "genesis"}
    body = codec.dumps({"details": {"a": 1}, "integrity": integrity})
    line = hashed_line(body, {**integrity, "hash": "sha256:00"})
    assert line == codec.dumps_line({"details": {"a": 1},
                                     "integrity": {**integrity, "hash": "sha256:00"}})
    assert hashed_line(change(body), {**integrity, "hash": "sha256:00"}) is None


def test_a_first_event_after_an_earlier_chain_is_spliced_after_its_after() -> None:
    after = {"chain": "0190-earlier", "seq": 7, "hash": "sha256:ab "}
    out = ChainProcessor("", resume=lambda: after)({"details": {"a": " "}})
    assert out["integrity"]["after"] == after
    assert out._line == reference_line(out)  # spliced, not left to be made in full
    assert verify_event_hash(out, b"") is True
