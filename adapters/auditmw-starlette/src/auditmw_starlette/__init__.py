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

__all__ = ["AuditMiddleware", "install", "instrument_app", "is_instrumented"]

_MARK = "_auditmw_trail"
log = logging.getLogger("auditmw")


def is_instrumented(app: Any) -> bool:
    return getattr(app, _MARK, None) is not None


def instrument_app(app: Starlette, trail: AuditTrail, *,
                   actor_getter: Callable[[Any], Any] | None = None) -> Starlette:
    """Audit ``app`` (Starlette or FastAPI) into ``trail``; returns the same app.

    Before the app has served a request the middleware is added with
    ``add_middleware`` (outermost of the user middleware, so it sees the final status and
    every ``scope["user"]``); after that, the built middleware stack is wrapped.
    """
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
