"""The HTTP doors' cost in instructions (callgrind), for a machine too busy to time.

``benchmarks capture`` times blocks of requests in CPU seconds; on a shared 2-core box
those move by more than a change of a few µs. This counts the instructions the request's
own thread executes instead (valgrind's callgrind, ``--separate-threads``: the delivery
thread's work is left out), which the machine's load does not change.

For each door (ASGI, WSGI), case ((b) a GraphQL query matching nothing, (c) a catalogued
mutation, the apps of ``bench_capture``) and variant (``bare``: the app alone;
``auditmw``: the middleware with graphql-core's execution hook installed, over an async
file sink), the driver is run twice under callgrind, with ``N1`` and ``N2`` measured
requests after the same warm-up; the difference of the two totals divided by
``N2 - N1`` is one request's instructions, start-up and warm-up cancelled out.
``PYTHONHASHSEED=0`` keeps the runs identical.

    .venv/bin/python -m benchmarks.capture_callgrind            # every row (~30 min)
    .venv/bin/python -m benchmarks.capture_callgrind wsgi:c asgi:c

Not part of ``make bench`` (it needs valgrind and is slow: each run interprets the
whole start-up under valgrind).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

N1, N2 = 100, 300
ROWS = ("asgi:b", "asgi:c", "wsgi:b", "wsgi:c")
COMMAND = ".venv/bin/python -m benchmarks.capture_callgrind"


def drive(protocol: str, case: str, variant: str, n: int) -> None:
    """One run: warm up, then ``n`` requests, then flush and close the trail."""
    from auditmw import asgi, wsgi
    from auditmw.graphql import instrument
    from auditmw.trail import AuditTrail
    from benchmarks import bench_capture as bc

    folder = tempfile.mkdtemp()
    trail = AuditTrail(store=False, service="bench", delivery={"mode": "async"},
                       sinks=[{"type": "file", "path": f"{folder}/audit.jsonl"}])
    _label, method, path, body = bc.CASES[case]
    app: Any
    runner: Any
    door: Any
    if protocol == "wsgi":
        app = bc.graphql_wsgi_app if case == "c" else bc.wsgi_app
        runner = bc.wsgi_runner
        door = wsgi.AuditMiddleware
    else:
        app = bc.graphql_asgi_app if case == "c" else bc.asgi_app
        runner = bc.asgi_runner
        door = asgi.AuditMiddleware
    if variant == "auditmw":
        app = door(app, trail=trail)
        instrument(trail)
    run = runner(app, method, path, body)
    per_request = 1 if variant == "auditmw" and case == "c" else 0
    run(100)
    _delivered(trail, 100 * per_request)
    run(n)
    _delivered(trail, (100 + n) * per_request)
    trail.close(30)


def _delivered(trail: AuditTrail, events: int) -> None:
    """Wait for the delivery thread to have recorded ``events``. Not ``trail.flush``:
    that settles the backlog on the calling thread, so how much of the delivery work
    would land on the request thread's count would depend on the machine's load."""
    while trail.stats()["recorded"] < events:
        time.sleep(0.05)


def instructions(protocol: str, case: str, variant: str, n: int) -> int:
    """The request thread's instructions for one whole run of ``n`` requests."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cg.out"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--separate-threads=yes",
             f"--callgrind-out-file={out}", sys.executable, "-m",
             "benchmarks.capture_callgrind", "--drive", protocol, case, variant, str(n)],
            check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        main_thread = Path(f"{out}-01").read_text()
    for line in main_thread.splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError("no totals in callgrind's output")


def per_request(protocol: str, case: str, variant: str) -> int:
    return (instructions(protocol, case, variant, N2)
            - instructions(protocol, case, variant, N1)) // (N2 - N1)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--drive"]:
        drive(argv[1], argv[2], argv[3], int(argv[4]))
        return 0
    print("| door | case | bare, instructions a request | auditmw adds |")
    print("|---|---|---:|---:|")
    for row in argv or ROWS:
        protocol, case = row.split(":")
        bare = per_request(protocol, case, "bare")
        added = per_request(protocol, case, "auditmw") - bare
        print(f"| {protocol.upper()} | ({case}) | {bare:,} | +{added:,} |", flush=True)
    print(f"\nCommand: `{COMMAND}`; request thread only, PYTHONHASHSEED=0.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
