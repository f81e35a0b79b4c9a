"""Event formats for the file, stdout, http and bus sinks: what one event looks like on
the wire. ``auditmw`` is the event as it is (``auditmw/1``); ``ocsf`` and ``ecs`` map it to
the schemas SIEMs read natively. Each format is a pure function ``event -> dict`` and the
sinks share :func:`formatter`, so every sink writes a format the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from auditmw.types import EventDict as EventDict  # re-exported for the formatters

Formatter = Callable[[EventDict], EventDict]
FormatName = Literal["auditmw", "ocsf", "ecs"]
FORMATS: tuple[str, ...] = ("auditmw", "ocsf", "ecs")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _identity(event: EventDict) -> EventDict:
    return event


def formatter(name: str) -> Formatter:
    """The function that turns an ``auditmw/1`` event into format ``name``."""
    if name == "auditmw":
        return _identity
    if name == "ocsf":
        from auditmw.formats.ocsf import to_ocsf
        return to_ocsf
    if name == "ecs":
        from auditmw.formats.ecs import to_ecs
        return to_ecs
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {name!r}")


def summary(event: EventDict) -> str:
    """A one-line human reading of an event: ``createAssetGroup by Ann: success``."""
    actor = event.get("actor") or {}
    who = actor.get("name") or actor.get("id") or actor.get("type") or "anonymous"
    return f"{event.get('event', '?')} by {who}: {event.get('outcome', '?')}"


def epoch_ms(time_text: Any) -> int:
    """The event's RFC 3339 ``time`` as integer milliseconds since the epoch (0 when the
    time is unreadable, which a built event never is)."""
    from auditmw.ids import parse_time
    try:
        moment = parse_time(str(time_text))
    except ValueError:
        return 0
    return (moment - _EPOCH) // timedelta(milliseconds=1)
