"""From an event dict to the columns a store indexes, and opaque pagination cursors.

Times are carried as integer microseconds since the Unix epoch (UTC) inside the store
code: exact, cheap to compare, and the same for both backends' cursors.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.ids import format_time
from auditmw.store.base import EventDict, StoreError, UnstorableEvent
from auditmw.store.schema import COLUMNS

if TYPE_CHECKING:
    from collections.abc import Sequence

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_ONE_US = timedelta(microseconds=1)

# id, time_us, event, category, outcome, actor_id, actor_name, target_id, target_name,
# client_ip, chain, seq, hash, tenant, data (the exact canonical JSON)
Row = tuple[str, int, str | None, str | None, str | None, str | None, str | None,
            str | None, str | None, str | None, str | None, int | None, str | None,
            str | None, str]


def datetime_to_us(value: datetime) -> int:
    if value.tzinfo is None:
        raise StoreError("store times must be timezone-aware datetimes")
    return (value - EPOCH) // _ONE_US


def us_to_datetime(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


# "YYYY-MM-DD" -> microseconds at that day's midnight: a batch's events share a few days,
# and the date is the costly part to validate. Bounded: cleared when full.
_DAY_US: dict[str, int] = {}
_DAY_CACHE_SIZE = 4096
_EPOCH_ORDINAL = EPOCH.toordinal()
_US_PER_DAY = 86_400_000_000


def _day_us(text: str) -> int:
    found = _DAY_US.get(text)
    if found is None:
        found = (date.fromisoformat(text).toordinal() - _EPOCH_ORDINAL) * _US_PER_DAY
        if len(_DAY_US) >= _DAY_CACHE_SIZE:
            _DAY_US.clear()
        _DAY_US[text] = found
    return found


def time_text_to_us(text: str) -> int:
    """RFC 3339 (``Z`` or an offset) to microseconds. The canonical form
    (``2026-11-22T10:50:23.123456Z``, what auditmw writes) takes a fast path: the date
    from a cache, the time of day parsed on its own (a quarter of a full parse)."""
    if (len(text) == 27 and text[26] == "Z" and text[10] == "T" and text[13] == ":"
            and text[16] == ":" and text[19] == "."):
        clock = time.fromisoformat(text[11:26])
        return (_day_us(text[:10]) + clock.microsecond
                + ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    return datetime_to_us(parsed)


def column_text(value: Any) -> str | None:
    """A column's text for a value of the event: what both backends can hold and what
    a filter compares with. NUL becomes U+FFFD (PostgreSQL's text cannot hold it; a
    client putting one in an argument must not make the store refuse a whole batch) and
    a lone surrogate its escape (:func:`auditmw.codec.safe_text`, as the JSON writes it).
    The signed JSON keeps the exact value; :func:`column_disagreements` derives the
    columns through this same function, so the two still agree."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():
        text = codec.safe_text(text)
    return text.replace("\x00", "\ufffd") if "\x00" in text else text




def event_to_row(event: EventDict) -> Row:
    """The indexed columns of one event, then its canonical JSON (the bytes a finished
    event carries, :class:`auditmw.codec.Encoded`). Raises
    :class:`StoreError` naming what is wrong."""
    return (*event_columns(event), codec.text_of(event))


def event_columns(event: EventDict) -> tuple[Any, ...]:
    """What :func:`event_to_row` gives but the JSON: the columns derived from it."""
    try:
        ident = event["id"]
        when = event["time"]
    except (KeyError, TypeError):
        raise UnstorableEvent(f"an event to store needs 'id' and 'time': {event!r:.200}") from None
    if not isinstance(ident, str) or not ident:
        raise UnstorableEvent(f"event id must be a non-empty string, got {ident!r:.80}")
    try:
        time_us = time_text_to_us(when)
    except (TypeError, ValueError, AttributeError):
        raise UnstorableEvent(f"event {ident}: time {when!r:.80} is not RFC 3339") from None
    try:
        actor = event.get("actor") or {}
        target = event.get("target") or {}
        client = event.get("client") or {}
        integrity = event.get("integrity") or {}
        values: tuple[Any, ...] = (
            ident, event.get("event"), event.get("category"), event.get("outcome"),
            actor.get("id"), actor.get("name"), target.get("id"), target.get("name"),
            client.get("ip"), integrity.get("chain"), integrity.get("hash"),
            event.get("tenant"))
        seq = integrity.get("seq")
    except AttributeError:  # e.g. "actor": "bob": a raw error would be retried forever
        raise UnstorableEvent(f"event {ident}: actor, target, client and integrity must "
                              "be objects") from None
    seq = seq if isinstance(seq, int) else None
    # The usual event: every value a str (or absent), ASCII, no NUL — column_text keeps
    # each as it is, so one check of them all joined replaces twelve calls (−15 % of
    # this function's instructions). Any other value (a number, non-ASCII text, anything
    # the join refuses) goes through column_text one by one: the same columns either way
    # (tests/test_store_rows_fast.py compares both).
    try:
        joined = "".join([value for value in values if value is not None])
    except TypeError:
        joined = "\x00"
    if not joined.isascii() or "\x00" in joined:
        values = tuple(map(column_text, values))
    return (values[0], time_us, *values[1:9], values[9], seq, values[10], values[11])


def column_disagreements(stored: Sequence[Any], data: str
                         ) -> tuple[EventDict | None, list[str]]:
    """The event a stored row's JSON holds, and every column of the row (``id`` ...
    ``hash``, in :data:`auditmw.store.schema.COLUMNS` order, ``ts`` as microseconds)
    that disagrees with what that JSON says, as sentences. ``(None, [why])`` when the
    JSON does not even parse into an event this store could have written."""
    try:
        event = codec.loads(data)
    except ValueError:
        return None, ["its stored JSON does not parse"]
    if not isinstance(event, dict):
        return None, ["its stored JSON is not an event object"]
    try:
        derived = event_columns(event)
    except StoreError as exc:
        return event, [f"its JSON could not have been stored: {exc}"]
    found = []
    for name, held, should in zip(COLUMNS, stored, derived, strict=False):
        if held != should:
            if name == "ts":
                held_text = _time_text(held)
                found.append(f"column ts says {held_text}, the signed event's time is "
                             f"{event.get('time')}")
            else:
                found.append(f"column {name} says {held!r:.80}, the signed event says "
                             f"{should!r:.80}")
    return event, found


def _time_text(value: Any) -> str:
    try:
        return format_time(us_to_datetime(int(value)))
    except (TypeError, ValueError, OverflowError):
        return repr(value)
