"""``AuditMiddleware`` for WSGI apps (PEP 3333; no framework is imported).

>>> app.wsgi_app = AuditMiddleware(app.wsgi_app, trail=trail)

The request body of a watched request is read up to ``capture.max_body_bytes`` and put
back as an identical stream (a larger one is put back as the part read followed by the
untouched rest). The app's status, headers and body chunks reach the server unchanged
and as they come; the events are recorded when the last chunk has been produced (or the
app raised). The request's :class:`~auditmw.context.RequestState` is visible to the app
in its own thread while it runs and while its body iterable is consumed, so resolver
hooks and the Flask adapter can deposit what they know.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import compress
from types import TracebackType
from typing import TYPE_CHECKING, Any

from auditmw.capture.recorder import REFUSED_BODY, TOO_LARGE_BODY, HttpCapture, Watch
from auditmw.capture.wsgi_input import take_body as _take_body
from auditmw.context import RequestState, current_request
from auditmw.types import Environ, StartResponse, WSGIApp

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw.wsgi")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STR_OR_NONE = frozenset({str, type(None)})
_REFUSED_HEADERS = [("Content-Type", "application/json"),
                    ("Content-Length", str(len(REFUSED_BODY)))]


def _environ_key(header: str) -> str:
    if header in ("content-type", "content-length"):
        return header.upper().replace("-", "_")
    return "HTTP_" + header.upper().replace("-", "_")


class AuditMiddleware:
    """Audit catalogued GraphQL fields, mapped REST routes and site access of a WSGI app.

    :param app: the WSGI app to wrap.
    :param trail: the :class:`~auditmw.trail.AuditTrail` events go to.
    :param actor_getter: optional ``(environ) -> Actor | user | dict | None``, called
        after the app ran; overrides ``actor.resolver`` from the config.
    :param finite_hint: ``app`` is a framework's own WSGI app whose adapter sets
        :data:`FINITE_BODY` for a body that is a finished sequence (the Flask adapter).
    """

    def __init__(self, app: WSGIApp, trail: AuditTrail, *,
                 actor_getter: Callable[[Any], Any] | None = None,
                 finite_hint: bool = False) -> None:
        self.app = app
        self.trail = trail
        self.capture = HttpCapture(trail, actor_getter=actor_getter)
        self.capture.ends_later = True  # each watch's end() once the app is done
        self._graphql_paths = self.capture.graphql_paths
        self._watch_other = self.capture.watch_other
        policy = self.capture.policy
        self._fail_closed = policy.fail_closed
        self._hold_response = policy.hold_response
        self._hold_last = policy.hold_last_chunk
        self._quiet = self.capture.quiet_bodies.quiet  # (nothing_to_watch, one call less)
        #: A framework adapter's FINITE_BODY is believed only when this middleware wraps
        #: the framework's own app (nothing between could make the body lazy).
        self._finite_hint = finite_hint
        names = tuple(sorted(self.capture.header_names))
        #: the environ keys of the headers the capture reads, and how their values
        #: (copied on the request's thread: strings, immutable) become its dict
        self._environ_keys = tuple(_environ_key(h) for h in names)

        def read_headers(values: tuple[Any, ...]) -> dict[str, str]:
            if _STR_OR_NONE.issuperset(map(type, values)):
                # PEP 3333's values are exact strings: each is its own str(), and the
                # names with no value are left out, all in C (once a request, where
                # its events are built)
                return dict(compress(zip(names, values, strict=True), values))
            return {name: str(value) for name, value in zip(names, values, strict=True)
                    if value}

        self._read_headers = read_headers

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if path in self._graphql_paths:
            return self._graphql(path, environ, start_response)
        if self._watch_other:
            return self._other(path, environ, start_response)
        return self.app(environ, start_response)

    def _open(self, method: str, path: str, environ: Environ) -> Watch | None:
        try:
            watch = self.capture.open_raw(
                method, path,
                environ.get("QUERY_STRING", ""), environ.get("REMOTE_ADDR") or None,
                raw=tuple(map(environ.get, self._environ_keys)),
                read_headers=self._read_headers)
            if self.capture.wants_native:
                watch.native = environ
            return watch
        except Exception:
            log.exception("auditmw: could not open a request; passing it on")
            return None

    def _graphql(self, path: str, environ: Environ,
                 start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        body: bytes | None = None
        quiet = False
        if method not in _NO_BODY_METHODS:
            body, oversize = _take_body(environ, self.capture.max_body)
            if oversize and self.capture.refuse_oversize:
                start_response("413 Content Too Large", [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(TOO_LARGE_BODY)))])
                return [TOO_LARGE_BODY]
            # A document known to execute nothing catalogued: no state, no analysis.
            # With the site_access idle gap on, it is still watched for its actor alone.
            quiet = body is not None and self._quiet(body)
            if quiet and self.capture.idle is None:
                return self.app(environ, start_response)
        elif not _may_carry_graphql(environ.get("QUERY_STRING", "")):
            return self.app(environ, start_response)
        watch = self._open(method, path, environ)
        if watch is None:
            return self.app(environ, start_response)
        if not quiet:
            watch.analyse_graphql(body)
        return self._run(watch, environ, start_response, graphql=True)

    def _other(self, path: str, environ: Environ,
               start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        try:
            found = self.capture.other_watch(method, path)
        except Exception:
            log.exception("auditmw: route matching failed; passing the request on")
            found = None
        watch = self._open(method, path, environ) if found is not None else None
        if watch is None or found is None:
            return self.app(environ, start_response)
        watch.route, watch.is_login = found
        if watch.is_login and method not in _NO_BODY_METHODS:
            watch.read_login(_take_body(environ, self.capture.max_body)[0])
        return self._run(watch, environ, start_response)

    def _run(self, watch: Watch, environ: Environ, start_response: StartResponse, *,
             graphql: bool = False) -> Iterable[bytes]:
        if self._fail_closed and watch.refuse():
            start_response("503 Service Unavailable", list(_REFUSED_HEADERS))
            return [REFUSED_BODY]
        response = _Response(watch, start_response)
        # fail_closed holds every GraphQL answer: the fields that ran are known only
        # once the app has run them, whatever the request looked like.
        if self._hold_response and (graphql or watch.catalogued):
            response.hold = True
        state = watch.state
        token = current_request.set(state)
        try:
            result = self.app(environ, response.start_response)
        except BaseException as exc:
            response.finish(exc)
            raise
        finally:
            _reset(token)
        if response.hold:
            return _held(result, response, start_response)
        if response.status is not None and not response.keep and watch.body_cannot_matter() \
                and (type(result) in _FINITE or (self._finite_hint and state.extra.pop(
                    FINITE_BODY, False))):
            # The events are the hook's facts alone and the body is a finished sequence:
            # producing it runs no app code and cannot raise, so the events are what they
            # would be once it is consumed, and the server iterates the app's own body.
            response.finish(None)
            return result
        hold_last = self._hold_last and watch.catalogued
        return _Body(result, response, hold_last=hold_last)


#: Bodies whose iteration runs no code: a list or tuple of byte strings.
_FINITE = (list, tuple)
#: ``RequestState.extra`` key a framework adapter sets when the body it answered with is
#: a finished sequence behind the framework's own iterator (the Flask adapter, for a
#: werkzeug response that is not streamed).
FINITE_BODY = "wsgi.finite_body"


def _may_carry_graphql(query_string: str) -> bool:
    # "%" too: a percent-encoded parameter name (q%75ery=) is decoded by the server
    return "query=" in query_string or "extensions=" in query_string or "%" in query_string


def _not_started(data: bytes) -> object:
    raise AssertionError("write() called before start_response()")  # PEP 3333 forbids it


def _reset(token: Any) -> None:
    try:
        current_request.reset(token)
    except ValueError:  # reset from another context: at least leave nothing behind
        current_request.set(None)


class _Response:
    """Wraps ``start_response`` and ``write``: notes the status and keeps up to the cap of
    a matched response's body."""

    # What most responses never change lives on the class (issue 21: one per request).
    status: int | None = None
    encoding: str | None = None
    size = 0
    done = False
    hold = False
    start_args: tuple[Any, ...] = ()
    _write: Callable[[bytes], object] = staticmethod(_not_started)  # the server's write()

    def __init__(self, watch: Watch, start_response: StartResponse) -> None:
        self.watch = watch
        self._start_response = start_response
        # The wire's own calls need the answer; whether the hook's facts do not is known
        # only once the app answers (the response's start asks wire_needed()): a body
        # copied for a request the hook saw run would never be read.
        self.keep = bool(watch.calls)
        self.chunks: list[bytes] = []
        self.written: list[bytes] = []

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: ExcInfo | None = None) -> Callable[[bytes], object]:
        try:
            watch = self.watch
            code = self.status = int(status.split(" ", 1)[0])
            if watch.is_login:  # how the login page answered (capture/login.py)
                watch.response_type = next((v for k, v in headers
                                            if k.lower() == "content-type"), None)
            if not self.keep and watch.wire_needed():
                self.keep = True  # nothing ran that the hook saw: the answer may tell
            if self.keep:
                self.encoding = next((v for k, v in headers
                                      if k.lower() == "content-encoding"), None)
            if 300 <= code < 400:
                watch.location = next((v for k, v in headers
                                       if k.lower() == "location"), None)
        except Exception:
            log.exception("auditmw: could not read a WSGI status")
        if self.hold:
            self.start_args = (status, headers, exc_info) if exc_info else (status, headers)
            return self._write_held
        if exc_info:
            self._write = self._start_response(status, headers, exc_info)
        else:
            self._write = self._start_response(status, headers)
        return self._observed_write

    def _observed_write(self, data: bytes) -> object:
        self.observe(data)
        return self._write(data)

    def _write_held(self, data: bytes) -> object:
        self.observe(data)
        self.written.append(data)
        return None

    def observe(self, chunk: bytes) -> None:
        if self.keep and self.size <= self.watch.capture.max_body:
            self.size += len(chunk)
            self.chunks.append(bytes(chunk))

    def finish(self, exc: BaseException | None) -> bool:
        if self.done:
            return True
        self.done = True
        body = b"".join(self.chunks) if self.keep and self.size <= self.watch.capture.max_body \
            else None
        return self.watch.finish(self.status if exc is None else None, self.encoding, body,
                                 exc)


