"""The JSON-lines file sink: rotation, fsync policy, and several writer processes."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditmw.sinks.file import FileSink


def event(n: int, writer: str = "w", pad: int = 0) -> dict[str, Any]:
    return {"id": f"{writer}-{n:06d}", "event": "createAssetGroup", "writer": writer,
            "details": {"pad": "x" * pad}}


def all_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of the file and its rotated siblings, each parsed as one JSON event."""
    out = []
    for file in sorted(path.parent.glob(path.name + "*")):
        out += [json.loads(line) for line in file.read_text("utf-8").splitlines()]
    return out


def test_appends_one_line_per_event(jsonl_path: Path) -> None:
    sink = FileSink(jsonl_path)
    sink.write([event(1), event(2)])
    sink.write([event(3)])
    sink.close()
    assert [e["id"] for e in all_lines(jsonl_path)] == ["w-000001", "w-000002", "w-000003"]
    assert not sink.durable


def test_rotation_by_size_keeps_every_event(jsonl_path: Path) -> None:
    sink = FileSink(jsonl_path, rotate_bytes=2_000)
    for n in range(100):
        sink.write([event(n, pad=50)])
    sink.close()
    files = sorted(jsonl_path.parent.glob(jsonl_path.name + "*"))
    assert len(files) > 3
    for file in files:
        assert file.stat().st_size <= 2_000
    assert sorted(e["id"] for e in all_lines(jsonl_path)) == [f"w-{n:06d}" for n in range(100)]


def test_events_larger_than_the_limit_get_a_file_each(jsonl_path: Path) -> None:
    sink = FileSink(jsonl_path, rotate_bytes=100)
    sink.write([event(n, pad=200) for n in range(3)])
    sink.write([event(9)])
    sink.close()
    assert len(all_lines(jsonl_path)) == 4
    files = sorted(jsonl_path.parent.glob(jsonl_path.name + "*"))
    assert len(files) == 4  # never two oversized events in one file


def test_a_burst_in_one_batch_honours_rotate_bytes(jsonl_path: Path) -> None:
    """The issue's burst: one 500-event batch against a 20,000-byte limit."""
    sink = FileSink(jsonl_path, rotate_bytes=20_000)
    sink.write([event(n, pad=300) for n in range(500)])
    sink.write([event(n, pad=300) for n in range(500, 1000)])
    sink.close()
    files = sorted(jsonl_path.parent.glob(jsonl_path.name + "*"))
    sizes = [f.stat().st_size for f in files]
    assert max(sizes) <= 20_000, sizes
    assert len(files) >= 1000 * 350 // 20_000
    assert sorted(e["id"] for e in all_lines(jsonl_path)) == [f"w-{n:06d}" for n in range(1000)]


def _fitting_line_by_line(rotate_bytes: int, size: int, lines: list[bytes],
                          start: int) -> int:
    """The rule as first written: walk the lines while they fit (at least one)."""
    if not rotate_bytes:
        return len(lines)
    room = rotate_bytes - size
    end = start
    while end < len(lines) and (end == start or len(lines[end]) <= room):
        room -= len(lines[end])
        end += 1
    return end


@given(rotate_bytes=st.integers(0, 400), size=st.integers(0, 400),
       lengths=st.lists(st.integers(1, 120), min_size=1, max_size=12), data=st.data())
def test_the_run_that_fits_is_the_line_by_line_rule(
        tmp_path_factory: pytest.TempPathFactory, rotate_bytes: int, size: int,
        lengths: list[int], data: st.DataObject) -> None:
    """The sum taken at once (all lines fit) gives what walking the lines gives."""
    start = data.draw(st.integers(0, len(lengths) - 1))
    lines = [b"x" * n for n in lengths]
    sink = FileSink(tmp_path_factory.mktemp("fit") / "a.jsonl", rotate_bytes=rotate_bytes)
    assert sink._fitting(size, lines, start) == _fitting_line_by_line(
        rotate_bytes, size, lines, start)


def test_a_batch_filling_the_file_exactly_stays_in_it(jsonl_path: Path) -> None:
    one = len(json.dumps(event(0), separators=(",", ":"))) + 1
    sink = FileSink(jsonl_path, rotate_bytes=one * 4)
    sink.write([event(0)])
    sink.write([event(n) for n in range(1, 4)])  # exactly the room left
    assert len(list(jsonl_path.parent.glob(jsonl_path.name + "*"))) == 1
    assert jsonl_path.stat().st_size == one * 4
    sink.write([event(4)])  # one line more: a new file
    sink.close()
    files = sorted(jsonl_path.parent.glob(jsonl_path.name + "*"))
    assert len(files) == 2
    assert sorted(e["id"] for e in all_lines(jsonl_path)) == [f"w-{n:06d}" for n in range(5)]


