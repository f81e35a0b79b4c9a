"""A real syslog receiver on 127.0.0.1 for the tests: UDP (one message per datagram), TCP
and TLS with octet counting (RFC 6587 / RFC 5425). It parses every message as RFC 5424
and keeps what it parsed, so a malformed message fails the test that sent it."""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import threading
import time
from typing import Any

RFC5424 = re.compile(
    rb"^<(?P<pri>\d{1,3})>1 (?P<time>\S+) (?P<host>\S{1,255}) (?P<app>\S{1,48}) "
    rb"(?P<procid>\S{1,128}) (?P<msgid>\S{1,32}) (?P<sd>-|(?:\[[^\]]*(?:\\\][^\]]*)*\])+)"
    rb"(?: (?P<msg>.*))?$", re.S)
SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(raw: bytes) -> dict[str, Any]:
    found = RFC5424.match(raw)
    if found is None:
        raise AssertionError(f"not an RFC 5424 message: {raw[:200]!r}")
    sd = found["sd"].decode()
    return {"pri": int(found["pri"]), "time": found["time"].decode(),
            "host": found["host"].decode(), "app": found["app"].decode(),
            "procid": found["procid"].decode(), "msgid": found["msgid"].decode(),
            "sd_id": sd[1:].split(" ", 1)[0].rstrip("]"),
            "params": {k: re.sub(r"\\(.)", r"\1", v) for k, v in SD_PARAM.findall(sd)},
            "msg": found["msg"] or b""}


class SyslogServer:
    def __init__(self, protocol: str, *, context: ssl.SSLContext | None = None,
                 read_delay_s: float = 0.0, port: int = 0) -> None:
        self.protocol = protocol
        self.context = context
        self.read_delay_s = read_delay_s
        self.messages: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.connections = 0
        self._open: list[socket.socket] = []
        self.lock = threading.Lock()
        kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
        self._sock = socket.socket(socket.AF_INET, kind)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        if protocol != "udp":
            self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _keep(self, raw: bytes) -> None:
        try:
            parsed = parse(raw)
        except AssertionError as exc:
            with self.lock:
                self.errors.append(str(exc))
            return
        with self.lock:
            self.messages.append(parsed)

    def _serve(self) -> None:
        if self.protocol == "udp":
            self._sock.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    data = self._sock.recv(70_000)
                except TimeoutError:
                    continue
                except OSError:
                    return
                self._keep(data)
            return
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._stream, args=(conn,), daemon=True).start()

    def _stream(self, conn: socket.socket) -> None:
        with self.lock:
            self.connections += 1
            self._open.append(conn)
        if self.context is not None:
            try:
                conn = self.context.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                with self.lock:
                    self.errors.append(f"handshake: {type(exc).__name__}: {exc}")
                conn.close()
                return
        try:
            if self.read_delay_s:
                time.sleep(self.read_delay_s)  # let the client finish (and close) first
            buffer = b""
            while True:
                try:
                    chunk = conn.recv(65536)
                except (ssl.SSLError, OSError) as exc:
                    with self.lock:
                        self.errors.append(f"{type(exc).__name__}: {exc}")
                    break
                if not chunk:
                    break
                buffer += chunk
                while b" " in buffer:
                    length, _, rest = buffer.partition(b" ")
                    if not length.isdigit():
                        with self.lock:
                            self.errors.append(f"bad octet count {length[:20]!r}")
                        return
                    if len(rest) < int(length):
                        break
                    self._keep(rest[:int(length)])
                    buffer = rest[int(length):]
            if buffer:
                with self.lock:
                    self.errors.append(f"{len(buffer)} trailing bytes")
        finally:
            try:
                if isinstance(conn, ssl.SSLSocket):
                    conn = conn.unwrap()
            except (ssl.SSLError, OSError):
                pass
            conn.close()

    def ids(self) -> list[str]:
        with self.lock:
            return [m["params"]["id"] for m in self.messages]

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        with self.lock:
            return list(self.messages)

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        with self.lock:
            for conn in self._open:  # a stopped server drops its clients too
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(2)
