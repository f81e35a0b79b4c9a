"""``auditmw run -- gunicorn mysite.wsgi`` (or ``uvicorn mysite.asgi:application``, or
``python manage.py runserver``): a Django project audited with no code change.

The ``django`` entry point of the ``auditmw.adapters`` group. It registers one wrapt
post-import hook on ``django.core.handlers.base``: when a handler (WSGI, ASGI, the test
client's, runserver's) loads its middleware, ``auditmw_django.AuditMiddleware`` is put
into ``settings.MIDDLEWARE`` right after the authentication middleware (after
django-hijack's too, when present; last when there is none) unless the project lists it
already. The middleware then switches on the GraphQL hook and the auth signals. The
project is reported to the launcher (its one ``auditmw: auditing ...`` line on stderr);
whatever fails here is said on stderr and the project loads its middleware unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.django")

MIDDLEWARE_PATH = "auditmw_django.AuditMiddleware"
_ALIASES = frozenset({MIDDLEWARE_PATH, "auditmw_django.middleware.AuditMiddleware"})
#: Middleware that set or change ``request.user``: ours goes after the last of them.
AUTH_MIDDLEWARE = ("django.contrib.auth.middleware.AuthenticationMiddleware",
                   "django.contrib.auth.middleware.RemoteUserMiddleware",
                   "django.contrib.auth.middleware.PersistentRemoteUserMiddleware",
                   "hijack.middleware.HijackUserMiddleware")


def with_audit_middleware(middleware: list[str]) -> list[str]:
    """``middleware`` with ours after the last authentication middleware (or last)."""
    if any(m in _ALIASES for m in middleware):
        return middleware
    positions = [i for i, m in enumerate(middleware) if m in AUTH_MIDDLEWARE]
    at = positions[-1] + 1 if positions else len(middleware)
    return [*middleware[:at], MIDDLEWARE_PATH, *middleware[at:]]


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """Register the post-import hook; returns at once, imports no Django."""
    import wrapt

    from auditmw.launcher import report

    def wrap_load(wrapped: Callable[..., Any], instance: Any, args: Any, kwargs: Any) -> Any:
        try:
            from django.conf import settings

            trail = get_trail()
            if trail is not None:
                current = list(settings.MIDDLEWARE)
                wanted = with_audit_middleware(current)
                if wanted != current:
                    settings.MIDDLEWARE = wanted
                # the launcher's one stderr line (and `auditmw doctor`) name the project
                report.note_audited(f"Django project {settings.SETTINGS_MODULE!r}", trail)
        except Exception as exc:
            report.note_failed("django", exc)
        return wrapped(*args, **kwargs)

    def on_import(module: Any) -> None:
        wrapt.wrap_function_wrapper(module, "BaseHandler.load_middleware", wrap_load)

    wrapt.register_post_import_hook(on_import, "django.core.handlers.base")
