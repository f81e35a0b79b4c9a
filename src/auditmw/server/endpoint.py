"""The one shape of every audit-server endpoint that reads the trail.

:func:`audited_endpoint` wraps a handler: it identifies the caller (a key, or the host
app's signed-in user), checks the ``audit_logs`` scope, runs the handler, and records the
read as one ``exportAuditTrail`` event whatever happened — granted, refused (401/403),
a bad request (400) or a failure (500). A handler only reads its parameters, says what
it read in :attr:`Read.details`, and answers; a streamed answer that breaks later is
recorded through :meth:`Read.broke`. So no endpoint can forget a step, and the rules
(:mod:`auditmw.server.access`) are written once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from auditmw.server.access import identify, record_access, require_scope
from auditmw.server.context import ApiError

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

    from auditmw.access_keys import AccessKey
    from auditmw.event import Actor, Source
    from auditmw.server.context import ServerContext

log = logging.getLogger("auditmw.server")

Handler = Callable[["Read"], Awaitable["Response"]]
ErrorBody = Callable[[int, str], Any]


def message_body(status: int, message: str) -> dict[str, Any]:
    """The error answer of the REST endpoints: ``{"message": ...}``."""
    return {"message": message}


def json_response(body: Any, status: int = 200) -> Response:
    from starlette.responses import Response

    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


@dataclass(slots=True)
class Read:
    """One call of an audited endpoint, as its handler sees it."""

    ctx: ServerContext
    request: Request
    #: Who asked (set before the handler runs): a key, or the host app's user.
    caller: AccessKey | Actor | None = None
    #: What was asked and read; recorded as the event's details.
    details: dict[str, Any] = field(default_factory=dict)
    #: The status recorded for a granted call (GraphQL answers 400 for a bad query).
    status: int = 200
    #: The recorded error message of a granted call that did not succeed.
    message: str | None = None
    #: Record a granted call? The catalogue endpoint reads no event: only refusals count.
    record: bool = True
    source: Source = "rest"

    def broke(self, exc: Exception, sent: int) -> None:
        """A streamed answer failed after ``sent`` bytes: record it as a 500 (called from
        the streaming thread; never raises)."""
        log.error("auditmw: %s broke after %d bytes", self.details.get("endpoint"), sent,
                  exc_info=exc)
        record_access(self.ctx, self.request, key=self.caller, status=500,
                      details={**self.details, "bytes_sent": sent}, source=self.source,
                      message=f"export stream failed: {type(exc).__name__}")


def audited_endpoint(endpoint: str, *, source: Source = "rest",
                     params: Callable[[Request], dict[str, Any]] | None = None,
                     error_body: ErrorBody = message_body,
                     ) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Make ``handler`` an endpoint that identifies, scopes and records every call.

    ``endpoint`` names it in the recorded details; ``params`` gives what a refused call
    is recorded with (the raw query, before the handler could read it); ``error_body``
    shapes the answer to a refusal or failure (GraphQL adds its ``errors`` list).
    """

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def call(request: Request) -> Response:
            from starlette.concurrency import run_in_threadpool

            ctx: ServerContext = request.app.state.audit
            read = Read(ctx, request, source=source,
                        details={"endpoint": endpoint, **(params(request) if params else {})})

            async def record(status: int, message: str | None) -> None:
                await run_in_threadpool(record_access, ctx, request, key=read.caller,
                                        status=status, details=read.details,
                                        source=source, message=message)

            try:
                read.caller = await run_in_threadpool(identify, ctx, request)
                require_scope(read.caller)
                response = await handler(read)
            except ApiError as exc:
                await record(exc.status, exc.message)
                return json_response(error_body(exc.status, exc.message), exc.status)
            except Exception as exc:
                log.exception("auditmw: %s request failed", endpoint)
                await record(500, type(exc).__name__)
                return json_response(error_body(500, "Internal Server Error"), 500)
            if read.record:
                await record(read.status, read.message)
            return response

        call.__name__ = call.__qualname__ = handler.__name__
        call.__doc__ = handler.__doc__
        return call

    return wrap
