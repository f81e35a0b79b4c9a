"""What every endpoint of the audit server shares: the trail, the store, the keys, the
zone and the clock; plus the one error type endpoints answer with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from auditmw.server.host_auth import HostAuth
    from auditmw.store.base import Store
    from auditmw.store.keys import KeyStore
    from auditmw.trail import AuditTrail

Edition = Literal["enterprise", "platform"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ApiError(Exception):
    """An answer other than 200: ``status`` and the ``message`` clients see as is."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class ServerContext:
    trail: AuditTrail
    store: Store
    keys: KeyStore
    zone: tzinfo
    edition: Edition
    max_export_days: int
    clock: Callable[[], datetime] = utc_now
    #: Resources this server opened itself and must close (not the trail's own store).
    owned: list[Store] = field(default_factory=list)
    #: Accepts the host app's signed-in user instead of a key (see server/host_auth.py).
    host_auth: HostAuth | None = None

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        for resource in self.owned:
            resource.close()
        self.owned.clear()
