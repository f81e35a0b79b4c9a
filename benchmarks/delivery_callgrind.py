"""The delivery threads' instructions per event for the realistic Flask mutation
(callgrind), for a machine too busy to time.

``benchmarks realistic`` times the delivery threads inside "all CPU"; on a shared 2-core
box that moves by more than the changes being weighed. This runs the realistic Flask app
(``bench_realistic``) with a catalogued mutation under auditmw's default configuration
(``default``: the JSON-lines file and the SQLite store, async) or the file sink alone
(``file``), in blocks of 100 requests each followed by ``trail.flush`` as the bench does,
under valgrind's callgrind with ``--separate-threads``: the request thread's count and
the sum of every other thread's (the lanes' workers, their guards, the store's purge and
WAL checkpoint threads). Each variant runs twice, ``N1`` and ``N2`` requests after the
same warm-up; the difference over ``N2 - N1`` is one request, start-up cancelled out
(``PYTHONHASHSEED=0``). ``flush_interval_s`` is set far out so that valgrind's slowness
does not split a block into several batches: natively a block is one batch, taken at
the flush.

    .venv/bin/python -m benchmarks.delivery_callgrind            # both (~15 min)
    .venv/bin/python -m benchmarks.delivery_callgrind file

Not part of ``make bench`` (it needs valgrind).
"""

from __future__ import annotations

import asyncio
import glob
import os
import subprocess
import sys
import tempfile
from pathlib import Path

N1, N2 = 100, 600
VARIANTS = {"default": "default", "file": "file only"}
COMMAND = ".venv/bin/python -m benchmarks.delivery_callgrind"


def drive(variant: str, n: int) -> None:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from auditmw.trail import AuditTrail
    from benchmarks import bench_realistic as br

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        slow = {"flush_interval_s": 600}
        default = AuditTrail(service="bench",
                             sinks=[{"type": "file", "path": str(folder / "default.jsonl")}],
                             store=f"sqlite:///{folder / 'default.db'}",
                             delivery={"spool_dir": str(folder / "spool"), **slow})
        file_only = AuditTrail(service="bench", store=False,
                               sinks=[{"type": "file", "path": str(folder / "file.jsonl")}],
                               delivery={"spool_dir": str(folder / "spool-file"), **slow})
        setup = br.Setup(default, file_only, TracerProvider(), InMemorySpanExporter(),
                         asyncio.new_event_loop())
        try:
            chosen = setup.flask_variants(br.CASES[0])[VARIANTS[variant]]
            for _ in range(1 + n // 100):  # the first block is the warm-up
                br.timed(chosen, 100)
        finally:
            setup.close()


def per_thread(variant: str, n: int) -> dict[int, int]:
    """Instructions by callgrind thread number (1 is the request thread) for one run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--separate-threads=yes",
             f"--callgrind-out-file={out}", sys.executable, "-m",
             "benchmarks.delivery_callgrind", "--drive", variant, str(n)],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        counts = {}
        for name in glob.glob(f"{out}-*"):
            for line in Path(name).read_text().splitlines():
                if line.startswith(("summary:", "totals:")):
                    counts[int(name.rsplit("-", 1)[1])] = int(line.split()[1])
                    break
        return counts


def main(argv: list[str]) -> int:
    if argv[:1] == ["--drive"]:
        drive(argv[1], int(argv[2]))
        return 0
    print("| config | request thread, instructions a request | delivery threads |")
    print("|---|---:|---:|")
    for variant in argv or list(VARIANTS):
        small, large = per_thread(variant, N1), per_thread(variant, N2)
        request = (large.get(1, 0) - small.get(1, 0)) // (N2 - N1)
        others = (sum(large.values()) - large.get(1, 0)
                  - sum(small.values()) + small.get(1, 0)) // (N2 - N1)
        print(f"| {VARIANTS[variant]} | {request:,} | {others:,} |", flush=True)
    print(f"\nCommand: `{COMMAND}`; PYTHONHASHSEED=0, the realistic Flask mutation.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
