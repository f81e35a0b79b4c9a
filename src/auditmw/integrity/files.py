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


_READ_BYTES = 8 << 20


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes without the newline)`` for every line; a last line without
    its newline (a write cut short) is yielded too. Read in large blocks."""
    number = 0
    rest = b""
    with path.open("rb") as fh:
        while block := fh.read(_READ_BYTES):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            for number, line in enumerate(lines, number + 1):  # noqa: B020 - numbering goes on
                yield number, line
    if rest:
        yield number + 1, rest


def iter_blocks(path: Path) -> Iterator[list[bytes]]:
    """The lines of ``path`` as :func:`iter_lines` reads them, a block's worth (some
    thousands) at a time, without their numbers: for a loop that counts them itself."""
    rest = b""
    with path.open("rb") as fh:
        while block := fh.read(_READ_BYTES):
            lines = (rest + block).split(b"\n")
            rest = lines.pop()
            yield lines
    if rest:
        yield [rest]


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
