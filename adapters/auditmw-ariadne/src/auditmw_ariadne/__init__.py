"""auditmw for Ariadne: the core resolver middleware with Ariadne's context conventions.

By hand::

    from ariadne.asgi import GraphQL
    from ariadne.asgi.handlers import GraphQLHTTPHandler
    app = GraphQL(schema, http_handler=GraphQLHTTPHandler(middleware=[audit_middleware(trail)]))

or ``graphql_sync(schema, data, middleware=[audit_middleware(trail)], ...)``. Without a
code change: :func:`instrument` (what ``auditmw run`` does through :func:`install`) hooks
graphql-core's execution, the one path every Ariadne handler and ``graphql()`` function
goes through; a middleware added by hand is recognised, so nothing is recorded twice.

This module imports neither Ariadne nor graphql-core, so the launcher can load it in
every process at no cost.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.event import Actor
    from auditmw.graphql import AuditResolverMiddleware
    from auditmw.trail import AuditTrail

__all__ = ["actor_from_context", "audit_middleware", "install", "instrument", "uninstrument"]


def actor_from_context(context: Any) -> Actor | None:
    """Ariadne's default ``context_value`` is ``{"request": request}``: under ASGI a
    Starlette request, whose ``scope["user"]`` an authentication middleware sets; under
    WSGI the environ (``REMOTE_USER``). A ``context_value`` callable of the app's may add
    ``"user"``, which wins."""
    from auditmw.graphql import default_actor_from_context

    return default_actor_from_context(context)


def audit_middleware(trail: AuditTrail) -> AuditResolverMiddleware:
    """The middleware for Ariadne's ``middleware=[...]`` options."""
    from auditmw.graphql import AuditResolverMiddleware

    return AuditResolverMiddleware(trail, actor_from_context=actor_from_context)


def instrument(trail: AuditTrail) -> bool:
    """Audit every Ariadne execution in this process. Idempotent: ``True`` when the
    graphql-core hook was newly installed."""
    from auditmw.graphql import instrument as install_hook

    return install_hook(trail, actor_from_context=actor_from_context)


def uninstrument() -> bool:
    from auditmw.graphql import uninstrument as remove_hook

    return remove_hook()


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point: instrument once Ariadne is imported."""
    import wrapt

    def on_import(module: ModuleType) -> None:
        trail = get_trail()
        if trail is not None:
            instrument(trail)

    wrapt.register_post_import_hook(on_import, "ariadne")
