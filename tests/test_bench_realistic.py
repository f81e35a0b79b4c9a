"""The realistic benchmark runs end to end with a handful of requests and yields every
row and column (so it cannot rot between `make bench` runs). No timing is asserted:
the figures of so short a run mean nothing."""

from __future__ import annotations

import math
from pathlib import Path

import auditmw_strawberry
import pytest
from benchmarks import bench_realistic, bytecodes

from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from auditmw.types import PermanentError


def test_every_app_case_and_variant_is_measured_and_rendered() -> None:
    rows = bench_realistic.run(n=3, blocks=1)

    assert [(r.app, r.case) for r in rows] == [
        (app, case.label) for app in ("Flask (WSGI)", "Starlette (ASGI)")
        for case in bench_realistic.CASES]
    for row in rows:
        assert set(row.added) == set(bench_realistic.VARIANTS) - {"bare"}
        assert math.isfinite(row.bare.thread_us)
        assert row.bare.thread_us > 0
        assert row.bare.all_us >= row.bare.thread_us * 0.5
        for added in row.added.values():
            assert math.isfinite(added.thread_us)
            assert math.isfinite(added.all_us)
        assert set(row.bytecodes) == set(bench_realistic.VARIANTS)
        assert row.bytecodes["bare"] > 100  # the app itself runs Python code
    table = bench_realistic.render(rows, "load average 0.0")
    for row in rows:
        assert f"| {row.app} | {row.case} |" in table
    assert table.count("\n| Flask (WSGI) |") == 2 * len(bench_realistic.CASES)
    assert "default ÷ OTel" in table
    assert "bare bytecodes" in table
    assert "load average 0.0" in table


def test_a_variant_that_records_the_wrong_number_of_events_stops_the_run() -> None:
    """The bench checks that each auditmw block recorded one event per catalogued
    request (and none for the others): timing a misconfigured trail would be a lie."""
    lying = bench_realistic.Variant(run=lambda n: None, prepare=lambda: None,
                                    drain=lambda: None, made=lambda: 0, per_request=1)
    with pytest.raises(RuntimeError, match="4 requests made 0 records, not 4"):
        bench_realistic.timed(lying, 4)


class Refusing:
    """A sink that refuses every batch for good (its events go to the dead letters)."""

    name = "refusing"
    durable = False

    def write(self, events: object) -> None:
        raise PermanentError("no")

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None


def test_an_event_counts_only_once_every_sink_has_it(tmp_path: Path) -> None:
    """Recorded is not enough: a block whose events did not reach every sink (the file
    and the store in the default config) would time less than the real path."""
    trail = AuditTrail(service="bench", store=False, sinks=[MemorySink(), Refusing()],
                       delivery={"spool_dir": str(tmp_path / "spool"), "max_retries": 0})
    try:
        def block(n: int) -> None:  # the requests' events, recorded directly
            for _ in range(n):
                trail.record("createAssetGroup")

        variant = bench_realistic.audited(trail, block, bench_realistic.CASES[0])
        with pytest.raises(RuntimeError, match="2 requests made 0 records, not 2"):
            bench_realistic.timed(variant, 2)
    finally:
        auditmw_strawberry.uninstrument()
        trail.close(5)


def test_bytecode_counts_are_exact_and_grow_with_the_work() -> None:
    def work(n: int) -> int:
        total = 0
        for i in range(n):
            total += i
        return total

    once = bytecodes.count(lambda: work(10))
    assert once == bytecodes.count(lambda: work(10))  # the same code: the same count
    assert bytecodes.count(lambda: work(20)) > once > 10
