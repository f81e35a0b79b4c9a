"""A JSON-lines trail on disk: the live file, its rotated siblings, its checkpoints.

The file sink renames a full file to ``<name>.<YYYYmmddTHHMMSSffffff>Z`` (``-N`` added
when two rotations share a microsecond), so the set ``audit.jsonl.*`` sorted by that
stamp, then ``audit.jsonl`` itself, is the trail in the order it was written.
Checkpoints for a file trail live beside it in ``<name>.checkpoints`` (JSON lines),
which no rotation pattern matches.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditmw import codec
from auditmw.integrity.chain import Position, position_of

CHECKPOINT_SUFFIX = ".checkpoints"
_ROTATED = re.compile(r"^\.(\d{8}T\d{12}Z)(?:-(\d+))?$")
_TAIL_BYTES = 1 << 20  # the last line of a trail is far shorter than this


def rotated_siblings(path: Path) -> list[Path]:
    """``path``'s rotated files, oldest first."""
    found: list[tuple[str, int, Path]] = []
    try:
        entries = list(path.parent.iterdir())
    except FileNotFoundError:
        return []
    for entry in entries:
        if not entry.name.startswith(path.name):
            continue
        match = _ROTATED.match(entry.name[len(path.name):])
        if match and entry.is_file():
            found.append((match.group(1), int(match.group(2) or 0), entry))
    return [p for _, _, p in sorted(found)]


def file_set(path: str | os.PathLike[str]) -> list[Path]:
    """The files of a trail in writing order: rotated siblings, then the live file."""
    live = Path(path)
    files = rotated_siblings(live)
    if live.is_file():
        files.append(live)
    return files


def checkpoint_path(path: str | os.PathLike[str]) -> Path:
    live = Path(path)
    return live.with_name(live.name + CHECKPOINT_SUFFIX)


# Verify reads a block, splits it and checks its lines while they are still in the
# CPU's cache: 1 MiB blocks verified ~12 % less CPU than 8 MiB ones, whose lines had left
# the cache by the time they were hashed (docs/integrity.md, "Speed").
_READ_BYTES = 1 << 20


def iter_lines(path: Path, block_size: int = _READ_BYTES) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes without the newline)`` for every line; a last line without
    its newline (a write cut short) is yielded too. Read in large blocks."""
    number = 0
    for lines in iter_blocks(path, block_size):
        for number, line in enumerate(lines, number + 1):  # noqa: B020 - numbering goes on
            yield number, line


def iter_blocks(path: Path, block_size: int = _READ_BYTES) -> Iterator[list[bytes]]:
    """The lines of ``path`` (without their newlines; a last line without one too), a
    block's worth (about a thousand) at a time: for a loop that counts them itself.

    Each block is split as read, and only the line it cuts in two is joined: the piece
    before the block's first newline goes after the previous blocks' unfinished line.
    Pieces of a line longer than a block are kept in a list and joined once, so a
    huge line costs one copy, not one per block."""
    pending: list[bytes] = []  # the unfinished line, in pieces
    with path.open("rb", buffering=0) as fh:
        while block := fh.read(block_size):
            lines = block.split(b"\n")
            if pending:
                pending.append(lines[0])
                if len(lines) == 1:  # no newline in this block: still unfinished
                    continue
                lines[0] = b"".join(pending)
                pending = []
            last = lines.pop()
            if last:
                pending.append(last)
            yield lines
    if pending:
        yield [b"".join(pending)]


@contextlib.contextmanager
def _shared_lock(fd: int) -> Iterator[None]:
    """Hold a shared ``flock`` if it can be had at once: writers hold theirs only while
    they append, and a reader that cannot get it still reads whole lines only."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        yield
        return
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _last_position(path: Path) -> Position | None:
    try:
        with path.open("rb") as fh, _shared_lock(fh.fileno()):
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL_BYTES))
            tail = fh.read()
    except OSError:
        return None
    for line in reversed(tail.split(b"\n")):
        if not line.strip():
            continue
        try:
            event = codec.loads(line)
        except ValueError:
            continue  # torn or foreign: look further back
        if isinstance(event, dict) and (found := position_of(event)) is not None:
            return found
    return None


def last_position(path: str | os.PathLike[str]) -> Position | None:
    """The chain position of the last chained event in a file trail, if any."""
    for candidate in reversed(file_set(path)):
        found = _last_position(candidate)
        if found is not None:
            return found
    return None


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one JSON line durably (``flock``, ``O_APPEND``, ``fsync``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, codec.dumps_line(record))
        os.fsync(fd)
    finally:
        os.close(fd)


def read_records(path: Path) -> list[tuple[str, Any]]:
    """``(where, parsed JSON or None)`` for every line of a JSON-lines side file."""
    if not path.is_file():
        return []
    out: list[tuple[str, Any]] = []
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        try:
            out.append((f"{path.name}:{number}", codec.loads(line)))
        except ValueError:
            out.append((f"{path.name}:{number}", None))
    return out
