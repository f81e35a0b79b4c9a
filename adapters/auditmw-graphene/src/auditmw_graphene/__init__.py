"""auditmw for Graphene: the core resolver middleware with Graphene's context conventions.

By hand::

    result = schema.execute(query, context_value=request, middleware=[audit_middleware(trail)])

(graphene-django: ``GraphQLView.as_view(middleware=[audit_middleware(trail)])``). Without a
code change: :func:`instrument` (what ``auditmw run`` does through :func:`install`) hooks
graphql-core's execution, the one path ``Schema.execute``/``execute_async`` and every
Graphene view go through; a middleware added by hand is recognised, so nothing is recorded twice.

This module imports neither Graphene nor graphql-core, so the launcher can load it in
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
    """Graphene's ``info.context`` is whatever the view passes: by habit the request
    itself (graphene-django: ``info.context.user``; ``request.user`` set by the app), else
    a dict or object with ``user`` or ``request``."""
    from auditmw.graphql import default_actor_from_context

    return default_actor_from_context(context)


def audit_middleware(trail: AuditTrail) -> AuditResolverMiddleware:
    """The middleware for ``schema.execute(..., middleware=[...])``."""
    from auditmw.graphql import AuditResolverMiddleware

    return AuditResolverMiddleware(trail, actor_from_context=actor_from_context)


def instrument(trail: AuditTrail) -> bool:
    """Audit every Graphene execution in this process. Idempotent: ``True`` when the
    graphql-core hook was newly installed."""
    from auditmw.graphql import instrument as install_hook

    return install_hook(trail, actor_from_context=actor_from_context)


def uninstrument() -> bool:
    from auditmw.graphql import uninstrument as remove_hook

    return remove_hook()


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point: instrument once Graphene is imported."""
    import wrapt

    def on_import(module: ModuleType) -> None:
        trail = get_trail()
        if trail is not None:
            instrument(trail)

    wrapt.register_post_import_hook(on_import, "graphene")