class _FullDisk:
    """``os.write`` that takes ``room`` more bytes and then fails like a full disk
    (ENOSPC), after writing part of the buffer — the torn line the issue saw."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.real = os.write

    def __call__(self, fd: int, data: Any) -> int:
        if self.room <= 0:
            raise OSError(28, "No space left on device")
        take = min(len(data), self.room)
        self.room -= take
        return self.real(fd, bytes(data[:take]))


def test_a_write_cut_short_leaves_no_partial_line_and_the_retry_no_duplicate(
        jsonl_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sink = FileSink(jsonl_path, rotate_bytes=5_000)
    sink.write([event(0)])
    batch = [event(n, pad=400) for n in range(1, 40)]  # spans several files
    full = _FullDisk(room=7_777)
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space"):
        sink.write(batch)
    for file in jsonl_path.parent.glob(jsonl_path.name + "*"):
        data = file.read_bytes()
        assert data == b"" or data.endswith(b"\n")  # whole lines only
    monkeypatch.setattr(os, "write", full.real)
    sink.write(batch)  # the lane's retry of the same batch
    sink.write([event(99)])
    sink.close()
    ids = [e["id"] for e in all_lines(jsonl_path)]
    assert sorted(ids) == sorted({e["id"] for e in [event(0), *batch, event(99)]})
    assert len(ids) == len(set(ids)) == 41


def test_rotation_by_age(jsonl_path: Path) -> None:
    sink = FileSink(jsonl_path, rotate_bytes=0, rotate_interval_s=60)
    sink.write([event(1)])
    old = jsonl_path.stat().st_mtime - 120
    os.utime(jsonl_path, (old, old))
    sink._opened_at -= 120  # the sink opened it "two minutes ago"
    sink.write([event(2)])
    sink.close()
    files = sorted(jsonl_path.parent.glob(jsonl_path.name + "*"))
    assert len(files) == 2
    assert [json.loads(x)["id"] for x in jsonl_path.read_text("utf-8").splitlines()] == [
        "w-000002"]
    assert sorted(e["id"] for e in all_lines(jsonl_path)) == ["w-000001", "w-000002"]


@pytest.mark.parametrize(("policy", "durable"), [
    pytest.param("always", True, id="always"),
    pytest.param("batch", False, id="batch"),
    pytest.param("never", False, id="never"),
])
def test_fsync_policy(jsonl_path: Path, policy: str, durable: bool,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real_fsync(fd))[1])
    sink = FileSink(jsonl_path, fsync=policy, fsync_interval_s=3600)
    sink.write([event(1)])
    sink.write([event(2)])
    after_writes = len(calls)
    sink.flush()
    sink.close()
    assert sink.durable is durable
    expected_after_writes = {"always": 2, "batch": 0, "never": 0}[policy]
    assert after_writes == expected_after_writes
    assert len(calls) == {"always": 2, "batch": 1, "never": 0}[policy]


def test_bad_fsync_policy() -> None:
    with pytest.raises(ValueError, match="fsync must be"):
        FileSink("x.jsonl", fsync="sometimes")


def test_writes_after_someone_else_rotated(jsonl_path: Path) -> None:
    one, two = FileSink(jsonl_path), FileSink(jsonl_path)
    one.write([event(1, "a")])
    two.write([event(1, "b")])
    os.rename(jsonl_path, jsonl_path.with_name(jsonl_path.name + ".manual"))
    one.write([event(2, "a")])  # must go to the new file, not the renamed one
    two.write([event(2, "b")])
    one.close()
    two.close()
    current = [json.loads(x)["id"] for x in jsonl_path.read_text("utf-8").splitlines()]
    assert current == ["a-000002", "b-000002"]


def _writer(path: str, writer: str, count: int, rotate_bytes: int) -> None:
    sink = FileSink(path, rotate_bytes=rotate_bytes, fsync="never")
    for n in range(0, count, 5):
        sink.write([event(m, writer, pad=30) for m in range(n, n + 5)])
    sink.close()


@pytest.mark.slow
@pytest.mark.parametrize("rotate_bytes", [pytest.param(0, id="one-file"),
                                          pytest.param(50_000, id="rotating")])
def test_several_processes_one_file(jsonl_path: Path, rotate_bytes: int) -> None:
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(str(jsonl_path), f"p{i}", 2000, rotate_bytes))
               for i in range(4)]
    for proc in writers:
        proc.start()
    for proc in writers:
        proc.join(timeout=120)
        assert proc.exitcode == 0
    lines = all_lines(jsonl_path)  # json.loads of every line: none split or interleaved
    assert len(lines) == 8000
    for i in range(4):
        mine = [e["id"] for e in lines if e["writer"] == f"p{i}"]
        assert sorted(mine) == [f"p{i}-{n:06d}" for n in range(2000)]
