"""``type = "syslog"``: RFC 5424 messages over UDP (RFC 5426), TCP (RFC 6587) or TLS
(RFC 5425), the two stream transports with octet counting (``LEN SP MSG``).

One message per event::

    <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [auditmw@32473 id="…" …] BOM MSG

- PRI = ``facility`` (default 13, *log audit*) * 8 + severity from the outcome
  (success 6 informational, denied 4 warning, failure 3 error);
- TIMESTAMP = the event's ``time`` (microseconds, UTC); HOSTNAME = ``service.host``;
  APP-NAME = ``app_name`` or the service; PROCID = this process; MSGID = the event name;
- structured data ``auditmw@32473`` (32473 is the private enterprise number RFC 5612
  reserves for examples and documentation) with ``id`` (the event id, to deduplicate on),
  ``event``, ``outcome``, ``category`` and ``actor``;
- MSG: the event in the sink's ``format`` as compact JSON, UTF-8 after a BOM.

Failures raise for the delivery lane, which retries and spools exactly as for the http
sink: connection refused or reset, TLS errors, timeouts. A stream connection is kept
and re-opened when the server closed it. A UDP datagram larger than the transport takes
is refused for good (dead-letter file) — use TCP or TLS for large events.

Closing is graceful: we stop writing (TLS ``close_notify``, then TCP FIN) and read what
the server still sends until it closes, before closing the socket. A TLS 1.3 server sends
session tickets after the handshake; closing a socket with such unread bytes makes the
kernel answer with a reset, and a reset makes the server's kernel discard our messages
it has not read yet.
"""

from __future__ import annotations

import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from auditmw import codec
from auditmw.errors import ConfigError
from auditmw.formats import formatter
from auditmw.types import EventDict, PermanentError, RetryableError

if TYPE_CHECKING:
    from auditmw.config import SyslogSinkConfig

SD_ID = "auditmw@32473"
SEVERITY = {"success": 6, "denied": 4, "failure": 3}
BOM = b"\xef\xbb\xbf"
UDP_MAX = 65_507  # the largest UDP payload over IPv4


def _header_field(value: Any, limit: int) -> str:
    """An RFC 5424 header field: printable US-ASCII without spaces, or ``-``."""
    text = "".join(c if 33 <= ord(c) <= 126 else "_" for c in str(value or ""))[:limit]
    return text or "-"


def _param(value: Any) -> str:
    """An SD-PARAM value: UTF-8 (a lone surrogate as ``codec.safe_text`` writes it) with
    ``"``, ``\\`` and ``]`` escaped."""
    text = codec.safe_text(str(value))
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


