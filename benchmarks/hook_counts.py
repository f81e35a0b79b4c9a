"""The execution hook's cost in instructions per execution, on the request thread.

``.venv/bin/python -m benchmarks.hook_counts`` runs itself under
``valgrind --tool=callgrind`` (installed separately): each case runs warm, then ``K``
executions between two ``os.getppid()`` calls, at which callgrind dumps its counts
(``--dump-before=os_getppid``; the libpython must have its symbols, as a pyenv or distro
build does). ``--separate-threads=yes`` keeps the delivery thread's work out of the
request thread's count. Instruction counts do not move with the load of the machine,
so two versions of the code can be compared run against run (docs/graphql-hooks.md,
"Cost"). Not part of ``make bench`` (valgrind makes it take minutes).
``AUDITMW_HOOK_COUNTS_K`` sets the executions per case.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import graphql

from auditmw.context import RequestState, current_request
from auditmw.event import Client
from auditmw.graphql import instrument, uninstrument
from auditmw.trail import AuditTrail
from benchmarks.bench_resolver import CATALOGUED, QUERY, UNCATALOGUED, DiscardSink, build_schema

K = int(os.environ.get("AUDITMW_HOOK_COUNTS_K", "300"))
COMMAND = ".venv/bin/python -m benchmarks.hook_counts"
CASES = [
    ("query, nothing catalogued, in a watched request", QUERY, True),
    ("mutation, nothing catalogued", UNCATALOGUED, False),
    ("catalogued mutation, facts handed to the HTTP middleware", CATALOGUED, True),
    ("catalogued mutation recorded by the hook (async)", CATALOGUED, False),
]


def _child(names_file: str) -> None:
    """Under callgrind: every case bare, then hooked, each block between two marks."""
    schema = build_schema()
    trail = AuditTrail(store=False, sinks=[DiscardSink()])

    def runner(document: graphql.DocumentNode, in_request: bool) -> Callable[[], None]:
        def run() -> None:
            if not in_request:
                graphql.execute_sync(schema, document)
                return
            token = current_request.set(
                RequestState("POST", "/graphql", Client(ip="127.0.0.1"), "ui"))
            try:
                graphql.execute_sync(schema, document)
            finally:
                current_request.reset(token)

        return run

    names: list[str] = []
    for name, document, in_request in CASES:
        run = runner(document, in_request)
        for hooked in (False, True):
            instrument(trail) if hooked else uninstrument()
            for _ in range(30):
                run()
            trail.flush()
            os.getppid()  # callgrind dumps here: the block starts
            for _ in range(K):
                run()
            os.getppid()  # and ends
            trail.flush()
            names.append(name)
    uninstrument()
    trail.close()
    Path(names_file).write_text("\n".join(names), encoding="utf-8")


def _total(dump: Path) -> int:
    for line in dump.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise ValueError(f"no totals in {dump}")


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        out, names_file = Path(tmp) / "cg", Path(tmp) / "names"
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--separate-threads=yes",
             "--dump-before=os_getppid", f"--callgrind-out-file={out}",
             sys.executable, "-m", "benchmarks.hook_counts", "--child", str(names_file)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        names = names_file.read_text(encoding="utf-8").splitlines()
        # dump n ends block n: even dumps are the timed blocks (odd ones the warm-ups);
        # "-01" is the main thread, the one the executions ran on
        counts = [_total(Path(f"{out}.{2 * i + 2}-01")) / K for i in range(len(names))]
    lines = ["## Execution hook: instructions per execution, request thread", "",
             f"graphql-core {graphql.__version__}, callgrind, {K} executions per case.", "",
             "| case | bare | hooked | added |", "|---|---:|---:|---:|"]
    for i in range(0, len(names), 2):
        bare, hooked = counts[i], counts[i + 1]
        lines.append(f"| {names[i]} | {bare:,.0f} | {hooked:,.0f} | {hooked - bare:+,.0f} |")
    lines += ["", f"Command: `{COMMAND}`", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        print(main())
