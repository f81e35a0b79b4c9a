"""Run every ``benchmarks/bench_*.py`` (or the named ones) and collect their tables.

Each module has ``main() -> str`` returning a Markdown section (a heading, the table,
the exact command). Results go to stdout and to ``benchmarks/results/latest.md``; the
README's figures are copied from there.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
import time
from pathlib import Path

import benchmarks


def main(argv: list[str]) -> int:
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__)
                   if m.name.startswith("bench_"))
    wanted = [f"bench_{n.removeprefix('bench_')}" for n in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}",
              file=sys.stderr)
        return 2
    header = (f"# auditmw benchmarks\n\n{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
              f" · Python {platform.python_version()} · {platform.machine()} · "
              f"{platform.processor() or 'cpu'}\n")
    sections = [header]
    print(header, flush=True)
    for name in wanted:
        started = time.perf_counter()
        section = importlib.import_module(f"benchmarks.{name}").main()
        section += f"\n_({name} took {time.perf_counter() - started:.0f} s)_\n"
        print(section, flush=True)
        sections.append(section)
    out = Path(__file__).parent / "results" / "latest.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(sections), encoding="utf-8")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
