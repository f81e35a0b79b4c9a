"""What the garbage collector does for auditmw on the realistic apps (issue 21).

For each app and request of :mod:`benchmarks.bench_realistic` and each variant (bare,
default, file only), two readings:

- **kept**: the GC-tracked objects that 10 requests leave alive while their events are
  still queued (the collector off; ``gc.get_objects()`` before and after, per request):
  what a gen0 pass must scan and may promote;
- **cyclic**: the objects only the collector could free, per request, once the trail is
  flushed (``gc.collect()``'s count with the collector off for the requests);
- **passes and time**: over ``N`` requests (default 2,000) with the collector on, the
  passes per 1,000 requests by generation and the CPU they took (``gc.callbacks``,
  ``time.thread_time`` of the collecting thread, so the delivery threads' passes are
  counted too). The time moves with the machine's load; the counts hardly do.

    .venv/bin/python -m benchmarks.gc_counts                 # both apps' mutation
    .venv/bin/python -m benchmarks.gc_counts Flask:1 Starlette:1 --n 1000

``APP:CASE`` names the app and the index in ``bench_realistic.CASES`` (0 the catalogued
mutation, 1 the GraphQL query, 2 the REST GET). Not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import bench_realistic as br

VARIANTS = ("bare", "default", "file only")


class Passes:
    """The collector's passes and their thread CPU, from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.by_generation = [0, 0, 0]
        self._started: dict[int, float] = {}

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        ident = threading.get_ident()
        if phase == "start":
            self._started[ident] = time.thread_time()
            return
        began = self._started.pop(ident, None)
        if began is not None:
            self.seconds += time.thread_time() - began
        self.by_generation[info["generation"]] += 1


def kept_and_cyclic(variant: br.Variant) -> tuple[float, float]:
    variant.prepare()
    variant.run(20)
    variant.drain()
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        variant.run(10)
        kept = (len(gc.get_objects()) - before) / 10
        variant.drain()
        cyclic = gc.collect() / 10
    finally:
        gc.enable()
    return kept, cyclic


def passes(variant: br.Variant, n: int) -> tuple[float, list[float]]:
    variant.prepare()
    variant.run(100)
    variant.drain()
    gc.collect()
    counter = Passes()
    gc.callbacks.append(counter)
    try:
        for _ in range(max(n // 100, 1)):
            variant.run(100)
        variant.drain()
    finally:
        gc.callbacks.remove(counter)
    return counter.seconds * 1e6 / n, [p * 1000 / n for p in counter.by_generation]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gc_counts")
    parser.add_argument("cases", nargs="*", default=["Flask:0", "Starlette:0"])
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    print("| app:case | variant | kept objects / request | cyclic / request "
          "| passes / 1,000 req (gen0, gen1, gen2) | GC µs / request |")
    print("|---|---|---:|---:|---|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        setup = br.Setup.in_folder(Path(tmp))
        try:
            for name in args.cases:
                app, index = name.split(":")
                case = br.CASES[int(index)]
                variants = (setup.flask_variants if app == "Flask"
                            else setup.starlette_variants)(case)
                for label in VARIANTS:
                    kept, cyclic = kept_and_cyclic(variants[label])
                    us, by_generation = passes(variants[label], args.n)
                    shown = ", ".join(f"{p:.1f}" for p in by_generation)
                    print(f"| {name} | {label} | {kept:.1f} | {cyclic:.1f} | {shown} "
                          f"| {us:.1f} |")
        finally:
            setup.close()


if __name__ == "__main__":
    main()
