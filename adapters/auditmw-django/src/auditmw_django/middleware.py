"""``auditmw_django.AuditMiddleware``: Django middleware over the core's HTTP recorder.

Put it after ``AuthenticationMiddleware`` (and after DRF-independent auth middleware such
as django-hijack's), sync or async — it is both. What is watched, and every decision
about a watched request — the catalogued GraphQL fields of the body, outcomes, targets,
client IP, channel, actor conversion — is the core's
(:class:`auditmw.capture.recorder.HttpCapture` / ``Watch``), exactly as for the ASGI and
WSGI middleware; this module only reads a Django request and response:

- GraphQL paths and path-template routes are decided before the view; routes mapped by
  URL name (``url_name`` in ``[[capture.routes]]``) once Django has resolved the URL
  (``process_view``, which sees ``request.resolver_match``).
- The request body is read through ``request.body`` (Django keeps it for the view) when
  its ``Content-Length`` is within ``capture.max_body_bytes``; otherwise the GraphQL
  execution hook tells which fields ran.
- After the view, ``request.user`` (and DRF's ``request.auth``, and django-hijack's
  impersonator) is left in the request state as the ``django`` actor source.
- The events are recorded when the response is complete: at once for a plain response,
  after the last chunk for a streaming one. Django turns a view's exception (including
  ``PermissionDenied``) into its 4xx/5xx response before this middleware sees it, so
  the outcome comes from the status, as for every front door.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async

from auditmw.capture.recorder import REFUSED_BODY, HttpCapture, Watch
from auditmw.context import current_request
from auditmw_django.actors import request_actor
from auditmw_django.conf import get_trail

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

log = logging.getLogger("auditmw.django")

WATCH_ATTR = "_auditmw_watch"
LOGIN_SIGNALLED_ATTR = "_auditmw_login_signalled"
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def meta_key(header: str) -> str:
    """The ``request.META`` key of an HTTP header."""
    if header in ("content-type", "content-length"):
        return header.upper().replace("-", "_")
    return "HTTP_" + header.upper().replace("-", "_")


def _refusal() -> HttpResponseBase:
    from django.http import HttpResponse

    return HttpResponse(REFUSED_BODY, status=503, content_type="application/json")


class AuditMiddleware:
    """Audit catalogued GraphQL fields, mapped REST routes (by path template or URL
    name) and site access of a Django project. Sync and async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        self.trail = get_trail()
        self.capture: HttpCapture | None = None
        self.mount: Any = None
        if self.trail is not None:
            from auditmw_django.setup import activate

            self.capture = HttpCapture(self.trail, names_resolved=True)
            self.capture.ends_later = True  # at the response's close (_end_at_close)
            self._meta_keys = [(h, meta_key(h)) for h in self.capture.header_names]
            activate(self.trail)  # the GraphQL hook and the signals, once per process
            if self.trail.config.server.mount:
                from auditmw_django.server import MountedPages

                self.mount = MountedPages(self.trail)

    # -- before the view ------------------------------------------------------------

    def _open(self, request: HttpRequest) -> Watch | None:
        assert self.capture is not None
        try:
            meta = request.META
            headers = {name: str(meta[key]) for name, key in self._meta_keys if meta.get(key)}
            watch = self.capture.open(request.method or "GET", request.path,
                                      meta.get("QUERY_STRING", ""),
                                      meta.get("REMOTE_ADDR") or None, headers)
            watch.native = request
            return watch
        except Exception:
            log.exception("auditmw: could not open a request; passing it on")
            return None

    def _body(self, request: HttpRequest) -> bytes | None:
        """The body if it is within the cap (``None``: too large or unreadable)."""
        assert self.capture is not None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if length > self.capture.max_body:
            return None
        try:
            return bytes(request.body)
        except Exception:  # RequestDataTooBig, RawPostDataException: the view decides
            log.debug("auditmw: request body not read", exc_info=True)
            return None

    def _before(self, request: HttpRequest) -> Watch | None:
        """The watch for a GraphQL path or a path-template/login route, else ``None``."""
        capture = self.capture
        if capture is None:
            return None
        path = request.path
        method = request.method or "GET"
        if path in capture.graphql_paths:
            body: bytes | None = None
            if method not in _NO_BODY_METHODS:
                body = self._body(request)
                # A document known to execute nothing catalogued: no state, no analysis.
                if body is not None and capture.nothing_to_watch(body):
                    return None
            elif not _may_carry_graphql(request.META.get("QUERY_STRING", "")):
                return None
            watch = self._open(request)
            if watch is not None:
                watch.analyse_graphql(body)
            return watch
        if not capture.watch_other:
            return None
        try:
            found = capture.other_watch(method, path)
        except Exception:
            log.exception("auditmw: route matching failed; passing the request on")
            return None
        if found is None:
            return None
        watch = self._open(request)
        if watch is not None:
            watch.route, watch.is_login = found
            if watch.is_login and method not in _NO_BODY_METHODS:
                watch.read_login(self._body(request))  # the username submitted, only
        return watch

    def process_view(self, request: HttpRequest, view: Any, args: Any,
                     kwargs: Any) -> HttpResponseBase | None:
        """Routes mapped by URL name, now that ``request.resolver_match`` is known."""
        capture = self.capture
        if capture is None or not capture.routes.named:
            return None
        try:
            watch: Watch | None = request.__dict__.get(WATCH_ATTR)
            if watch is not None and watch.route is not None:
                return None  # a path-template route matched first
            match = request.resolver_match
            if match is None:
                return None
            names = [n for n in (match.view_name, match.url_name) if n]
            params = {str(k): str(v) for k, v in (match.kwargs or {}).items()}
            found = capture.routes.match_name(request.method or "GET", names, params)
            if found is None:
                return None
            if watch is None:
                watch = self._open(request)
                if watch is None:
                    return None
                setattr(request, WATCH_ATTR, watch)
            watch.route = found
            if watch.refuse():
                return _refusal()
        except Exception:
            log.exception("auditmw: URL-name route matching failed; passing it on")
        return None

    # -- the request ----------------------------------------------------------------

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        if self.mount is not None and self.mount.claims(request):
            return self.mount.respond(request)
        watch = self._before(request)
        if watch is None:
            response = self.get_response(request)
            watch = request.__dict__.get(WATCH_ATTR)
            if watch is None:
                return response
            return self._after(watch, request, response)
        if watch.refuse():
            return _refusal()
        setattr(request, WATCH_ATTR, watch)
        token = current_request.set(watch.state)
        try:
            response = self.get_response(request)
        except BaseException as exc:
            watch.finish(None, None, None, exc)
            raise
        finally:
            current_request.reset(token)
        return self._after(watch, request, response)

    async def __acall__(self, request: HttpRequest) -> Any:
        if self.mount is not None and self.mount.claims(request):
            return await sync_to_async(self.mount.respond)(request)
        watch = self._before(request)
        if watch is None:
            response = await self.get_response(request)
            watch = request.__dict__.get(WATCH_ATTR)
            if watch is None:
                return response
        else:
            if watch.refuse():
                return _refusal()
            setattr(request, WATCH_ATTR, watch)
            token = current_request.set(watch.state)
            try:
                response = await self.get_response(request)
            except BaseException as exc:
                watch.finish(None, None, None, exc)
                raise
            finally:
                current_request.reset(token)
        # request.user may still be a lazy object whose loading queries the database
        await sync_to_async(self._note_actor)(watch, request)
        return self._complete(watch, request, response)

    # -- after the view -------------------------------------------------------------

    def _note_actor(self, watch: Watch, request: HttpRequest) -> None:
        try:
            found = request_actor(request)
            if found is not None:
                watch.state.extra["django"] = found
        except Exception:
            log.exception("auditmw: could not read the Django user")
        if request.__dict__.get(LOGIN_SIGNALLED_ATTR):
            watch.is_login = False  # the auth signal recorded this login already

    def _after(self, watch: Watch, request: HttpRequest,
               response: HttpResponseBase) -> HttpResponseBase:
        self._note_actor(watch, request)
        return self._complete(watch, request, response)

    def _complete(self, watch: Watch, request: HttpRequest,
                  response: HttpResponseBase) -> HttpResponseBase:
        try:
            if response.streaming:
                _observe_stream(watch, response)
                if watch.wire_needed():  # finished at the last chunk, before the close
                    _end_at_close(watch, response)
                return response
            status = response.status_code
            body = bytes(response.content) if watch.wants_response_body else None
            encoding = response.get("Content-Encoding")
            watch.response_type = response.get("Content-Type")
            if 300 <= status < 400:  # a route's denied_redirect (a login page)
                watch.location = response.get("Location")
        except Exception:
            log.exception("auditmw: could not read a response; recording what is known")
            status, body, encoding = getattr(response, "status_code", None), None, None
        kept = watch.finish(status, encoding, body)
        if watch.late is not None:
            _end_at_close(watch, response)
        if not kept and self.capture is not None and self.capture.policy.fail_closed \
                and watch.catalogued:
            return _refusal()
        return response


