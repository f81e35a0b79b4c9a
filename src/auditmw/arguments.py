"""The loose forms a caller may pass to ``record`` and ``@audited`` — an actor as a
dict, a target as an id or a dict — made into the event's own parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditmw.event import Actor, Target

ActorLike = Actor | Mapping[str, Any] | None
TargetLike = Target | Mapping[str, Any] | str | None


def as_actor(value: ActorLike) -> Actor | None:
    if value is None or isinstance(value, Actor):
        return value
    return Actor.from_dict(dict(value))


def as_target(value: TargetLike) -> Target:
    if value is None:
        return Target()
    if isinstance(value, Target):
        return value
    if isinstance(value, str):
        return Target(id=value)
    return Target.from_dict({k: None if v is None else str(v) if k != "type" else v
                             for k, v in value.items()})
