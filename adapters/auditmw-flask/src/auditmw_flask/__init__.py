"""auditmw for Flask.

>>> from auditmw_flask import init_app
>>> init_app(app, trail)

Wraps ``app.wsgi_app`` in :class:`auditmw.wsgi.AuditMiddleware` and, at the end of every
watched request (when ``app.full_dispatch_request`` returns or raises: after the view and
the ``after_request`` functions, while the app context still exists), leaves what the
app knows of its user in the request's state: Flask-Login's ``current_user`` (source
``flask_login``), flask-jwt-extended's
verified identity (``flask_jwt_extended``), Flask-HTTPAuth's ``current_user()``
(``flask_httpauth``) and ``flask.g.user`` (``flask_g``; an object, a mapping or a
``sqlite3.Row`` as in the Flask tutorial). Each is read only where the app uses it.
Which one wins is ``[actor] sources``; the ``[actor] resolver`` is asked here too, so it
can use ``flask.g`` and the request. Calling it twice does nothing the second time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import actor_from_user
from auditmw.context import RequestState, current_request
from auditmw.event import Actor

if TYPE_CHECKING:
    from flask import Flask

    from auditmw.trail import AuditTrail
    from auditmw.wsgi import AuditMiddleware

def __getattr__(name: str) -> Any:
    # AuditMiddleware is loaded on first use: the launcher imports this module in every
    # process, and auditmw.wsgi brings pydantic and graphql-core with it.
    if name == "AuditMiddleware":
        from auditmw.wsgi import AuditMiddleware

        return AuditMiddleware
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AuditMiddleware", "init_app", "install"]

log = logging.getLogger("auditmw.flask")
_BYTES = frozenset({bytes})
EXTENSION = "auditmw"


class _FlaskParts:
    """What :func:`_note_user` reads Flask through, looked up once (at ``init_app``):
    ``flask.g`` is a werkzeug proxy whose every read costs about as much as the rest of
    :func:`_note_user`, and ``from flask import ...`` in a function runs importlib's
    Python code each time (issue 21). ``flask.globals._cv_app`` is Flask's own context
    variable (Flask 2.2 on); without it the proxies are used."""

    def __init__(self) -> None:
        from flask import g, request
        from flask.ctx import _AppCtxGlobals

        self.plain_globals: type = _AppCtxGlobals
        self.request = request
        try:
            from flask.globals import _cv_app
        except ImportError:  # pragma: no cover - another Flask layout
            self.globals: Callable[[], Any] = g._get_current_object
        else:
            self.globals = lambda: _cv_app.get().g


_parts: list[_FlaskParts] = []


def _flask() -> _FlaskParts:
    if not _parts:
        _parts.append(_FlaskParts())
    return _parts[0]


def _note_user(state: RequestState, flask: _FlaskParts, middleware: AuditMiddleware,
               flask_app: Flask) -> None:
    """Leave what ``flask_app`` knows of the watched request's user in ``state``."""
    try:
        g = flask.globals()
        # Flask's own globals keep attributes in their __dict__ (their __getattr__, run
        # for every missing name, is Python code); another app_ctx_globals_class is asked.
        seen = g.__dict__ if type(g) is flask.plain_globals else None
        user = seen.get("user") if seen is not None else getattr(g, "user", None)
        if user is not None:
            state.extra.setdefault("flask_g", actor_from_user(user))
        httpauth_user = seen.get("flask_httpauth_user") if seen is not None \
            else getattr(g, "flask_httpauth_user", None)  # Flask-HTTPAuth's login
        if httpauth_user is not None:
            state.extra.setdefault("flask_httpauth", actor_from_user(httpauth_user))
        if "flask-jwt-extended" in flask_app.extensions:
            _note_jwt_extended(state)
        if getattr(flask_app, "login_manager", None) is not None:
            _note_flask_login(state)
        if middleware.capture.resolver is not None:
            middleware.capture.resolve_early(state, flask.request.environ)
    except Exception:
        log.exception("auditmw: could not read the Flask user")


