"""Login, logout and failed login, from Django's auth signals, as ``siteAccess`` events.

``user_logged_in`` → success naming the user; ``user_login_failed`` → failure naming the
username that was tried (only that field of the credentials: never a password, whatever
the backend's keys); ``user_logged_out`` → success naming the user who left. Each
carries ``details.kind`` (``login`` / ``login_failed`` / ``logout``) so the three can be
told apart in one event name. The event names are ``settings.AUDITMW_AUTH_EVENTS``
(``{"login": ..., "login_failed": ..., "logout": ...}``, default ``siteAccess`` for all;
``None`` turns one off). The client IP and channel come from the core's rules (trusted
proxies included), as for every request. When the login also matches a
``capture.site_access.routes`` entry, only the signal's event is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from auditmw.capture.actor import actor_from_user
from auditmw.capture.login import login_actor
from auditmw.event import ANONYMOUS, Actor, Client, ErrorInfo, RequestInfo

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.django")

EVENTS_SETTING = "AUDITMW_AUTH_EVENTS"
DEFAULT_EVENTS: dict[str, str | None] = {"login": "siteAccess", "login_failed": "siteAccess",
                                         "logout": "siteAccess"}
_UID = "auditmw_django.auth."

_receivers: dict[str, Callable[..., None]] = {}


def event_names() -> dict[str, str | None]:
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    given = getattr(settings, EVENTS_SETTING, None) or {}
    if not isinstance(given, Mapping) or set(given) - set(DEFAULT_EVENTS):
        raise ImproperlyConfigured(
            f"settings.{EVENTS_SETTING} must be a dict with keys among "
            f"{', '.join(DEFAULT_EVENTS)}; got {given!r}")
    return {**DEFAULT_EVENTS, **dict(given)}


def _client(trail: AuditTrail, request: Any) -> tuple[Client, Any, RequestInfo | None]:
    """Client and channel by the core's rules (one place: ``HttpCapture.open``)."""
    if request is None or not hasattr(request, "META"):
        return Client(), "system", None
    from auditmw_django.middleware import meta_key

    capture = _capture(trail)
    meta = request.META
    headers = {h: str(meta[meta_key(h)]) for h in capture.header_names
               if meta.get(meta_key(h))}
    state = capture.open(request.method or "GET", request.path,
                         meta.get("QUERY_STRING", ""), meta.get("REMOTE_ADDR") or None,
                         headers).state
    return state.client, state.channel, RequestInfo(method=state.method, path=state.path,
                                                    id=state.request_id)


_captures: dict[int, Any] = {}


def _capture(trail: AuditTrail) -> Any:
    from auditmw.capture.recorder import HttpCapture

    found = _captures.get(id(trail))
    if found is None or found.trail is not trail:
        found = _captures[id(trail)] = HttpCapture(trail, names_resolved=True)
    return found


def _username_tried(credentials: Mapping[str, Any] | None) -> str | None:
    if not credentials:
        return None
    from django.contrib.auth import get_user_model

    field = getattr(get_user_model(), "USERNAME_FIELD", "username")
    for key in (field, "username", "email"):
        value = credentials.get(key)
        if isinstance(value, str) and value and "*" * 5 not in value:
            return value
    return None


def _record(trail: AuditTrail, kind: str, name: str | None, request: Any, *, actor: Actor,
            outcome: Any, details: dict[str, Any], error: ErrorInfo | None = None) -> None:
    if name is None:
        return
    try:
        client, channel, info = _client(trail, request)
        trail.record(name, actor=actor, outcome=outcome, client=client, channel=channel,
                     source="rest", request=info, details={"kind": kind, **details},
                     error=error)
        if request is not None and kind != "logout":
            from auditmw_django.middleware import LOGIN_SIGNALLED_ATTR

            setattr(request, LOGIN_SIGNALLED_ATTR, True)
    except Exception:
        log.exception("auditmw: could not record a Django %s", kind)


def connect(trail: AuditTrail) -> None:
    """Connect the receivers (replacing any earlier ones: one trail per process)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    names = event_names()
    for name in names.values():
        if name is not None:
            trail.entry(name)  # an unknown event name fails here, at start

    def logged_in(sender: Any, request: Any = None, user: Any = None, **_: Any) -> None:
        actor = login_actor(actor_from_user(user), None) or ANONYMOUS
        if request is not None:
            from auditmw_django.actors import impersonator, with_impersonator

            actor = with_impersonator(actor, impersonator(request))
        _record(trail, "login", names["login"], request, actor=actor, outcome="success",
                details={})

    def login_failed(sender: Any, credentials: Any = None, request: Any = None,
                     **_: Any) -> None:
        tried = _username_tried(credentials)
        # the core's login rule: the name they submitted, no id (a claim, not a proof)
        actor = login_actor(None, tried) or ANONYMOUS
        _record(trail, "login_failed", names["login_failed"], request, actor=actor,
                outcome="failure", details={"username": tried} if tried else {},
                error=ErrorInfo("LoginFailed", "Django refused the credentials"))

    def logged_out(sender: Any, request: Any = None, user: Any = None, **_: Any) -> None:
        actor = actor_from_user(user) or ANONYMOUS
        _record(trail, "logout", names["logout"], request, actor=actor, outcome="success",
                details={})

    disconnect()
    for signal, receiver, kind in ((user_logged_in, logged_in, "login"),
                                   (user_login_failed, login_failed, "login_failed"),
                                   (user_logged_out, logged_out, "logout")):
        signal.connect(receiver, dispatch_uid=_UID + kind, weak=False)
        _receivers[kind] = receiver


def disconnect() -> None:
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    for signal, kind in ((user_logged_in, "login"), (user_login_failed, "login_failed"),
                         (user_logged_out, "logout")):
        signal.disconnect(dispatch_uid=_UID + kind)
    _receivers.clear()
