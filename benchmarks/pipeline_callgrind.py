"""The delivery thread's per-event work in instructions (callgrind), for a busy machine.

``benchmarks integrity`` times the pipeline in CPU seconds; on a shared 2-core box those
move by more than the changes being weighed. This counts instructions instead, which the
load does not change. Cases, on the bench's mutation event (``bench_integrity``):

- ``process`` — ``trail.process`` with the chain (to_dict, enrich, redact, truncate,
  chain; since issue 21 the chain also makes the event's line, which the sinks only
  read: across that change compare ``deliver``);
- ``varied`` — the same, every event with its own target, name and token
  (``sample_event(n)``: values the pipeline's caches cannot have seen), all built
  before the run;
- ``deliver`` — that, then what the default config's sinks do with it short of I/O: the
  file sink's ``write`` (to ``/dev/null``, batches of 100) and the store's rows
  (``event_to_row``).

Each case runs twice under callgrind after the same warm-up, with ``N1`` and ``N2``
events; the difference of the totals over ``N2 - N1`` is one event, start-up cancelled
out (``PYTHONHASHSEED=0``).

    .venv/bin/python -m benchmarks.pipeline_callgrind            # both (~5 min)
    .venv/bin/python -m benchmarks.pipeline_callgrind deliver

Not part of ``make bench`` (it needs valgrind).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

N1, N2 = 0, 1000
WARM_UP = 100
BATCH = 100
CASES = ("process", "varied", "deliver")
COMMAND = ".venv/bin/python -m benchmarks.pipeline_callgrind"


def drive(case: str, n: int) -> None:
    from auditmw.sinks.file import FileSink
    from auditmw.store.rows import event_to_row
    from auditmw.trail import AuditTrail
    from benchmarks.bench_integrity import DiscardSink, sample_event

    folder = tempfile.mkdtemp()
    trail = AuditTrail(store=False, sinks=[DiscardSink()],
                       delivery={"spool_dir": f"{folder}/spool"})
    sink = FileSink(os.devnull, fsync="never", rotate_bytes=0)
    # as many events built in every run, so that building them cancels out
    events = [sample_event(i) for i in range(WARM_UP + N2)] if case == "varied" \
        else [sample_event()] * (WARM_UP + N2)
    del events[WARM_UP + n:]
    batch: list[dict[str, Any]] = []
    for event in events:
        finished = trail.process(event)
        if case == "deliver":
            batch.append(finished)
            if len(batch) == BATCH:
                sink.write(batch)
                for one in batch:
                    event_to_row(one)
                batch.clear()
    sink.close()
    trail.close(30)


def instructions(case: str, n: int) -> int:
    return instructions_of(["-m", "benchmarks.pipeline_callgrind", "--drive", case, str(n)])


def instructions_of(args: list[str]) -> int:
    """The instructions callgrind counts for ``python ARGS`` (PYTHONHASHSEED=0)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             *args], check=True, capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": "0"})
        text = out.read_text()
    for line in text.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError("no totals in callgrind's output")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--drive"]:
        drive(argv[1], int(argv[2]))
        return 0
    print("| case | instructions an event |")
    print("|---|---:|")
    for case in argv or CASES:
        each = (instructions(case, N2) - instructions(case, N1)) // (N2 - N1)
        print(f"| {case} | {each:,} |", flush=True)
    print(f"\nCommand: `{COMMAND}`; whole process, PYTHONHASHSEED=0.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
