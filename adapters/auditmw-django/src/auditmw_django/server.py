"""The audit server (an ASGI app, :func:`auditmw.server.create_app`) inside a Django project.

``path("audit/", include("auditmw_django.urls"))`` serves it under ``/audit/``; with
``server.mount = true`` the middleware serves it under ``server.prefix`` without a URL
pattern (what ``auditmw run`` uses). Either way the request goes through Django first —
its middleware, sessions and ``request.user`` — and is then handed to the audit server
as an ASGI request run on a private event-loop thread; the answer streams back (large
exports are never held in memory), as a sync iterator under WSGI and an async one
under ASGI.

With ``server.host_auth = true`` a signed-in Django user who is active and staff
(``is_staff``) may read without an access key (the server sees them as
``scope["user"]``); anyone else needs a key, as always. The page itself, asked for by
someone not signed in, redirects to ``settings.LOGIN_URL`` (``?next=`` back). Requests
that change nothing but are not GET/HEAD (the GraphQL reads) keep Django's CSRF check
unless they carry an ``accessKey`` header (no cookie is trusted then).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from auditmw.server.mount import under_prefix

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.django")

KEY_HEADER = "HTTP_ACCESSKEY"
_DONE = object()


class _Loop:
    """One daemon thread running an event loop for the audit server's requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None

    def submit(self, coro: Any) -> concurrent.futures.Future[Any]:
        with self._lock:
            if self._loop is None or not self._loop.is_running():
                ready = threading.Event()
                loop = asyncio.new_event_loop()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                threading.Thread(target=run, name="auditmw-django-server",
                                 daemon=True).start()
                ready.wait(10)
                self._loop = loop
        return asyncio.run_coroutine_threadsafe(coro, self._loop)


_loop = _Loop()


class AuditPages:
    """The audit server over ``trail``, answering Django requests."""

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail
        self._lock = threading.Lock()
        self._app: Any = None

    def app(self) -> Any:
        with self._lock:
            if self._app is None:
                from auditmw.server import create_app

                app = create_app(self.trail)
                # Under `auditmw run` the Starlette hook would audit the audit server
                # itself as one more app; its mark (auditmw_starlette) says "done".
                setattr(app, "_auditmw_trail", self.trail)  # noqa: B010
                self._app = app
            return self._app

    def respond(self, request: HttpRequest, root: str, inner: str) -> HttpResponseBase:
        """Answer ``request``; ``root`` is where the pages are mounted (``/audit``) and
        ``inner`` the path below it (``/api/audit-trail``)."""
        from django.http import HttpResponseRedirect

        if inner == "":
            return HttpResponseRedirect(root + "/")
        host_auth = self.trail.config.server.host_auth
        user = _staff_user(request) if host_auth else None
        if host_auth and user is None and inner == "/" and request.method == "GET" \
                and KEY_HEADER not in request.META:
            from django.conf import settings
            from django.contrib.auth.views import redirect_to_login

            if not _signed_in(request):
                response: HttpResponseBase = redirect_to_login(
                    request.get_full_path(), settings.LOGIN_URL)
                return response
        if request.method not in ("GET", "HEAD", "OPTIONS") and KEY_HEADER not in request.META:
            refused = _csrf_refusal(request)
            if refused is not None:
                return refused
        return self._run(request, _scope(request, root, inner, user))

    def _run(self, request: HttpRequest, scope: dict[str, Any]) -> HttpResponseBase:
        from django.http import HttpResponse, StreamingHttpResponse

        messages: queue.Queue[Any] = queue.Queue()
        body = bytes(request.body) if request.method not in ("GET", "HEAD") else b""
        finished = asyncio.Event()
        sent_body = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            messages.put(message)

        async def run() -> None:
            try:
                await self.app()(scope, receive, send)
            finally:
                finished.set()

        future = _loop.submit(run())
        future.add_done_callback(lambda f: messages.put(_DONE))
        start = messages.get()
        if start is _DONE or start.get("type") != "http.response.start":
            error = future.exception() if future.done() else None
            log.error("auditmw: the audit server gave no response: %r", error)
            return HttpResponse(b"audit server error", status=500, content_type="text/plain")
        headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                   for k, v in start.get("headers") or ()]
        chunks = _sync_chunks(messages) if not _is_asgi(request) else _async_chunks(messages)
        response = StreamingHttpResponse(chunks, status=int(start["status"]))
        for name, value in headers:
            if name.lower() == "content-length":
                continue  # a streamed answer; the server sets its own framing
            response[name] = value
        return response


