"""auditmw for Starlette and FastAPI.

>>> from auditmw_starlette import instrument_app
>>> instrument_app(app, trail)        # a Starlette or FastAPI app

Wraps the app in :class:`auditmw.asgi.AuditMiddleware`. The actor comes from
``scope["user"]``, which Starlette's ``AuthenticationMiddleware`` (or any middleware or
dependency that sets it) fills: it is read after the app ran, so authentication placed
anywhere in the stack counts. A FastAPI dependency named by a ``call:`` source
(``get_current_user``) is reached in the app's dependency tree too, even where the app
took it before auditmw wrapped it (routes defined in the same module). Calling it twice
does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from auditmw.trail import AuditTrail

def __getattr__(name: str) -> Any:
    # AuditMiddleware is loaded on first use: the launcher imports this module in every
    # process, and auditmw.asgi brings pydantic and graphql-core with it.
    if name == "AuditMiddleware":
        from auditmw.asgi import AuditMiddleware

        return AuditMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def _rebind_dependencies(app: Any) -> None:
    """Point the FastAPI dependency tree at the ``call:`` sources' wrappers."""
    try:
        from auditmw.capture import actor_calls

        routes = getattr(getattr(app, "router", None), "routes", None) or ()
        actor_calls.rebind([r.dependant for r in routes
                            if getattr(r, "dependant", None) is not None])
    except Exception:
        log.exception("auditmw: could not reach the app's auth dependencies")


def _rebinding_build(app: Any) -> None:
    """Rebind again when the app builds its stack (routes added after instrument_app)."""
    build = app.build_middleware_stack

    def build_and_rebind() -> Any:
        _rebind_dependencies(app)
        return build()

    app.build_middleware_stack = build_and_rebind


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
    from auditmw_starlette import users

    users.register()
    from auditmw.asgi import AuditMiddleware

    setattr(app, _MARK, trail)
    from auditmw.capture import actor_calls

    actor_calls.register(trail.config.actor.sources)
    _rebind_dependencies(app)
    stack = getattr(app, "middleware_stack", None)
    if stack is None:
        app.add_middleware(AuditMiddleware, trail=trail,
                           actor_getter=actor_getter)
        _rebinding_build(app)
    else:
        app.middleware_stack = AuditMiddleware(stack, trail=trail, actor_getter=actor_getter)
    return app


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point (``auditmw run``): every Starlette/FastAPI
    app is instrumented when its middleware stack is set.

    The hook is a data descriptor for ``middleware_stack`` on ``Starlette`` itself, not a
    wrapper of ``build_middleware_stack``: FastAPI (>= 0.118) and other subclasses
    override that method, but every one of them stores what it built in
    ``self.middleware_stack`` (``Starlette.__call__`` does), and a class attribute of the
    base intercepts that store for every subclass.
    """

    def on_import(module: Any) -> None:
        module.Starlette.middleware_stack = _AuditedStack(get_trail)

    import wrapt

    wrapt.register_post_import_hook(on_import, "starlette.applications")


class _AuditedStack:
    """``app.middleware_stack``: stored in the instance's ``__dict__``; a built stack is
    wrapped in :class:`AuditMiddleware` once per app on its way in."""

    def __init__(self, get_trail: Callable[[], AuditTrail | None]) -> None:
        self.get_trail = get_trail

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return instance.__dict__.get("middleware_stack")

    def __set__(self, instance: Any, stack: Any) -> None:
        if stack is not None:
            stack = self._audited(instance, stack)
        instance.__dict__["middleware_stack"] = stack

    def _audited(self, app: Any, stack: Any) -> Any:
        try:
            trail = self.get_trail()
            if trail is None or is_instrumented(app):
                return stack
            setattr(app, _MARK, trail)
            from auditmw_starlette import users

            users.register()
            _rebind_dependencies(app)  # `call:` sources the routes took before the wrap
            from auditmw.asgi import AuditMiddleware
            from auditmw.server.mount import mount_into_starlette

            try:  # server.mount: the audit pages as the app's first route
                mount_into_starlette(app, trail)
            except Exception:
                log.exception("auditmw: could not mount the audit pages")
            audited = AuditMiddleware(stack, trail=trail)
            _announce(app, trail)
            return audited
        except Exception as exc:  # never the reason the app cannot serve
            from auditmw.launcher import report

            report.note_failed("starlette", exc)
            return stack


def _announce(app: Any, trail: AuditTrail) -> None:
    from auditmw.launcher import report

    kind = type(app).__name__
    routes = getattr(getattr(app, "router", None), "routes", ())
    report.note_audited(f"{kind} app ({len(routes)} routes)", trail)
