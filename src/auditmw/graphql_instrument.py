"""Install the resolver hook into every graphql-core execution, without code changes.

Every graphql-core based library (plain ``graphql()``/``execute()``, Ariadne's ASGI/WSGI
handlers and ``graphql()`` functions, Graphene's ``schema.execute``, Strawberry) builds
its execution through :meth:`graphql.execution.ExecutionContext.build`, and subclasses
inherit it. Wrapping that one classmethod (a wrapt ``FunctionWrapper``) adds an
:class:`~auditmw.graphql.AuditResolverMiddleware` as the outermost middleware of each
execution that does not carry an auditor already (a hand-installed middleware, the
Strawberry extension), so installing twice, or by hand and by patch, never doubles an
event. This is what the ``auditmw run`` launcher and the Ariadne/Graphene adapters call.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import threading
from typing import TYPE_CHECKING, Any

import wrapt

from auditmw.graphql import (
    ActorFromContext,
    AuditResolverMiddleware,
    default_actor_from_context,
    find_auditor,
)

if TYPE_CHECKING:
    from auditmw.event import Actor
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

_lock = threading.Lock()


class BuildHook:
    """The wrapper around ``ExecutionContext.build``; found again by ``isinstance`` on the
    installed ``FunctionWrapper``'s wrapper, never by comparing names."""

    def __init__(self, trail: AuditTrail) -> None:
        #: Framework conventions first (added by adapters), the generic ones last.
        self.actor_sources: list[ActorFromContext] = []
        self.use(trail)
        self._signature: inspect.Signature | None = None

    def use(self, trail: AuditTrail) -> None:
        self.trail = trail
        self.auditor = AuditResolverMiddleware(trail, actor_from_context=self.actor)

    def actor(self, context: Any) -> Actor | None:
        for source in self.actor_sources:
            found = source(context)
            if found is not None:
                return found
        return default_actor_from_context(context)

    def __call__(self, wrapped: Any, instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        try:
            if self._signature is None:
                self._signature = inspect.signature(wrapped)
            bound = self._signature.bind(*args, **kwargs)
            middleware = bound.arguments.get("middleware")
            if find_auditor(middleware) is None:
                bound.arguments["middleware"] = self._with_auditor(middleware)
                args, kwargs = bound.args, bound.kwargs
        except Exception:  # an unexpected call shape: run it exactly as given
            log.debug("auditmw: graphql execution left unaudited", exc_info=True)
        return wrapped(*args, **kwargs)

    def _with_auditor(self, middleware: Any) -> Any:
        if middleware is None:
            return [self.auditor]
        if isinstance(middleware, list | tuple):
            return [*middleware, self.auditor]
        # A MiddlewareManager (or the subclass Ariadne was told to use): same class,
        # with the auditor outermost so it also sees errors other middleware raise.
        return type(middleware)(*middleware.middlewares, self.auditor)


def _module() -> Any:
    # ``graphql.execution.execute`` the attribute is the function; the module is needed.
    return importlib.import_module("graphql.execution.execute")


def installed_hook() -> BuildHook | None:
    """The hook currently wrapping ``ExecutionContext.build``, if any."""
    current = vars(_module().ExecutionContext).get("build")
    if isinstance(current, wrapt.FunctionWrapper) and isinstance(current._self_wrapper,
                                                                 BuildHook):
        return current._self_wrapper
    return None


def instrument(trail: AuditTrail, *, actor_from_context: ActorFromContext | None = None) -> bool:
    """Idempotent. ``True`` when newly installed; called again, it points the installed
    hook at ``trail`` and adds ``actor_from_context`` (once) ahead of the generic rules."""
    with _lock:
        hook = installed_hook()
        fresh = hook is None
        if hook is None:
            hook = BuildHook(trail)
            wrapt.wrap_function_wrapper(_module(), "ExecutionContext.build", hook)
        elif hook.trail is not trail:
            hook.use(trail)
        if actor_from_context is not None and actor_from_context not in hook.actor_sources:
            hook.actor_sources.append(actor_from_context)
        return fresh


def uninstrument() -> bool:
    """Remove the hook; ``True`` when one was installed."""
    with _lock:
        if installed_hook() is None:
            return False
        context_class = _module().ExecutionContext
        context_class.build = vars(context_class)["build"].__wrapped__
        return True