def _sync_chunks(messages: queue.Queue[Any]) -> Iterator[bytes]:
    while True:
        message = messages.get()
        if message is _DONE:
            return
        if message.get("type") == "http.response.body":
            chunk = bytes(message.get("body", b""))
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


async def _async_chunks(messages: queue.Queue[Any]) -> AsyncIterator[bytes]:
    while True:
        message = await asyncio.to_thread(messages.get)
        if message is _DONE:
            return
        if message.get("type") == "http.response.body":
            chunk = bytes(message.get("body", b""))
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


def _is_asgi(request: HttpRequest) -> bool:
    from django.core.handlers.asgi import ASGIRequest

    return isinstance(request, ASGIRequest)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False))


def _staff_user(request: HttpRequest) -> Any:
    """``request.user`` when signed in, active and staff; else ``None``."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "is_authenticated", False) is not True:
        return None
    if not getattr(user, "is_active", False) or not getattr(user, "is_staff", False):
        return None
    return user


def _csrf_refusal(request: HttpRequest) -> HttpResponseBase | None:
    from django.middleware.csrf import CsrfViewMiddleware

    def no_view(_request: HttpRequest) -> HttpResponseBase:
        raise AssertionError("never called")

    checker = CsrfViewMiddleware(no_view)
    checker.process_request(request)
    refused: HttpResponseBase | None = checker.process_view(request, no_view, (), {})
    return refused


def _scope(request: HttpRequest, root: str, inner: str, user: Any) -> dict[str, Any]:
    meta = request.META
    headers: list[tuple[bytes, bytes]] = []
    for key, value in meta.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        if value:
            headers.append((name.encode("latin-1"), str(value).encode("latin-1")))
    peer = meta.get("REMOTE_ADDR")
    try:
        port = int(meta.get("SERVER_PORT") or 80)
    except ValueError:
        port = 80
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
        "method": request.method or "GET", "scheme": request.scheme or "http",
        "path": root + inner, "raw_path": (root + inner).encode("utf-8"),
        "root_path": root, "query_string": str(meta.get("QUERY_STRING", "")).encode(),
        "headers": headers, "client": (peer, 0) if peer else None,
        "server": (str(meta.get("SERVER_NAME", "localhost")), port),
        "user": user, "state": {},
    }


class MountedPages:
    """``server.mount = true``: the middleware answers ``server.prefix`` itself."""

    def __init__(self, trail: AuditTrail) -> None:
        self.prefix = trail.config.server.prefix or "/audit"
        self.pages = pages_for(trail)

    def claims(self, request: HttpRequest) -> bool:
        return under_prefix(request.path_info, self.prefix)

    def respond(self, request: HttpRequest) -> HttpResponseBase:
        script = request.path[:len(request.path) - len(request.path_info)]
        inner = request.path_info[len(self.prefix):]
        return self.pages.respond(request, script + self.prefix, inner)


_pages: dict[int, AuditPages] = {}
_pages_lock = threading.Lock()


def pages_for(trail: AuditTrail) -> AuditPages:
    """One audit server per trail (the URL pattern and the mount share it)."""
    with _pages_lock:
        found = _pages.get(id(trail))
        if found is None or found.trail is not trail:
            found = _pages[id(trail)] = AuditPages(trail)
        return found
