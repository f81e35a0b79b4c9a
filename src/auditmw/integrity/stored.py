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


class Mirror(msgspec.Struct, gc=False, kw_only=True):
    """The fields of an event its row's columns mirror (``event_columns``), typed as the
    columns hold them: a value of any other type is read whole. In the canonical form's
    (sorted) key order: msgspec looks for each key at the field after the last one
    found first, so every key of an event then costs one comparison."""

    actor: Party | None = None
    category: str | None = None
    client: Client | None = None
    event: str | None = None
    id: str
    integrity: Integrity
    outcome: str | None = None
    schema: str
    target: Party | None = None
    tenant: str | None = None
    time: str


_NOBODY = Party()
_NO_CLIENT = Client()
_decode: Callable[[bytes], Mirror] = msgspec.json.Decoder(Mirror).decode


def add_rows(verifier: Verifier, rows: Iterable[Sequence[Any]]) -> None:
    """Feed ``verifier`` every row (the columns of :data:`~auditmw.store.schema.COLUMNS`,
    ``ts`` as microseconds or a datetime, ``data`` as text or UTF-8 bytes)."""
    take = verifier.take_intact
    # The time text of the last row's second: rows come by chain and seq, nearly in
    # time order, so most rows share their second with the row before.
    last_second: int | None = None
    second_text: str | None = None
    for row in rows:
        data = row[14]
        raw: bytes = data if isinstance(data, bytes) else data.encode()
        ts = row[1]
        if type(ts) is not int:  # PostgreSQL's datetime; a tampered value as it is
            ts = datetime_to_us(ts) if isinstance(ts, datetime) else ts
        try:
            event = _decode(raw)
        except msgspec.DecodeError:
            event = None
        if event is not None and type(ts) is int:
            second, micros = divmod(ts, 1_000_000)
            if second != last_second:
                last_second, second_text = second, _second_text(second)
            if (second_text is not None and event.time == f"{second_text}.{micros:06d}Z"
                    and event.schema == SCHEMA and event.id):
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


# The seconds of 1000-01-01 and of the last of 9999: the times with a four-digit year,
# the only ones the canonical form (and its quick parse) can write.
_FIRST_S, _LAST_S = -30_610_224_000, 253_402_300_799


def _time_text(ts: int) -> str | None:
    """The canonical text of ``ts`` microseconds, as the writer formats an event's time,
    which :func:`~auditmw.store.rows.time_text_to_us` reads back to ``ts``; ``None``
    outside the years 1000-9999. An event whose time is this text agrees with the
    column without parsing the text. (:func:`add_rows` builds it the same way, the
    second's text kept from one row to the next.)"""
    second, micros = divmod(ts, 1_000_000)
    text = _second_text(second)
    return None if text is None else f"{text}.{micros:06d}Z"


def _second_text(second: int) -> str | None:
    """The writer's text of a time's whole ``second`` (``format_time_ns``'s, less its
    ``.000000Z``), ``None`` outside the years 1000-9999."""
    if not _FIRST_S <= second <= _LAST_S:
        return None
    return format_time_ns(second * 1_000_000_000)[:-8]


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