class SyslogSink:
    durable = False

    def __init__(self, address: str = "127.0.0.1:514", *, protocol: str = "udp",
                 format: str = "auditmw", ca_file: str = "", client_cert: str = "",
                 client_key: str = "", server_name: str = "", facility: int = 13,
                 app_name: str = "", timeout_s: float = 5.0, max_retries: int | None = None,
                 batch_size: int | None = None, name: str | None = None,
                 service: str = "") -> None:
        if protocol not in ("udp", "tcp", "tls"):
            raise ValueError(f"protocol must be udp, tcp or tls, not {protocol!r}")
        self.host, self.port = _address(address)
        self.protocol = protocol
        self.name = name or f"syslog:{protocol}://{address}"
        self.format = format
        self._shape = formatter(format)
        self.facility = facility
        self.app_name = _header_field(app_name or service or "auditmw", 48)
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.batch_size = batch_size
        self.server_name = server_name or self.host
        self._tls: ssl.SSLContext | None = None
        if protocol == "tls":
            self._tls = ssl.create_default_context(cafile=ca_file or None)
            if client_cert:
                self._tls.load_cert_chain(client_cert, client_key or None)
        self._procid = _header_field(os.getpid(), 128)
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    # -- encoding ---------------------------------------------------------------------

    def message(self, event: EventDict) -> bytes:
        """One RFC 5424 message (without framing) for ``event``."""
        severity = SEVERITY.get(str(event.get("outcome")), 5)
        service = event.get("service") or {}
        actor = event.get("actor") or {}
        header = " ".join((
            f"<{self.facility * 8 + severity}>1",
            _header_field(event.get("time"), 64),
            _header_field(service.get("host") or socket.gethostname(), 255),
            self.app_name, self._procid, _header_field(event.get("event"), 32)))
        params = [("id", event.get("id")), ("event", event.get("event")),
                  ("outcome", event.get("outcome")), ("category", event.get("category")),
                  ("actor", actor.get("id") or actor.get("name"))]
        sd = "[" + SD_ID + "".join(f' {k}="{_param(v)}"' for k, v in params
                                   if v is not None) + "]"
        return codec.utf8(f"{header} {sd} ") + BOM + codec.dumps(self._shape(event))

    # -- transport --------------------------------------------------------------------

    def _connect(self) -> socket.socket:
        if self.protocol == "udp":
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_DGRAM)
            sock.connect((self.host, self.port))  # ICMP "port unreachable" then raises
            return sock
        raw = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
        if self._tls is None:
            return raw
        try:
            return self._tls.wrap_socket(raw, server_hostname=self.server_name)
        except BaseException:
            raw.close()
            raise

    def _peer_closed(self, sock: socket.socket) -> bool:
        """Read what the server sent meanwhile (TLS session tickets, nothing else is
        expected) without blocking; ``True`` when it closed the connection."""
        sock.setblocking(False)
        try:
            while True:
                readable = select.select([sock], [], [], 0)[0] or (
                    isinstance(sock, ssl.SSLSocket) and sock.pending())
                if not readable:
                    return False
                try:
                    if not sock.recv(65536):
                        return True
                except (ssl.SSLWantReadError, BlockingIOError):
                    return False
                except OSError:
                    return True
        finally:
            sock.settimeout(self.timeout_s)

    def write(self, events: Sequence[EventDict]) -> None:
        if not events:
            return
        messages = [self.message(e) for e in events]
        with self._lock:
            if self.protocol == "udp":
                self._send_datagrams(messages)
                return
            data = b"".join(b"%d %s" % (len(m), m) for m in messages)
            for attempt in (1, 2):
                try:
                    if self._sock is not None and self._peer_closed(self._sock):
                        self._drop()
                    if self._sock is None:
                        self._sock = self._connect()
                    self._sock.sendall(data)
                    return
                except (OSError, ssl.SSLError) as exc:
                    self._drop()
                    stale = isinstance(exc, BrokenPipeError | ConnectionResetError)
                    if attempt == 1 and stale:
                        continue
                    raise RetryableError(f"syslog {self.protocol}: {type(exc).__name__}: "
                                         f"{exc}") from exc

    def _send_datagrams(self, messages: list[bytes]) -> None:
        too_big = [m for m in messages if len(m) > UDP_MAX]
        if too_big:
            raise PermanentError(f"syslog udp: a message of {len(too_big[0])} bytes is larger "
                                 f"than a datagram ({UDP_MAX}); use protocol = tcp or tls")
        try:
            if self._sock is None:
                self._sock = self._connect()
            for message in messages:
                self._sock.send(message)
        except OSError as exc:
            self._drop()
            raise RetryableError(f"syslog udp: {type(exc).__name__}: {exc}") from exc

    def _drop(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            _close_gracefully(sock, self.timeout_s)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        with self._lock:
            self._drop()

    def after_fork(self) -> None:
        self._lock = threading.Lock()
        self._sock = None


def _close_gracefully(sock: socket.socket, timeout_s: float) -> None:
    """Stop writing, read until the server closes (or ``timeout_s``), then close — never
    close with unread bytes, which turns the close into a reset (see the module doc)."""
    if sock.type != socket.SOCK_STREAM:
        sock.close()
        return
    deadline = time.monotonic() + timeout_s
    try:
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock.settimeout(max(0.1, timeout_s))
                sock = sock.unwrap()  # close_notify; reads tickets until the peer's one
            except (OSError, ValueError):
                pass  # the server closed without close_notify: drain the plain socket
        sock.shutdown(socket.SHUT_WR)
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            if not sock.recv(65536):
                break
    except OSError:
        pass
    finally:
        sock.close()


def from_config(config: SyslogSinkConfig, **context: Any) -> SyslogSink:
    try:
        return SyslogSink(config.address, protocol=config.protocol, format=config.format,
                          ca_file=config.ca_file, client_cert=config.client_cert,
                          client_key=config.client_key, server_name=config.server_name,
                          facility=config.facility, app_name=config.app_name,
                          timeout_s=config.timeout_s, max_retries=config.max_retries,
                          batch_size=config.batch_size,
                          service=str(context.get("service") or ""))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"sinks (syslog {config.address}): {exc}") from None
