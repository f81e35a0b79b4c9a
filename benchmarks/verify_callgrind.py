"""``auditmw verify``'s work per file line and store row in instructions (callgrind), for a
busy machine.

``benchmarks integrity`` times verify in CPU seconds, which move on a shared 2-core box
by more than a change to verify weighs. This counts the instructions of this process
instead (for PostgreSQL the client side only: the server's are not counted). One file or
store of ``N`` of the bench's events (``bench_integrity.sample_event``) is written, then
verified once and three times under callgrind; the difference of the totals over
``2 × N`` is one row, start-up and writing cancelled out (``PYTHONHASHSEED=0``).

    .venv/bin/python -m benchmarks.verify_callgrind              # file, sqlite, postgresql
    .venv/bin/python -m benchmarks.verify_callgrind file sqlite

Valgrind runs OpenSSL without the CPU's SHA instructions, so SHA-256 counts for about
27,000 of a line's instructions here (1 KB, 16 blocks) where the SHA-NI box spends well
under a microsecond: compare runs of this tool with each other, not with the CPU bench.

PostgreSQL is ``AUDITMW_TEST_PG``'s server (``bench_store.PG_ADMIN``). Not part of
``make bench`` (it needs valgrind).
"""

from __future__ import annotations

import sys
import tempfile
import uuid

from benchmarks.pipeline_callgrind import instructions_of

N = 5000
RUNS = (1, 3)
CASES = ("file", "sqlite", "postgresql")
COMMAND = ".venv/bin/python -m benchmarks.verify_callgrind"


def write(url: str, folder: str) -> None:
    from auditmw.trail import AuditTrail
    from benchmarks.bench_integrity import sample_event

    is_file = not url.startswith(("sqlite:", "postgresql:"))
    trail = AuditTrail(store=False if is_file else {"url": url},
                       sinks=[{"type": "file", "path": url, "fsync": "never"}] if is_file
                       else [],
                       delivery={"spool_dir": f"{folder}/spool", "queue_size": N + 1})
    for n in range(N):
        trail.emit(sample_event(n))
    trail.close(timeout=600)


def drive(url: str, runs: int) -> None:
    from auditmw.integrity import verify_files, verify_store
    from auditmw.store import open_store

    if not url.startswith(("sqlite:", "postgresql:")):  # a JSON-lines file
        for _ in range(runs):
            report = verify_files(url)
            assert report.valid, report.summary()
            assert report.events == N
        return
    store = open_store(url)
    store.checkpoints()  # connected and schema read before the first run
    for _ in range(runs):
        report = verify_store(store)
        assert report.valid, report.summary()
        assert report.events == N
    store.close()


def per_row(case: str, folder: str) -> int:
    if case == "file":
        url, drop = f"{folder}/verify.jsonl", None
    elif case == "sqlite":
        url, drop = f"sqlite:///{folder}/verify.db", None
    else:
        import psycopg

        from benchmarks.bench_store import PG_ADMIN
        name = f"auditmw_bench_verify_cg_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url, drop = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", name
    try:
        write(url, folder)
        counts = [instructions_of(["-m", "benchmarks.verify_callgrind", "--drive", url,
                                   str(runs)]) for runs in RUNS]
    finally:
        if drop is not None:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drop}" WITH (FORCE)')
    return (counts[1] - counts[0]) // ((RUNS[1] - RUNS[0]) * N)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--drive"]:
        drive(argv[1], int(argv[2]))
        return 0
    print(f"| trail ({N:,} events) | instructions a line or row |")
    print("|---|---:|")
    for case in argv or CASES:
        with tempfile.TemporaryDirectory() as folder:
            print(f"| {case} | {per_row(case, folder):,} |", flush=True)
    print(f"\nCommand: `{COMMAND}`; this process only, PYTHONHASHSEED=0.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
