"""Context-local facts shared between front doors without calling back up the stack.

The HTTP middleware (ASGI or WSGI) opens a :class:`RequestState` for every request it
watches and holds it in :data:`current_request` while the app runs. A resolver hook deep
inside the app finds it there and deposits what it knows exactly (per-field outcome, the
GraphQL context's user, resolved arguments, the returned object) as :class:`FieldFacts`
instead of recording on its own; when the response is complete the middleware records
one event per field execution, merging those facts with its own (client, status).
Without the middleware (``current_request`` is ``None``) a hook records by itself.
This is what makes "each field execution is recorded exactly once" hold.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from auditmw.event import Actor, Channel, Client, ErrorInfo, Outcome, Target

#: The actor named by ``trail.acting_as(...)`` for jobs, schedulers and scripts.
acting_actor: ContextVar[Actor | None] = ContextVar("auditmw_acting_actor", default=None)

#: The tenant events recorded here belong to: set by ``trail.acting_as(..., tenant=)`` and
#: by the HTTP doors from ``capture.tenant`` while a request runs (SPEC §15).
current_tenant: ContextVar[str | None] = ContextVar("auditmw_current_tenant", default=None)


@dataclass(slots=True)
class FieldFacts:
    """What a resolver hook saw of one catalogued top-level field execution."""

    event: str
    response_key: str
    operation_name: str | None
    outcome: Outcome
    arguments: dict[str, Any]
    target: Target
    actor: Actor | None = None
    error: ErrorInfo | None = None
    duration_ms: float = 0.0
    #: The field's name in the schema (``response_key`` may be an alias).
    field_name: str = ""
    #: Set by a hook that left ``arguments`` as a snapshot and ``target`` unfinished:
    #: returns both as recorded, run by :meth:`settled` wherever the event is built
    #: (a delivery thread in async mode), so the request's thread does not pay for it.
    complete: Callable[[], tuple[dict[str, Any], Target]] | None = None

    def settled(self) -> FieldFacts:
        """These facts with ``arguments`` and ``target`` final (completed once). A
        hook's own facts (:class:`auditmw.graphql.middleware.HookFacts`) finish here
        what they left unfinished."""
        complete = self.complete
        if complete is not None:
            self.complete = None
            self.arguments, self.target = complete()
        return self


@dataclass(slots=True)
class RequestState:
    """One watched HTTP request's in-flight facts (mutable, per request)."""

    method: str
    path: str
    client: Client
    channel: Channel
    request_id: str | None = None
    actor: Actor | None = None
    #: The request's tenant from ``capture.tenant`` (SPEC §15); events recorded while
    #: this state is current carry it.
    tenant: str | None = None
    #: Deposited by resolver hooks, in execution order.
    fields: list[FieldFacts] = field(default_factory=list)
    #: ``True`` (HTTP): hooks deposit facts and the door records them when the response
    #: is complete. ``False`` (a WebSocket, and an HTTP request once the door has
    #: recorded it: an ASGI background task): hooks record each field at once, with
    #: the door's context (client, channel, actor at connect).
    collect: bool = True
    #: graphql-core operations the execution hook saw run in this request.
    executions: int = 0
    #: Free room for front doors to pass small facts along (e.g. the framework's user).
    extra: dict[str, Any] = field(default_factory=dict)
    #: The user objects read in this request, by identity: ``id(user) → (user, actor)``
    #: (:func:`auditmw.capture.actor.actor_within`), so the hook and the door read each
    #: one once. ``None`` until the first is read.
    users: dict[int, tuple[Any, Actor | None]] | None = None


current_request: ContextVar[RequestState | None] = ContextVar(
    "auditmw_current_request", default=None)


class _ExecutionHookFlag:
    """Whether graphql-core's execution hook is installed in this process (set by
    :mod:`auditmw.graphql.install`; read by the doors without importing graphql)."""

    installed = False


execution_hook = _ExecutionHookFlag()
