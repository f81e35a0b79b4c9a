"""A trail file read a block at a time gives exactly its lines, wherever the blocks cut
them (``integrity.files.iter_blocks``: only the line a block cuts is joined)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditmw.integrity.files import iter_blocks, iter_lines


def lines_of(content: bytes) -> list[bytes]:
    """What reading the whole file at once gives: every line, the last one too when it
    has no newline (a write cut short)."""
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


pieces = st.lists(st.sampled_from([b"\n", b"a", b"{\"x\":1}", b"\n\n", b"0123456789" * 5]),
                  max_size=40).map(b"".join)


@settings(max_examples=300, deadline=None)
@given(content=pieces, block_size=st.integers(1, 64))
@example(content=b"", block_size=1)
@example(content=b"line without newline", block_size=3)
@example(content=b"a" * 200 + b"\nb\n", block_size=7)  # a line longer than many blocks
@example(content=b"\n\n\n", block_size=1)
def test_blocks_are_the_file_s_lines(tmp_path_factory: object, content: bytes,
                                     block_size: int) -> None:
    path = Path(str(tmp_path_factory.mktemp("blocks"))) / "audit.jsonl"  # type: ignore[attr-defined]
    path.write_bytes(content)
    read = [line for block in iter_blocks(path, block_size) for line in block]
    assert read == lines_of(content)
    assert list(iter_lines(path, block_size)) == list(enumerate(lines_of(content), 1))


def test_the_default_block_reads_a_real_sized_file(tmp_path: Path) -> None:
    content = b"".join(b'{"n":%d,"pad":"%s"}\n' % (n, b"x" * (n % 977)) for n in range(5000))
    path = tmp_path / "audit.jsonl"
    path.write_bytes(content + b'{"torn":')
    assert [line for block in iter_blocks(path) for line in block] == lines_of(
        content + b'{"torn":')
