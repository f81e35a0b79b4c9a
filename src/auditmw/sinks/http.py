"""``type = "http"``: POST batches of events to a collector (a SIEM, a webhook, a log pipe).

Body: the events in the sink's ``format`` (``auditmw``, ``ocsf``, ``ecs``) as a JSON array
(``body = "json"``) or one JSON object per line (``body = "ndjson"``; the older spellings
``format = "json" | "ndjson"`` mean auditmw events), or wrapped in a collector's envelope
(``format = "splunk_hec" | "es_bulk"``, see :mod:`auditmw.formats.envelopes`),
optionally gzip-compressed (``Content-Encoding: gzip``). Headers on every request:

- the configured ``headers`` (``${ENV}`` already expanded by the config loader);
- ``X-Auditmw-Signature: sha256=<hex>`` — HMAC-SHA256 under ``signing_key`` of the body
  bytes exactly as sent (after compression), when a key is set;
- ``Idempotency-Key`` — SHA-256 of the batch's event ids in order, so a retried batch
  carries the same key; every event also carries its own ``id`` to deduplicate on;
- ``X-Auditmw-Event-Count``.

The answer decides what the engine does: 2xx delivered; 408, 429, 5xx and connection
errors or timeouts are retried (``Retry-After`` honoured); 413 splits the batch; any
other status (redirects included: they are not followed) is a permanent refusal and the
batch goes to the dead-letter file with the status and the start of the answer.

Only the standard library is used. One keep-alive connection per sink, guarded by a
lock, so the sink is thread-safe; ``timeout_s`` bounds the connect and every read.
TLS: the system's CAs, or ``ca_file``; ``client_cert``/``client_key`` for mutual TLS.
Proxy: ``proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY`` (and ``NO_PROXY``) from the
environment; https goes through the proxy as a ``CONNECT`` tunnel, so the proxy never
sees the events.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import http.client
import ssl
import threading
import time
import urllib.request
from base64 import b64encode
from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from auditmw import codec
from auditmw.errors import ConfigError
from auditmw.formats import formatter
from auditmw.formats.envelopes import (
    DEFAULT_DOCUMENT,
    ENVELOPES,
    check_es_bulk_answer,
    es_bulk,
    splunk_hec,
)
from auditmw.types import EventDict, PayloadTooLarge, PermanentError, RetryableError

if TYPE_CHECKING:
    from auditmw.config import HttpSinkConfig

RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "auditmw-http-sink/1"


def sign(key: str | bytes, body: bytes) -> str:
    """The ``X-Auditmw-Signature`` value for ``body``: ``sha256=<hex>``."""
    secret = key.encode() if isinstance(key, str) else key
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def batch_key(events: Sequence[EventDict]) -> str:
    """The batch's ``Idempotency-Key``: stable for the same events in the same order."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(str(event.get("id", "")).encode())
        digest.update(b",")
    return digest.hexdigest()


def proxy_for(url: str, configured: str | None = None) -> str | None:
    """The proxy URL to reach ``url`` through: ``configured`` when given (``""``: none),
    else the environment's ``HTTPS_PROXY``/``HTTP_PROXY`` unless ``NO_PROXY`` matches."""
    if configured is not None:
        return configured or None
    parts = urlsplit(url)
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if bypass(parts.hostname or ""):
        return None
    return urllib.request.getproxies_environment().get(parts.scheme) or None


def tls_context(ca_file: str = "", client_cert: str = "",
                client_key: str = "") -> ssl.SSLContext:
    """A verifying client context: the system's CAs or ``ca_file``; a client certificate
    for mutual TLS when given. Unreadable files fail here, at start."""
    context = ssl.create_default_context(cafile=ca_file or None)
    if client_cert:
        context.load_cert_chain(client_cert, client_key or None)
    elif client_key:
        raise ValueError("client_key needs client_cert")
    return context