class _Body:
    """The app's body iterable, observed: chunks pass unchanged; the events are recorded
    once it is exhausted, raises, or is closed early. The request state is visible to
    the app while each chunk is produced (lazy bodies may still run app code).

    With ``hold_last`` (``delivery.mode = "sync"``) each chunk is handed on only once
    the next one exists, so the events are recorded before the last chunk — and with it
    the end of the response — reaches the server: a client never sees a complete answer
    whose event is not yet written. A streamed body then runs one chunk behind.
    """

    def __init__(self, result: Iterable[bytes], response: _Response,
                 hold_last: bool = False) -> None:
        self._result = result
        self._iterator: Iterator[bytes] | None = None
        self._response = response
        self._hold_last = hold_last
        self._held: bytes | None = None
        self._ended = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def _produce(self) -> bytes | None:
        """The app's next chunk, or ``None`` once it is exhausted (events recorded)."""
        if self._iterator is None:
            self._iterator = iter(self._result)
        token = current_request.set(self._response.watch.state)
        try:
            chunk = next(self._iterator)
        except StopIteration:
            self._response.finish(None)
            return None
        except BaseException as exc:
            self._response.finish(exc)
            raise
        finally:
            _reset(token)
        self._response.observe(chunk)
        return chunk

    def __next__(self) -> bytes:
        if self._ended:
            raise StopIteration
        if not self._hold_last:
            chunk = self._produce()
            if chunk is None:
                self._ended = True
                raise StopIteration
            return chunk
        if self._held is None:
            self._held = self._produce()
            if self._held is None:
                self._ended = True
                raise StopIteration
        following = self._produce()
        out, self._held = self._held, following
        if following is None:
            self._ended = True  # recorded already: the last chunk may go
        return out

    def close(self) -> None:
        watch = self._response.watch
        if watch.late is not None:
            self._close_late(watch)
            return
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._response.finish(None)
            # finished only now (closed before its end): finish() may have set it
            if watch.late is not None:
                watch.end()  # type: ignore[unreachable]

    def _close_late(self, watch: Watch) -> None:
        """The answer showed a field no hook saw run (its wire record is held): the
        body's ``close()`` (the app's close callbacks) runs in the request's context, so
        an execution there is the hook's event in its place; then the record no
        execution took is written (capture/late_wire.py)."""
        token = current_request.set(watch.state)
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            _reset(token)
            watch.end()


def _held(result: Iterable[bytes], response: _Response,
          start_response: StartResponse) -> Iterable[bytes]:
    """``fail_closed``: produce the whole body, record, then answer — or 503 if the
    events could not be kept. (``start_response`` was held by ``_Response.hold``.)"""
    state: RequestState = response.watch.state
    token = current_request.set(state)
    try:
        chunks = [bytes(c) for c in result]
    except BaseException as exc:
        response.finish(exc)
        raise
    finally:
        _reset(token)
        close = getattr(result, "close", None)
        if close is not None:
            close()
    for chunk in chunks:
        response.observe(chunk)
    if not response.finish(None):
        start_response("503 Service Unavailable", list(_REFUSED_HEADERS))
        return [REFUSED_BODY]
    start_response(*response.start_args)
    return [*response.written, *chunks]
