"""Where the previous chain of this writer ended, read from the trail's own sinks.

When a process starts a chain, the first event records (``integrity.after``) the last
chained event it can find: the last line of its first file sink (or that file's newest
rotated sibling), else the newest event of its store. With several processes on one
file or store that event may be another process's — which is still a true statement
("that chain had reached this seq"), and that is all the verifier relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from auditmw.integrity.chain import Position, position_of
from auditmw.integrity.files import last_position


def _from_store_sink(sink: Any) -> Position | None:
    from auditmw.store.base import Query

    page = sink.store.query(Query(), order="desc", limit=1, with_total=False)
    return position_of(page.items[0]) if page.items else None


def previous_end(sinks: Sequence[Any]) -> Position | None:
    """The newest chain position any of ``sinks`` holds (files first: cheaper)."""
    from auditmw.sinks.file import FileSink

    for sink in sinks:
        if isinstance(sink, FileSink) and sink.format == "auditmw":  # ocsf/ecs: no chain
            found = last_position(sink.path)
            if found is not None:
                return found
    for sink in sinks:
        if hasattr(sink, "store") and hasattr(sink.store, "query"):
            found = _from_store_sink(sink)
            if found is not None:
                return found
    return None


def resume_from(get_sinks: Callable[[], Sequence[Any]]) -> Callable[[], Position | None]:
    """A ``resume`` callable for :class:`ChainProcessor` over sinks built later."""
    return lambda: previous_end(get_sinks())
