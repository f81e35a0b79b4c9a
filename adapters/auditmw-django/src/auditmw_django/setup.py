"""What the integration switches on once per process: the GraphQL execution hook and the
auth signals. Called by ``AppConfig.ready()``, by the middleware (a project that lists
only the middleware) and by the ``auditmw run`` hook; repeated calls change nothing."""

from __future__ import annotations

import importlib.util
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.django")

_lock = threading.Lock()
_active: set[int] = set()


def activate(trail: AuditTrail) -> None:
    """Install the graphql-core hook (graphene-django, strawberry-django: every execution
    gets the resolver middleware, exactly once) and connect the auth signals."""
    with _lock:
        if id(trail) in _active:
            return
        _active.add(id(trail))
    if importlib.util.find_spec("graphql") is not None:
        try:
            from auditmw.graphql import instrument
            from auditmw_django.actors import context_actor

            instrument(trail, actor_from_context=context_actor)
        except Exception:
            log.exception("auditmw: the GraphQL execution hook could not be installed; "
                          "GraphQL fields are recorded from HTTP requests only")
    try:
        from auditmw_django.signals import connect

        connect(trail)
    except Exception:
        log.exception("auditmw: the Django auth signals could not be connected; logins "
                      "are not recorded")


def deactivate() -> None:
    """Forget what :func:`activate` did (tests): disconnect the signals."""
    from auditmw_django.signals import disconnect

    with _lock:
        _active.clear()
    disconnect()
