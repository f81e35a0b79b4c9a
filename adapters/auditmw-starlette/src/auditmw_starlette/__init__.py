"""auditmw for Starlette and FastAPI.

>>> from auditmw_starlette import instrument_app
>>> instrument_app(app, trail)        # a Starlette or FastAPI app

Wraps the app in :class:`auditmw.asgi.AuditMiddleware`. The actor comes from
``scope["user"]``, which Starlette's ``AuthenticationMiddleware`` (or any middleware or
dependency that sets it) fills: it is read after the app ran, so authentication placed
anywhere in the stack counts. Calling it twice does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditmw.asgi import AuditMiddleware

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from auditmw.trail import AuditTrail

__all__ = ["AuditMiddleware", "hook_graphql_execution", "install", "instrument_app",
           "is_instrumented"]

_MARK = "_auditmw_trail"
log = logging.getLogger("auditmw")


def is_instrumented(app: Any) -> bool:
    return getattr(app, _MARK, None) is not None


def hook_graphql_execution(trail: AuditTrail) -> None:
    """graphql-core's execution hook for this process (idempotent), with Strawberry's
    rules when its adapter is installed: what ran is decided where it runs."""
    from auditmw.launcher.builtin import hook_graphql

    hook_graphql(trail)
    try:
        import auditmw_strawberry
    except ImportError:
        return
    auditmw_strawberry.install(lambda: trail)


def instrument_app(app: Starlette, trail: AuditTrail, *,
                   actor_getter: Callable[[Any], Any] | None = None,
                   execution_hook: bool = True) -> Starlette:
    """Audit ``app`` (Starlette or FastAPI) into ``trail``; returns the same app.

    Unless ``execution_hook=False``, graphql-core's execution hook is installed too
    (once per process): every catalogued GraphQL root field that executes is recorded
    once, whatever the transport (HTTP, WebSocket), and the middleware contributes the
    request's context. Before the app has served a request the middleware is added with
    ``add_middleware`` (outermost of the user middleware, so it sees the final status and
    every ``scope["user"]``); after that, the built middleware stack is wrapped.
    """
    if execution_hook:
        hook_graphql_execution(trail)
    if is_instrumented(app):
        return app
    setattr(app, _MARK, trail)
    stack = getattr(app, "middleware_stack", None)
    if stack is None:
        app.add_middleware(AuditMiddleware, trail=trail,
                           actor_getter=actor_getter)
    else:
        app.middleware_stack = AuditMiddleware(stack, trail=trail, actor_getter=actor_getter)
    return app


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point (``auditmw run``): every Starlette/FastAPI
    app is instrumented when it builds its middleware stack."""
    import wrapt

    from auditmw.launcher.mount import mount_into_starlette

    def wrap_build(wrapped: Callable[[], Any], instance: Any, args: Any,
                   kwargs: Any) -> Any:
        stack = wrapped(*args, **kwargs)
        trail = get_trail()
        if trail is None or getattr(instance, _MARK, None) is not None:
            return stack
        setattr(instance, _MARK, trail)
        try:  # server.mount: the audit pages as the app's first route
            mount_into_starlette(instance, trail)
        except Exception:
            log.exception("auditmw: could not mount the audit pages")
        return AuditMiddleware(stack, trail=trail)

    def on_import(module: Any) -> None:
        wrapt.wrap_function_wrapper(module, "Starlette.build_middleware_stack", wrap_build)

    wrapt.register_post_import_hook(on_import, "starlette.applications")