class _Collector:
    """Keeps a streamed body up to the cap and records once, at its end."""

    def __init__(self, watch: Watch, status: int, encoding: str | None) -> None:
        self.watch = watch
        self.status = status
        self.encoding = encoding
        self.keep = watch.wants_response_body
        self.limit = watch.capture.max_body
        self.chunks: list[bytes] = []
        self.size = 0
        self.done = False

    def observe(self, chunk: Any) -> None:
        if self.keep and self.size <= self.limit:
            data = bytes(chunk) if not isinstance(chunk, str) else chunk.encode()
            self.size += len(data)
            self.chunks.append(data)

    def finish(self, exc: BaseException | None) -> None:
        if self.done:
            return
        self.done = True
        body = b"".join(self.chunks) if self.keep and self.size <= self.limit else None
        self.watch.finish(self.status if exc is None else None, self.encoding, body, exc)


def _observe_stream(watch: Watch, response: Any) -> None:
    """Wrap a ``StreamingHttpResponse``'s content (sync or async iterator, whichever it
    is) so the events are recorded once the last chunk has been produced."""
    collector = _Collector(watch, response.status_code, response.get("Content-Encoding"))
    if 300 <= response.status_code < 400:
        watch.location = response.get("Location")
    original = response.streaming_content

    if getattr(response, "is_async", False):
        async def agen() -> AsyncIterator[Any]:
            try:
                async for chunk in original:
                    collector.observe(chunk)
                    yield chunk
            except GeneratorExit:  # closed early (the client went away): as ASGI does
                collector.finish(None)
                raise
            except BaseException as exc:
                collector.finish(exc)
                raise
            finally:
                collector.finish(None)

        response.streaming_content = agen()
    else:
        def gen() -> Iterator[Any]:
            try:
                for chunk in original:
                    collector.observe(chunk)
                    yield chunk
            except GeneratorExit:  # closed early (the client went away): as ASGI does
                collector.finish(None)
                raise
            except BaseException as exc:
                collector.finish(exc)
                raise
            finally:
                collector.finish(None)

        response.streaming_content = gen()


def _end_at_close(watch: Watch, response: Any) -> None:
    """The request's wire records are held for an execution after the response
    (capture/late_wire.py): Django runs ``request_finished`` receivers and resource
    closers in ``response.close()``, after this middleware returned. They run in the
    request's context, so such an execution takes a held record's place; then the
    door's end writes what no execution took."""
    close = response.close

    def closing() -> None:
        token = current_request.set(watch.state)
        try:
            close()
        finally:
            current_request.reset(token)
            watch.end()

    response.close = closing


def _may_carry_graphql(query_string: str) -> bool:
    return "query=" in query_string or "extensions=" in query_string