def _noting_dispatch(app: Flask, middleware: AuditMiddleware) -> None:
    """Note the user when the app's ``full_dispatch_request`` returns or raises: still
    inside the request and app contexts, after the view and ``after_request``. Not a
    ``teardown_request`` function: Flask calls those for every request, watched or not,
    through ``ensure_sync``'s coroutine test, about 3 % of a small REST request's own
    work (issue 21); this costs an unwatched request one call and a context lookup."""
    flask = _flask()
    dispatch = app.full_dispatch_request
    watched = current_request.get
    from auditmw.wsgi import FINITE_BODY

    def full_dispatch_request() -> Any:
        try:
            response = dispatch()
        except BaseException:
            state = watched()
            if state is not None:
                _note_user(state, flask, middleware, app)
            raise
        state = watched()
        if state is not None:  # a watched request
            _note_user(state, flask, middleware, app)
            # A body of byte strings in a list: werkzeug's iterator over it runs no app
            # code and cannot raise, so the door may record without following it.
            body = getattr(response, "response", None)
            if type(body) is list and _BYTES.issuperset(map(type, body)):
                state.extra[FINITE_BODY] = True
        return response

    app.full_dispatch_request = full_dispatch_request  # type: ignore[method-assign]


def _note_flask_login(state: RequestState) -> None:
    try:
        from flask_login import current_user  # type: ignore[import-untyped]
    except ImportError:
        return
    found = actor_from_user(current_user._get_current_object())
    if found is not None:
        state.extra["flask_login"] = found


def _note_jwt_extended(state: RequestState) -> None:
    """The identity flask-jwt-extended verified in this request (``jwt_required`` or
    ``verify_jwt_in_request`` ran); its loaded user when a ``user_lookup_loader`` is set."""
    try:
        from flask_jwt_extended import (  # type: ignore[import-not-found]
            get_current_user,
            get_jwt,
            get_jwt_identity,
        )
    except ImportError:
        return
    try:
        claims = get_jwt()
    except RuntimeError:  # no token was verified in this request
        return
    if not claims:
        return
    try:
        loaded = get_current_user()
    except RuntimeError:  # no user_lookup_loader
        loaded = None
    found = actor_from_user(loaded) if loaded is not None else None
    if found is None:
        ident = get_jwt_identity()
        if ident is None:
            return
        name = claims.get("name")
        team = claims.get("team")
        found = Actor(id=str(ident), name=str(name) if name else str(ident),
                      team=str(team) if team else None,
                      on_behalf_of=actor_from_user(claims.get("act"), behalf=False))
    state.extra["flask_jwt_extended"] = found


def init_app(app: Flask, trail: AuditTrail, *,
             actor_getter: Callable[[Any], Any] | None = None,
             execution_hook: bool = True) -> Flask:
    """Audit ``app`` into ``trail``; returns the same app.

    Unless ``execution_hook=False``, graphql-core's execution hook is installed too
    (once per process): every catalogued GraphQL root field that executes (Ariadne,
    Graphene, Strawberry, plain graphql-core) is recorded once, and the middleware
    contributes the request's context."""
    if execution_hook:
        from auditmw.launcher.builtin import hook_graphql

        hook_graphql(trail)
    if EXTENSION in app.extensions:
        return app
    from auditmw.wsgi import AuditMiddleware

    app.extensions[EXTENSION] = trail
    # Flask's own wsgi_app, not another middleware: its response bodies are what the
    # adapter sees (FINITE_BODY)
    own = getattr(app.wsgi_app, "__func__", None) is type(app).wsgi_app
    middleware = AuditMiddleware(app.wsgi_app, trail=trail, actor_getter=actor_getter,
                                 finite_hint=own)

    _noting_dispatch(app, middleware)
    app.wsgi_app = middleware  # type: ignore[method-assign]
    return app


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point (``auditmw run``): every Flask app is
    instrumented as it is created."""
    import wrapt

    from auditmw.launcher import report
    from auditmw.server.mount import mount_wsgi

    def wrap_init(wrapped: Callable[..., None], instance: Any, args: Any,
                  kwargs: Any) -> None:
        wrapped(*args, **kwargs)
        try:  # whatever fails here, the app is created and runs (unaudited, said so)
            trail = get_trail()
            if trail is None or EXTENSION in instance.extensions:
                return
            init_app(instance, trail)
            # server.mount: the audit pages in front of the audited app (a2wsgi)
            instance.wsgi_app = mount_wsgi(instance.wsgi_app, trail)
            report.note_audited(f"Flask app {instance.import_name!r}", trail)
        except Exception as exc:
            report.note_failed("flask", exc)

    def on_import(module: Any) -> None:
        wrapt.wrap_function_wrapper(module, "Flask.__init__", wrap_init)

    wrapt.register_post_import_hook(on_import, "flask.app")
