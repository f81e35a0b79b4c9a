"""The disk spool: order, checksums, torn tails, the size cap, and adoption after a crash."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.delivery.records import HEADER
from auditmw.delivery.spool import Spool, SpoolFull


def events(start: int, count: int) -> list[dict[str, object]]:
    return [{"id": f"e{n:06d}", "n": n} for n in range(start, start + count)]


def drain(spool: Spool, batch: int = 1000) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for _ in range(100_000):  # bounded: a spool that never empties fails the test
        found = spool.peek(batch)
        if found is None:
            return out
        got, token = found
        out.extend(got)
        spool.commit(token)
    raise AssertionError("spool did not drain")


def crash(spool: Spool) -> None:
    """What a kill -9 leaves: files as they are, the directory lock released."""
    for d in spool._dirs():
        os.close(d.lock_fd)


def test_records_come_back_in_order_and_the_spool_cleans_up(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s", segment_bytes=1024)
    for start in range(0, 300, 30):
        spool.append(events(start, 30))
    assert spool.pending()
    assert len(list((tmp_path / "s").rglob("seg-*.spool"))) > 3  # several segments
    assert [e["n"] for e in drain(spool, batch=45)] == list(range(300))
    assert not spool.pending()
    spool.close()
    assert not list((tmp_path / "s").rglob("seg-*.spool"))
    assert spool.disk_bytes == 0


def test_an_unused_spool_leaves_no_directory(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s")
    spool.close()
    assert not (tmp_path / "s").exists()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=25),
       st.integers(min_value=1, max_value=60))
def test_any_mix_of_appends_and_reads_keeps_order(tmp_path_factory: pytest.TempPathFactory,
                                                  sizes: list[int], read_batch: int) -> None:
    spool = Spool(tmp_path_factory.mktemp("spool"), segment_bytes=2048)
    expected, got, n = [], [], 0
    for size in sizes:
        batch = events(n, size)
        n += size
        spool.append(batch)
        expected.extend(batch)
        found = spool.peek(read_batch)  # read as we go, like a lane replaying
        if found:
            got.extend(found[0])
            spool.commit(found[1])
    got.extend(drain(spool, read_batch))
    assert got == expected
    spool.close()


def test_orphans_of_a_crashed_process_are_adopted_oldest_first(tmp_path: Path) -> None:
    first = Spool(tmp_path)
    first.append(events(0, 10))
    crash(first)
    second = Spool(tmp_path)
    second.append(events(10, 5))
    crash(second)
    restarted = Spool(tmp_path)
    restarted.append(events(15, 5))
    assert [e["n"] for e in drain(restarted)] == list(range(20))
    restarted.close()
    assert list(tmp_path.iterdir()) == []


def test_a_live_owner_keeps_its_directory(tmp_path: Path) -> None:
    owner = Spool(tmp_path)
    owner.append(events(0, 3))
    other = Spool(tmp_path)  # another worker process sharing spool_dir
    assert other.peek(10) is None
    assert [e["n"] for e in drain(owner)] == [0, 1, 2]


def test_cursor_survives_a_crash_so_only_undelivered_records_replay(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(events(0, 5))
    spool.append(events(5, 5))
    found = spool.peek(5)
    assert found is not None
    spool.commit(found[1])
    crash(spool)
    assert [e["n"] for e in drain(Spool(tmp_path))] == list(range(5, 10))


def test_a_torn_tail_ends_the_segment_and_keeps_what_came_before(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(events(0, 4))
    spool.append(events(4, 4))
    crash(spool)
    (segment,) = tmp_path.rglob("seg-*.spool")
    data = segment.read_bytes()
    segment.write_bytes(data[:-7])  # the process died in the middle of the last write
    restarted = Spool(tmp_path)
    assert [e["n"] for e in drain(restarted)] == [0, 1, 2, 3]
    assert restarted.corrupt_records == 1


@pytest.mark.parametrize("where", ["magic", "length", "crc", "payload"])
def test_a_damaged_record_is_skipped_and_reading_resynchronises(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str) -> None:
    spool = Spool(tmp_path)
    for first in range(0, 12, 3):
        spool.append(events(first, 3))
    crash(spool)
    (segment,) = tmp_path.rglob("seg-*.spool")
    data = bytearray(segment.read_bytes())
    second = data.index(b"AMS1", 1)  # flip one byte of the second record
    data[second + {"magic": 1, "length": 5, "crc": 9, "payload": HEADER.size + 3}[where]] ^= 0x40
    segment.write_bytes(bytes(data))
    restarted = Spool(tmp_path)
    with caplog.at_level(logging.ERROR, "auditmw.delivery"):
        assert [e["n"] for e in drain(restarted)] == [0, 1, 2, 6, 7, 8, 9, 10, 11]
    assert "damaged record" in caplog.text
    assert restarted.corrupt_records == 1


def test_the_cap_refuses_and_warns_at_80_percent(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    cap = 4000
    spool = Spool(tmp_path, max_bytes=cap)
    appended = 0
    with caplog.at_level(logging.WARNING, "auditmw.delivery"):
        for n in range(1000):
            if spool.disk_bytes < 0.8 * cap:
                assert "% full" not in caplog.text
            try:
                spool.append(events(n * 10, 10))
            except SpoolFull:
                break
            appended += 10
        else:
            pytest.fail("the cap never applied")
        assert "% full" in caplog.text
    assert 0.8 * cap <= spool.disk_bytes <= cap
    assert len(drain(spool)) == appended
    spool.append(events(0, 10))  # room again once delivered
