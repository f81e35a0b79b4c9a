"""Reading a store's rows for ``auditmw verify`` in one pass.

Every column of a row but ``data`` mirrors a field of the signed event ``data`` holds
(:mod:`auditmw.store.schema`). A row is checked by decoding ``data`` into just those
fields (:class:`Mirror`: msgspec checks the whole text is JSON but builds only them),
comparing the columns with them in one tuple comparison (the time column formatted as
the writer formats a time, rather than the event's time parsed), and hashing ``data``'s own
bytes (:meth:`Verifier.take_intact`): the stored text is the exact canonical JSON the
writer hashed. Any row that does not pass all three at once — a column that disagrees,
a field of another type, text that is not canonical, a hash that fails — is read the
way :meth:`~auditmw.store.base.Store.iter_stored` reads it (the whole event parsed, each
disagreement named), so the verdict is the same; only the common case is quicker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from auditmw.event import SCHEMA
from auditmw.ids import format_time_ns
from auditmw.integrity.heads import Integrity
from auditmw.store.rows import column_disagreements, datetime_to_us

if TYPE_CHECKING:
    from auditmw.integrity.analysis import Verifier

__all__ = ["add_rows"]


class Party(msgspec.Struct, gc=False):
    id: str | None = None
    name: str | None = None


class Client(msgspec.Struct, gc=False):
    ip: str | None = None


class Mirror(msgspec.Struct, gc=False):
    """The fields of an event its row's columns mirror (``event_columns``), typed as the
    columns hold them: a value of any other type is read whole."""

    schema: str
    id: str
    time: str
    integrity: Integrity
    event: str | None = None
    category: str | None = None
    outcome: str | None = None
    actor: Party | None = None
    target: Party | None = None
    client: Client | None = None
    tenant: str | None = None


_NOBODY = Party()
_NO_CLIENT = Client()
_decode: Callable[[bytes], Mirror] = msgspec.json.Decoder(Mirror).decode


def add_rows(verifier: Verifier, rows: Iterable[Sequence[Any]]) -> None:
    """Feed ``verifier`` every row (the columns of :data:`~auditmw.store.schema.COLUMNS`,
    ``ts`` as microseconds or a datetime, ``data`` as text or UTF-8 bytes)."""
    take = verifier.take_intact
    for row in rows:
        data = row[14]
        raw: bytes = data if isinstance(data, bytes) else data.encode()
        ts = row[1]
        if not isinstance(ts, int):  # PostgreSQL's datetime; a tampered value as it is
            ts = datetime_to_us(ts) if isinstance(ts, datetime) else ts
        try:
            event = _decode(raw)
        except msgspec.DecodeError:
            event = None
        if (event is not None and event.schema == SCHEMA and event.id
                and type(ts) is int and event.time == _time_text(ts)):
            actor = event.actor or _NOBODY
            target = event.target or _NOBODY
            integrity = event.integrity
            if (row[0] == event.id and row[2:14] == (
                    event.event, event.category, event.outcome, actor.id, actor.name,
                    target.id, target.name, (event.client or _NO_CLIENT).ip,
                    integrity.chain, integrity.seq, integrity.hash, event.tenant)
                    and take(raw, integrity, event.id, f"row {row[0]}")):
                continue
        _add_whole(verifier, row, ts, raw)


# The microseconds of 1000-01-01 and of the last of 9999: the times with a four-digit
# year, the only ones the canonical form (and its quick parse) can write.
_FIRST_US, _LAST_US = -30_610_224_000_000_000, 253_402_300_799_999_999


def _time_text(ts: int) -> str | None:
    """The canonical text of ``ts`` microseconds, as the writer formats an event's time,
    which :func:`~auditmw.store.rows.time_text_to_us` reads back to ``ts``; ``None``
    outside the years 1000-9999. An event whose time is this text agrees with the
    column without parsing the text."""
    if not _FIRST_US <= ts <= _LAST_US:
        return None
    return format_time_ns(ts * 1000)


def _add_whole(verifier: Verifier, row: Sequence[Any], ts: Any, raw: bytes) -> None:
    """A row read as ``iter_stored`` reads it, and given to the verifier as
    :func:`~auditmw.integrity.verify.verify_store` gives such a row."""
    stored = [row[0], ts, *row[2:14]]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")  # cannot parse as the event it was
    event, disagreements = column_disagreements(stored, text)
    where = f"row {row[0]}"
    if event is not None:
        verifier.add_event(event, where)
    for why in disagreements:
        # Reads filter on the columns: one that says what the signed event does not
        # relabels, hides or backdates that event in every filtered read.
        verifier.add_row_problem(event, str(row[0]), where, why)
