"""Who may read the trail (the ``accessKey`` header), and the record of every attempt.

The rules; :func:`auditmw.server.endpoint.audited_endpoint` applies them, in this order,
to every endpoint.

Every call of the audit APIs, granted or refused, becomes an ``exportAuditTrail`` event:
the key's name as actor (``type = "api"``; anonymous when the key is missing or wrong),
the filters as details, ``denied`` for 401/403, ``failure`` for 400/500.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from auditmw.access_keys import AUDIT_SCOPE
from auditmw.capture.ip import parse_networks, resolve_client_ip
from auditmw.context import current_tenant
from auditmw.event import ANONYMOUS, Actor, Client, ErrorInfo, Outcome, RequestInfo, Source
from auditmw.outcome import outcome_of_status
from auditmw.server.context import ApiError
from auditmw.server.host_auth import host_actor

if TYPE_CHECKING:
    from starlette.requests import Request

    from auditmw.access_keys import AccessKey
    from auditmw.server.context import ServerContext
    from auditmw.server.params import Filters
    from auditmw.store.base import Query

    F = TypeVar("F", bound=Filters)

log = logging.getLogger("auditmw.server")

HEADER = "accesskey"  # HTTP header names are case-insensitive: `accessKey` as documented
INCORRECT_KEY = "Incorrect Accesskey"
MISSING_SCOPE = "AccessKey does not have the relevant scope permission"
EVENT = "exportAuditTrail"


def identify(ctx: ServerContext, request: Request) -> AccessKey | Actor:
    """The active key of the request, or :class:`ApiError` 401 (missing, malformed,
    unknown, revoked or expired: all answered alike). Blocking (one indexed row): call it
    from a worker thread.

    With ``host_auth`` on, a request without the header may instead be the host app's
    signed-in user: the :class:`Actor` it names is returned (see server/host_auth.py)."""
    if ctx.host_auth is not None and not request.headers.get(HEADER):
        user = host_actor(ctx.host_auth, request.scope)
        if user is not None:
            return user
    key = ctx.keys.verify(request.headers.get(HEADER), ctx.now())
    if key is None:
        raise ApiError(401, INCORRECT_KEY)
    return key


def require_scope(key: AccessKey | Actor, scope: str = AUDIT_SCOPE) -> None:
    """:class:`ApiError` 403 unless ``key`` holds ``scope`` (a host user was vouched for
    by the host app's ``host_auth``, which decides alone)."""
    if isinstance(key, Actor):
        return
    if scope not in key.scopes:
        raise ApiError(403, MISSING_SCOPE)


def caller_tenant(caller: AccessKey | Actor | None) -> str | None:
    """The one tenant ``caller`` may read, or ``None`` for an operator (every tenant).

    A tenant key names its tenant. The host app's signed-in user (``host_auth``) reads
    the tenant the request itself belongs to (``capture.tenant``), when there is one."""
    if caller is None:
        return None
    if isinstance(caller, Actor):
        return current_tenant.get()
    return caller.tenant


def scoped_query(query: Query, caller: AccessKey | Actor | None) -> Query:
    """``query`` as ``caller`` may run it: a tenant caller reads its own tenant only, and
    asking for another is :class:`ApiError` 403 (never an empty or wider answer that
    could tell one tenant about another). Every read path goes through here."""
    tenant = caller_tenant(caller)
    if tenant is None:
        return query
    if query.tenant and set(query.tenant) != {tenant}:
        raise ApiError(403, MISSING_SCOPE)
    return replace(query, tenant=(tenant,))


def scoped(filters: F, caller: AccessKey | Actor | None) -> F:
    """:func:`scoped_query` over parsed Data API filters."""
    query = scoped_query(filters.query, caller)
    return filters if query is filters.query else replace(filters, query=query)


def outcome_of(status: int) -> Outcome:
    """The audit server's own reads, by the one status rule (:mod:`auditmw.outcome`)."""
    return outcome_of_status(status)[0]


def record_access(ctx: ServerContext, request: Request, *, key: AccessKey | Actor | None,
                  status: int, details: dict[str, Any], source: Source = "rest",
                  message: str | None = None) -> None:
    """Record one ``exportAuditTrail`` event. Never raises (a broken sink is logged).

    Blocking when delivery is synchronous: call it from a worker thread. With the event
    left out of the catalogue (``catalog.disabled_events``) nothing is recorded, and that
    is said once on the ``auditmw`` logger (``check-config`` warns about it too).
    """
    if EVENT not in ctx.trail.catalog:
        if not getattr(ctx.trail, "_auditmw_export_unaudited_told", False):
            ctx.trail._auditmw_export_unaudited_told = True  # type: ignore[attr-defined]
            log.warning("auditmw: %s is not in the catalogue: reads of the audit trail are "
                        "NOT audited", EVENT)
        return
    try:
        if isinstance(key, Actor):  # the host app's signed-in user (host_auth)
            actor = key
        else:
            actor = Actor(id=key.id, name=key.name, type="api") if key else ANONYMOUS
        outcome = outcome_of(status)
        peer = request.client.host if request.client else None
        # Behind `capture.trusted_proxies`, the client named by Forwarded/X-Forwarded-For.
        ip, chain = resolve_client_ip(
            peer, parse_networks(ctx.trail.config.capture.trusted_proxies),
            request.headers.get("forwarded"), request.headers.get("x-forwarded-for"),
            ctx.trail.config.capture.forwarded_header)
        ctx.trail.record(
            EVENT, actor=actor, outcome=outcome,
            target={"type": "audit_trail", "name": str(details.get("endpoint", ""))},
            details=details,
            client=Client(ip=ip, forwarded=chain, user_agent=request.headers.get("user-agent")),
            channel="ui" if isinstance(key, Actor) else "api", source=source,
            # A tenant's reads are part of that tenant's own trail.
            tenant=caller_tenant(key),
            request=RequestInfo(method=request.method, path=request.url.path, status=status),
            error=None if outcome == "success" else ErrorInfo(f"HTTP{status}",
                                                              message or str(status)),
        )
    except Exception:
        log.exception("auditmw: could not record the %s event", EVENT)
