"""The chain processor: what it stamps, that the hash is what SPEC §7 says, and that it
holds across threads, forks and restarts."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest

from auditmw import codec
from auditmw.integrity import GENESIS, ChainProcessor, verify_files
from auditmw.integrity.chain import verify_event_hash
from auditmw.integrity.files import last_position
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail


def file_trail(path: Path, tmp_path: Path, key: str = "", **delivery: Any) -> AuditTrail:
    return AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                      integrity={"key": key},
                      delivery={"spool_dir": str(tmp_path / "spool"), **delivery})


def spec_hash(event: dict[str, Any], key: bytes) -> str:
    """SPEC §7 written out independently: canonical JSON (sorted keys, no spaces, UTF-8)
    of the event whose integrity lacks ``hash``."""
    body = dict(event)
    body["integrity"] = {k: v for k, v in event["integrity"].items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"),
                                    ensure_ascii=False).encode("utf-8")
    if key:
        return "hmac-sha256:" + hmac.new(key, text, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(text).hexdigest()


@pytest.mark.parametrize("key", [pytest.param("", id="sha256"),
                                 pytest.param("s3cret-ключ", id="hmac")])
def test_stamps_seq_prev_and_the_spec_hash(key: str) -> None:
    chain = ChainProcessor(key)
    events = [chain({"schema": "auditmw/1", "id": str(i), "details": {"n": i, "é": "ü"}})
              for i in range(1, 6)]
    assert [e["integrity"]["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert len({e["integrity"]["chain"] for e in events}) == 1
    assert events[0]["integrity"]["prev"] == GENESIS
    for before, after in itertools.pairwise(events):
        assert after["integrity"]["prev"] == before["integrity"]["hash"]
    for event in events:
        assert event["integrity"]["hash"] == spec_hash(event, key.encode())
        assert verify_event_hash(event, key.encode()) is True
    assert chain.position() == {"chain": chain.chain, "seq": 5,
                                "hash": events[-1]["integrity"]["hash"]}


def test_a_changed_event_no_longer_matches_its_hash() -> None:
    chain = ChainProcessor(b"k")
    event = chain({"schema": "auditmw/1", "id": "1", "actor": {"name": "Ann"}})
    event["actor"]["name"] = "Bob"
    assert verify_event_hash(event, b"k") is False
    assert verify_event_hash(event, b"") is None  # keyed, and no key: cannot tell


def test_threads_keep_seq_order_equal_to_storage_order(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    trail = file_trail(path, tmp_path)
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(150):
            trail.record("createAssetGroup", details={"thread": n, "i": i})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    trail.close()
    seqs = [codec.loads(line)["integrity"]["seq"] for line in path.read_bytes().splitlines()]
    assert seqs == list(range(1, 1201))
    report = verify_files(path)
    assert report.valid, report.summary()


def test_sync_delivery_keeps_the_order_too(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path),
                                            "fsync": "always"}],
                       delivery={"mode": "sync", "spool_dir": str(tmp_path / "spool")})
    threads = [threading.Thread(target=lambda: [trail.record("deleteScope") for _ in range(50)])
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    trail.close()
    assert verify_files(path).valid


def test_chain_off_stamps_nothing(tmp_path: Path) -> None:
    memory = MemorySink()
    trail = AuditTrail(store=False, sinks=[memory], integrity={"chain": False},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    trail.record("deleteScope")
    trail.close()
    assert trail.chain is None
    assert "integrity" not in memory.events[0]


def test_the_chain_is_the_last_processor(tmp_path: Path) -> None:
    memory = MemorySink()
    trail = AuditTrail(store=False, sinks=[memory], integrity={"key": "k"},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    assert trail.processors[-1] is trail.chain
    trail.record("createAssetGroup", details={"password": "hunter2", "user": "ann"})
    trail.close()
    [event] = memory.events
    # Hashed after redaction: the stored event verifies as stored.
    assert event["details"]["password"] == "[REDACTED]"
    assert verify_event_hash(event, b"k") is True


def test_a_restarted_writer_records_where_the_last_chain_ended(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first = file_trail(path, tmp_path)
    for _ in range(3):
        first.record("deleteScope")
    first.close()
    ended = last_position(path)
    assert ended is not None
    assert ended["seq"] == 3
    second = file_trail(path, tmp_path)
    second.record("deleteScope")
    second.record("deleteScope")
    second.close()
    events = [codec.loads(line) for line in path.read_bytes().splitlines()]
    assert events[3]["integrity"]["seq"] == 1
    assert events[3]["integrity"]["after"] == ended
    assert "after" not in events[4]["integrity"]
    assert verify_files(path).valid


def test_the_previous_end_is_found_in_a_rotated_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    first = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path),
                                            "rotate_bytes": 1}],
                       delivery={"spool_dir": str(tmp_path / "spool"), "batch_size": 1})
    for _ in range(3):
        first.record("deleteScope")
    first.close()
    path.rename(tmp_path / "audit.jsonl.20300101T000000000000Z")  # as if rotated last
    found = last_position(path)
    assert found is not None
    assert found["seq"] == 3


def test_a_resume_that_fails_never_reaches_the_app() -> None:
    def broken() -> None:
        raise OSError("disk gone")

    chain = ChainProcessor("", resume=broken)
    event = chain({"schema": "auditmw/1", "id": "1"})
    assert "after" not in event["integrity"]


FORK_SCRIPT = textwrap.dedent("""
    import os, sys
    from auditmw.trail import AuditTrail
    path, spool = sys.argv[1], sys.argv[2]
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": path}],
                       delivery={"mode": "sync", "spool_dir": spool})
    for _ in range(3):
        trail.record("deleteScope")
    children = []
    for n in range(3):
        pid = os.fork()
        if pid == 0:
            for _ in range(5):
                trail.record("createAssetGroup", details={"child": n})
            trail.flush()
            os._exit(0)
        children.append(pid)
    for _ in range(4):
        trail.record("deleteScope")
    for pid in children:
        _, status = os.waitpid(pid, 0)
        assert status == 0, status
    trail.close()
""")


@pytest.mark.subprocess
def test_forked_children_start_their_own_chains(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    subprocess.run([sys.executable, "-c", FORK_SCRIPT, str(path), str(tmp_path / "spool")],
                   check=True, timeout=120)
    events = [codec.loads(line) for line in path.read_bytes().splitlines()]
    chains: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        chains.setdefault(event["integrity"]["chain"], []).append(event)
    assert sorted(len(c) for c in chains.values()) == [5, 5, 5, 7]
    parent = next(c for c in chains.values() if len(c) == 7)
    for chain in chains.values():
        assert [e["integrity"]["seq"] for e in chain] == list(range(1, len(chain) + 1))
        if chain is not parent:
            # Each child says where its parent stood when it was forked.
            assert chain[0]["integrity"]["after"] == {
                "chain": parent[0]["integrity"]["chain"], "seq": 3,
                "hash": parent[2]["integrity"]["hash"]}
    report = verify_files(path)
    assert report.valid, report.summary()
    assert len(report.chains) == 4
