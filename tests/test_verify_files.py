"""``verify_files`` on real JSON-lines trails: each kind of tampering is named as what
it is, and untouched trails — several chains, several processes, rotated files —
verify clean."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.integrity import seal_files, verify_files
from auditmw.integrity.analysis import Verifier
from auditmw.integrity.chain import unhashed_body
from auditmw.integrity.files import checkpoint_path, file_set
from auditmw.integrity.report import Report
from auditmw.trail import AuditTrail

N = 12
KEYS = [pytest.param("", id="sha256"), pytest.param("k3y", id="hmac")]


def write_trail(path: Path, n: int = N, key: str = "", **sink: Any) -> None:
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path), **sink}],
                       integrity={"key": key},
                       delivery={"spool_dir": str(path.parent / "spool"), "batch_size": 3})
    for i in range(n):
        trail.record("createAssetGroup", details={"name": f"group-{i:03d}"})
    trail.close()


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def kinds(report: Report) -> list[tuple[str, int | None, int | None]]:
    return sorted((p.kind, p.first_seq, p.last_seq) for p in report.all_problems())


@pytest.fixture
def trail_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.mark.parametrize("key", KEYS)
def test_an_untouched_trail_is_valid(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    report = verify_files(trail_path, key)
    assert report.valid, report.summary()
    [chain] = report.chains
    assert (chain.first_seq, chain.last_seq, chain.status) == (1, N, "valid")
    assert report.summary().endswith(": valid")


@pytest.mark.parametrize("key", KEYS)
def test_modify_one_byte(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    lines = lines_of(trail_path)
    assert b"group-005" in lines[5]
    lines[5] = lines[5].replace(b"group-005", b"group-705")
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path, key)
    assert kinds(report) == [("modified", 6, 6)]
    [problem] = report.all_problems()
    assert problem.ids == [codec.loads(lines[5])["id"]]
    assert problem.where == ["audit.jsonl:6"]


@pytest.mark.parametrize("key", KEYS)
def test_delete_one_line(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    lines = lines_of(trail_path)
    deleted_hash = codec.loads(lines[4])["integrity"]["hash"]
    del lines[4]
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path, key)
    assert kinds(report) == [("missing", 5, 5)]
    assert report.chains[0].gaps == [(5, 5)]
    assert deleted_hash in report.all_problems()[0].detail  # the next event names it


@pytest.mark.parametrize("key", KEYS)
def test_insert_a_forged_line(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    lines = lines_of(trail_path)
    forged = codec.loads(lines[3])
    forged["details"]["name"] = "planted"
    lines.insert(8, codec.dumps_line(forged))
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path, key)
    assert kinds(report) == [("inserted", 4, 4)]
    assert report.all_problems()[0].where == ["audit.jsonl:9"]


def test_insert_a_forged_line_with_a_recomputed_hash(trail_path: Path) -> None:
    """Without a key anyone can compute a SHA-256; the next event still vouches for the
    genuine one, so the forgery is the one named."""
    write_trail(trail_path)
    lines = lines_of(trail_path)
    forged = codec.loads(lines[3])
    forged["details"]["name"] = "planted"
    forged["integrity"]["hash"] = "sha256:" + hashlib.sha256(unhashed_body(forged)).hexdigest()
    lines.insert(3, codec.dumps_line(forged))
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path)
    assert kinds(report) == [("inserted", 4, 4)]
    assert report.all_problems()[0].where == ["audit.jsonl:4"]


def test_an_unchained_line_is_inserted(trail_path: Path) -> None:
    write_trail(trail_path)
    lines = lines_of(trail_path)
    stray = codec.loads(lines[0])
    del stray["integrity"]
    lines.append(codec.dumps_line(stray))
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path)
    assert kinds(report) == [("inserted", None, None)]


@pytest.mark.parametrize("key", KEYS)
def test_swap_two_lines(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    lines = lines_of(trail_path)
    lines[6], lines[7] = lines[7], lines[6]
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path, key)
    [problem] = report.all_problems()
    assert problem.kind == "reordered"
    assert problem.first_seq in (7, 8)
    other = 15 - problem.first_seq
    assert f"seq {other}" in problem.detail


def test_move_one_line_far(trail_path: Path) -> None:
    write_trail(trail_path)
    lines = lines_of(trail_path)
    lines.append(lines.pop(2))
    trail_path.write_bytes(b"".join(lines))
    assert kinds(verify_files(trail_path)) == [("reordered", 3, 3)]


@pytest.mark.parametrize("key", KEYS)
def test_drop_the_tail_after_a_checkpoint(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    record = seal_files(trail_path, verify_files(trail_path, key), key)
    assert record["kind"] == "seal"
    lines = lines_of(trail_path)
    trail_path.write_bytes(b"".join(lines[:-3]))
    report = verify_files(trail_path, key)
    assert kinds(report) == [("truncated tail", N - 2, N)]


def test_drop_the_tail_of_a_chain_a_later_chain_follows(trail_path: Path) -> None:
    write_trail(trail_path, n=6)
    write_trail(trail_path, n=4)  # a restart: its first event records seq 6 of chain 1
    lines = lines_of(trail_path)
    del lines[4:6]  # the end of the first chain, now in the middle of the file
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path)
    assert kinds(report) == [("truncated tail", 5, 6)]
    assert "the start of chain" in report.all_problems()[0].detail


def test_drop_the_tail_with_nothing_after_it_cannot_be_seen(trail_path: Path) -> None:
    """The documented limit: with no checkpoint and no later chain, a shorter trail is
    indistinguishable from one that was never longer."""
    write_trail(trail_path)
    lines = lines_of(trail_path)
    trail_path.write_bytes(b"".join(lines[:-3]))
    assert verify_files(trail_path).valid


def test_a_rehashed_event_breaks_the_chain(trail_path: Path) -> None:
    write_trail(trail_path)
    lines = lines_of(trail_path)
    event = codec.loads(lines[2])
    event["details"]["name"] = "rewritten"
    event["integrity"]["hash"] = "sha256:" + hashlib.sha256(unhashed_body(event)).hexdigest()
    lines[2] = codec.dumps_line(event)
    trail_path.write_bytes(b"".join(lines))
    assert kinds(verify_files(trail_path)) == [("modified", 3, 4)]


@pytest.mark.parametrize("key", KEYS)
def test_a_tampered_checkpoint_has_a_bad_signature(trail_path: Path, key: str) -> None:
    write_trail(trail_path, key=key)
    seal_files(trail_path, verify_files(trail_path, key), key)
    side = checkpoint_path(trail_path)
    record = codec.loads(side.read_bytes())
    [chain] = record["chains"]
    record["chains"][chain]["seq"] = N + 5  # claim the chain was longer
    side.write_bytes(codec.dumps_line(record))
    report = verify_files(trail_path, key)
    assert kinds(report) == [("bad signature", None, None)]


def test_a_keyed_trail_checked_without_the_key_is_not_verified(trail_path: Path) -> None:
    write_trail(trail_path, key="k")
    report = verify_files(trail_path)
    assert not report.valid
    assert report.all_problems() == []
    assert report.unchecked == N
    assert "NOT VERIFIED" in report.summary()


def test_with_the_wrong_key_everything_is_modified(trail_path: Path) -> None:
    write_trail(trail_path, key="right")
    report = verify_files(trail_path, "wrong")
    assert {p.kind for p in report.all_problems()} == {"modified"}


def test_an_unkeyed_trail_under_a_key_is_a_bad_signature(trail_path: Path) -> None:
    write_trail(trail_path)
    report = verify_files(trail_path, "k")
    assert kinds(report) == [("bad signature", 1, N)]


def test_exact_duplicates_are_counted_not_blamed(trail_path: Path) -> None:
    write_trail(trail_path)
    lines = lines_of(trail_path)
    trail_path.write_bytes(b"".join([*lines, lines[-1]]))  # a replayed last batch
    report = verify_files(trail_path)
    assert report.valid
    assert report.chains[0].duplicates == 1


def test_rotated_files_verify_in_order_and_a_lost_one_is_missing(trail_path: Path) -> None:
    write_trail(trail_path, n=30, rotate_bytes=2000)
    files = file_set(trail_path)
    assert len(files) > 3
    assert verify_files(trail_path).valid
    lost = files[1]
    lost_seqs = [codec.loads(x)["integrity"]["seq"] for x in lost.read_bytes().splitlines()]
    lost.unlink()
    report = verify_files(trail_path)
    assert kinds(report) == [("missing", lost_seqs[0], lost_seqs[-1])]


def test_no_trail_at_all(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        verify_files(tmp_path / "nothing.jsonl")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("pristine") / "audit.jsonl"
    write_trail(path, n=6, key="k")
    return path.read_bytes()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_change_is_caught(pristine: bytes, tmp_path: Path,
                                          data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(pristine) - 1), label="offset")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != pristine[at]), label="byte")
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(pristine[:at] + bytes([new]) + pristine[at + 1:])
    report = verify_files(changed, "k")
    assert not report.valid
    assert report.all_problems(), report.summary()


MULTI_PROCESS_SCRIPT = textwrap.dedent("""
    import sys, threading
    from auditmw.trail import AuditTrail
    path, spool, name = sys.argv[1], sys.argv[2], sys.argv[3]
    trail = AuditTrail(store=False,
                       sinks=[{"type": "file", "path": path, "rotate_bytes": 60000}],
                       delivery={"spool_dir": spool, "batch_size": 7})
    def work(t):
        for i in range(40):
            trail.record("createAssetGroup", details={"proc": name, "thread": t, "i": i})
    threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
    for t in threads: t.start()
    for t in threads: t.join()
    trail.close()