class HttpSink:
    durable = False

    def __init__(self, url: str, *, format: str = "auditmw", gzip: bool = False,
                 headers: Mapping[str, str] | None = None, signing_key: str = "",
                 timeout_s: float = 5.0, max_retries: int | None = None,
                 batch_size: int | None = None, name: str | None = None,
                 body: str = "json", document: str | None = None, index: str = "",
                 sourcetype: str = "auditmw", ca_file: str = "", client_cert: str = "",
                 client_key: str = "", proxy: str | None = None) -> None:
        if format in ("json", "ndjson"):  # the first spellings: auditmw with that body
            format, body = "auditmw", format
        if body not in ("json", "ndjson"):
            raise ValueError(f"body must be json or ndjson, not {body!r}")
        if format not in ("auditmw", "ocsf", "ecs", *ENVELOPES):
            raise ValueError("format must be auditmw, ocsf, ecs, splunk_hec or es_bulk, "
                             f"not {format!r}")
        if document is not None and format not in ENVELOPES:
            raise ValueError("document applies to format = splunk_hec or es_bulk only")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be an http:// or https:// URL, not {url!r}")
        self.url = url
        self.name = name or f"http:{parts.scheme}://{parts.netloc}{parts.path}"
        self.format = format
        self.body = body
        self.document = document or DEFAULT_DOCUMENT.get(format, format)
        self._shape = formatter(self.document)
        self.index = index
        self.sourcetype = sourcetype
        self.gzip = gzip
        self.signing_key = signing_key
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.batch_size = batch_size
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"User-Agent": USER_AGENT, **dict(headers or {})}
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None
        self._tls = tls_context(ca_file, client_cert, client_key) if (
            parts.scheme == "https") else None
        self._proxy = proxy_for(url, proxy)
        if self._proxy:
            found = urlsplit(self._proxy if "://" in self._proxy else f"http://{self._proxy}")
            if found.scheme != "http" or not found.hostname:
                raise ValueError(f"proxy must be an http:// URL, not {self._proxy!r}")
            self._proxy_host, self._proxy_port = found.hostname, found.port or 8080
            self._proxy_headers = {}
            if found.username is not None:
                login = f"{unquote(found.username)}:{unquote(found.password or '')}"
                self._proxy_headers["Proxy-Authorization"] = (
                    "Basic " + b64encode(login.encode()).decode())
            if parts.scheme == "http":  # a plain proxy is sent the absolute URL
                self._target = f"http://{parts.netloc}{self._target}"

    # -- encoding ---------------------------------------------------------------------

    def encode(self, events: Sequence[EventDict]) -> tuple[bytes, dict[str, str]]:
        """The body and headers one POST of ``events`` carries."""
        shape = self._shape
        if self.format == "splunk_hec":
            body = splunk_hec(events, shape, sourcetype=self.sourcetype, index=self.index)
            content_type = "application/json"
        elif self.format == "es_bulk":
            body = es_bulk(events, shape, index=self.index)
            content_type = "application/x-ndjson"
        elif self.body == "ndjson":
            body = b"".join(codec.dumps_line(shape(e)) for e in events)
            content_type = "application/x-ndjson"
        else:
            body = b"[" + b",".join(codec.dumps(shape(e)) for e in events) + b"]"
            content_type = "application/json"
        headers = {**self._headers, "Content-Type": content_type,
                   "Idempotency-Key": batch_key(events),
                   "X-Auditmw-Event-Count": str(len(events))}
        if self.gzip:
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
        if self.signing_key:
            headers["X-Auditmw-Signature"] = sign(self.signing_key, body)
        headers["Content-Length"] = str(len(body))
        return body, headers

    # -- Sink -------------------------------------------------------------------------

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        body, headers = self.encode(events)
        answer = self._deliver(body, headers)
        if self.format == "es_bulk":
            check_es_bulk_answer(answer)

    def send(self, body: bytes, headers: Mapping[str, str]) -> bytes:
        """POST ``body`` as is with the sink's headers and ``headers`` (another sink's
        encoding over this transport: the otel sink's protobuf); the answer of a 2xx,
        else the same exceptions as :meth:`write`."""
        return self._deliver(body, {**self._headers, **headers,
                                    "Content-Length": str(len(body))})

    def _deliver(self, body: bytes, headers: dict[str, str]) -> bytes:
        with self._lock:
            status, reason, answer, retry_after = self._post(body, headers)
        if 200 <= status < 300:
            return answer
        detail = f"HTTP {status} {reason}: {answer[:200].decode('utf-8', 'replace')}".strip()
        if status == 413:
            raise PayloadTooLarge(detail)
        if status in RETRYABLE_STATUSES or status >= 500:
            raise RetryableError(detail, parse_retry_after(retry_after))
        raise PermanentError(detail)

    def _post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes, str | None]:
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request("POST", self._target, body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._drop_connection()
                # A kept-alive connection the server closed meanwhile fails at once with
                # a reset or an empty answer: try a fresh one, once, straight away.
                stale = isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError
                                   | BrokenPipeError)
                if attempt == 1 and stale:
                    continue
                raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
            if response.will_close:
                self._drop_connection()
            return response.status, response.reason, answer, response.getheader("Retry-After")
        raise AssertionError("unreachable")  # pragma: no cover

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            host, port = ((self._proxy_host, self._proxy_port) if self._proxy
                          else (self._host, self._port))
            if self._scheme == "https":
                self._conn = http.client.HTTPSConnection(host, port, timeout=self.timeout_s,
                                                         context=self._tls)
                if self._proxy:  # CONNECT: TLS end to end, verified against the real host
                    self._conn.set_tunnel(self._host, self._port,
                                          headers=self._proxy_headers)
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self.timeout_s)
                if self._proxy and self._proxy_headers:
                    self._headers.update(self._proxy_headers)
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def flush(self) -> None:
        return None

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def after_fork(self) -> None:
        """In a forked child: never share the parent's socket."""
        self._lock = threading.Lock()
        self._conn = None


def from_config(config: HttpSinkConfig, **context: Any) -> HttpSink:
    try:
        return HttpSink(config.url, format=config.format, gzip=config.gzip,
                        headers=config.headers, signing_key=config.signing_key,
                        timeout_s=config.timeout_s, max_retries=config.max_retries,
                        batch_size=config.batch_size, body=config.body,
                        document=config.document, index=config.index,
                        sourcetype=config.sourcetype, ca_file=config.ca_file,
                        client_cert=config.client_cert, client_key=config.client_key,
                        proxy=config.proxy)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise ConfigError(f"sinks (http {config.url}): {exc}") from None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` when
    absent or unreadable (then our own backoff applies)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
