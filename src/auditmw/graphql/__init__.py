"""GraphQL capture for graphql-core servers (plain graphql-core, Ariadne, Graphene, Strawberry).

- :mod:`.middleware`: :class:`AuditResolverMiddleware`, which audits one catalogued root
  field's execution (also what the execution hook runs);
- :mod:`.hook` and :mod:`.install`: the execution hook, installed into every
  graphql-core execution of the process by :func:`instrument`;
- :mod:`.fields` and :mod:`.context_reading`: a field's facts as data, and what the
  GraphQL context says about the user and the HTTP request.

The modules import one way (``install`` → ``hook`` → ``middleware`` → ``fields``,
``context_reading``); this package only re-exports them.
"""

from __future__ import annotations

from auditmw.capture.actor import actor_from_user
from auditmw.graphql.context_reading import RequestView, default_actor_from_context, request_view
from auditmw.graphql.fields import find_target, is_denied_error, plain, wire_arguments
from auditmw.graphql.hook import ExecutionHook
from auditmw.graphql.install import (
    MIN_VERSION,
    graphql_core_version,
    hook_active,
    installed_hook,
    instrument,
    uninstrument,
)
from auditmw.graphql.middleware import (
    ActorFromContext,
    AuditResolverMiddleware,
    AuditUnavailable,
    find_auditor,
)
from auditmw.outcome import DENIED_CODES

__all__ = [
    "DENIED_CODES", "MIN_VERSION", "ActorFromContext", "AuditResolverMiddleware",
    "AuditUnavailable", "ExecutionHook", "RequestView", "actor_from_user",
    "default_actor_from_context", "find_auditor", "find_target", "graphql_core_version",
    "hook_active", "installed_hook", "instrument", "is_denied_error", "plain",
    "request_view", "uninstrument", "wire_arguments",
]
