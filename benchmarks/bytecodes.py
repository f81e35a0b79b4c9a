"""Counting the Python bytecodes a thread runs: a measure of work the machine's load
cannot move.

On a shared 2-core box the CPU clocks of two runs of the same code differ by tens of
percent; the bytecodes executed do not (the same requests run the same code). They miss
what C code does (JSON encoding, SQLite) and the other threads, so they complement the
clocks, never replace them. ``sys.settrace`` with opcode events: slow, so only a few
requests are counted, in a pass of their own, never inside a timed block.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any


def count(run: Callable[[], object]) -> int:
    """The bytecodes this thread executes while ``run()`` runs (Python frames only)."""
    executed = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal executed
        if event == "opcode":
            executed += 1
        return local

    def enter(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        return local

    previous = sys.gettrace()
    sys.settrace(enter)
    try:
        run()
    finally:
        sys.settrace(previous)
    return executed