""")


@pytest.mark.subprocess
def test_several_processes_on_one_file_verify_clean(trail_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", MULTI_PROCESS_SCRIPT, str(trail_path),
                               str(trail_path.parent / f"spool{n}"), f"p{n}"])
             for n in range(4)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    # A restarted writer joins in: it records where the newest chain had got to.
    subprocess.run([sys.executable, "-c", MULTI_PROCESS_SCRIPT, str(trail_path),
                    str(trail_path.parent / "spool9"), "late"], check=True, timeout=120)
    assert len(file_set(trail_path)) > 1  # rotated while several processes wrote
    report = verify_files(trail_path)
    assert report.valid, report.summary()
    assert len(report.chains) == 5
    assert report.events == 5 * 120
    assert all((c.first_seq, c.last_seq) == (1, 120) for c in report.chains)
    assert any(c.expected_end for c in report.chains)  # the late writer's `after`


def verify_lines(lines: list[bytes], key: str = "") -> Report:
    verifier = Verifier(key.encode(), ordered=True)
    for number, line in enumerate(lines, 1):
        verifier.add_line(line.rstrip(b"\n"), f"t:{number}")
    return verifier.report("t")


@pytest.fixture(scope="module")
def twenty(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    path = tmp_path_factory.mktemp("twenty") / "audit.jsonl"
    write_trail(path, n=20)
    return lines_of(path)


def _ranges(values: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for value in sorted(values):
        if out and out[-1][1] + 1 == value:
            out[-1] = (out[-1][0], value)
        else:
            out.append((value, value))
    return out


@settings(max_examples=100, deadline=None)
@given(deleted=st.sets(st.integers(1, 19), min_size=1))
def test_deleted_lines_are_exactly_the_missing_ranges(twenty: list[bytes],
                                                      deleted: set[int]) -> None:
    kept = [line for seq, line in enumerate(twenty, 1) if seq not in deleted]
    report = verify_lines(kept)
    assert kinds(report) == [("missing", a, b) for a, b in _ranges(sorted(deleted))]


def longest_rising_length(values: list[int]) -> int:
    """The textbook quadratic recurrence, independent of the verifier's own."""
    best = [1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


@settings(max_examples=100, deadline=None)
@given(order=st.permutations(list(range(20))))
def test_a_shuffle_is_only_ever_reordered(twenty: list[bytes], order: list[int]) -> None:
    report = verify_lines([twenty[i] for i in order])
    moved = [p.first_seq for p in report.all_problems()]
    assert {p.kind for p in report.all_problems()} <= {"reordered"}
    # Exactly the events outside one longest rising run are named, each once.
    assert len(moved) == len(set(moved)) == 20 - longest_rising_length(order)
    assert (not moved) == (order == sorted(order))


@pytest.mark.parametrize("key", KEYS)
def test_a_huge_forged_seq_is_reported_without_enumerating_it(trail_path: Path,
                                                              key: str) -> None:
    write_trail(trail_path, key=key)
    lines = lines_of(trail_path)
    forged = codec.loads(lines[-1])
    forged["integrity"]["seq"] = 10**15
    forged["integrity"]["hash"] = "sha256:" + hashlib.sha256(unhashed_body(forged)).hexdigest()
    lines.append(codec.dumps_line(forged))
    trail_path.write_bytes(b"".join(lines))
    report = verify_files(trail_path, key)
    if key:  # cannot be signed: it links to nothing
        assert kinds(report) == [("inserted", 10**15, 10**15)]
    else:  # a valid SHA-256 event far ahead: everything between is missing
        assert kinds(report) == [("missing", N + 1, 10**15 - 1)]
