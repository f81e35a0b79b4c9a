"""The Leapwork "Export Audit Logs" record: a pure mapping from an ``auditmw/1`` event dict.

The controller document (``seeds/004_...``) fixes the shape: ``Date`` (local time,
``yyyy-MM-dd HH:mm:ss``), ``IPAddress``, ``Hostname``, ``UserOrSystem``, ``Team``
(absent in the Platform edition), ``Event``, ``Asset``, ``Details`` -- every value a
string. Missing facts become ``""`` rather than ``null`` so a client typed on the
document's "string" columns never meets a null.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

from auditmw import codec

Edition = Literal["enterprise", "platform"]

LEAPWORK_FIELDS: tuple[str, ...] = (
    "Date", "IPAddress", "Hostname", "UserOrSystem", "Team", "Event", "Asset", "Details",
)

# Actor types other than ``user`` are shown as the kind of principal, capitalised the way
# the document writes them ("API", "Scheduler").
_ACTOR_LABELS: dict[str, str] = {
    "api": "API",
    "scheduler": "Scheduler",
    "system": "System",
    "anonymous": "Anonymous",
}


def parse_event_time(value: str) -> datetime:
    """An event's RFC 3339 ``time`` as an aware UTC datetime."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:  # the schema says UTC; be lenient with a bare stamp
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_local(moment: datetime, zone: tzinfo) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in ``zone``, cut (not rounded) to whole seconds."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def user_or_system(actor: Mapping[str, Any]) -> str:
    """The user's name for a user (its id if it has no name); else the actor type. An
    impersonator (``actor.on_behalf_of``) follows: ``Kim (impersonated by admin)``."""
    kind = str(actor.get("type") or "anonymous")
    if kind == "user":
        named = str(actor.get("name") or actor.get("id") or "User")
    else:
        named = _ACTOR_LABELS.get(kind, kind.capitalize())
    by = actor.get("on_behalf_of")
    if isinstance(by, Mapping) and (by.get("name") or by.get("id")):
        return f"{named} (impersonated by {by.get('name') or by.get('id')})"
    return named


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def leapwork_record(event: Mapping[str, Any], zone: tzinfo,
                    edition: Edition = "enterprise") -> dict[str, str]:
    """One export row, its keys in the document's order."""
    actor = event.get("actor") or {}
    client = event.get("client") or {}
    target = event.get("target") or {}
    record = {
        "Date": format_local(parse_event_time(event["time"]), zone),
        "IPAddress": _text(client.get("ip")),
        "Hostname": _text(client.get("hostname")),
        "UserOrSystem": user_or_system(actor),
        "Team": _text(actor.get("team")),
        "Event": _text(event.get("event")),
        "Asset": _text(target.get("name") or target.get("id")),
        "Details": codec.dumps_str(event.get("details") or {}),
    }
    if edition == "platform":
        del record["Team"]
    return record
