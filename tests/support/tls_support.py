"""Real TLS peers for the sink tests: a test CA made per test (trustme), an HTTPS
collector that requires a client certificate, and a CONNECT proxy — all on 127.0.0.1."""

from __future__ import annotations

import http.server
import select
import socket
import ssl
import threading
from pathlib import Path
from typing import Any

import trustme


class TestPKI:
    """A fresh CA with a server certificate for 127.0.0.1/localhost and a client one."""

    __test__ = False

    def __init__(self, folder: Path) -> None:
        self.ca = trustme.CA()
        self.server = self.ca.issue_cert("127.0.0.1", "localhost")
        self.client = self.ca.issue_cert("auditmw-client@example.org")
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.client_cert = folder / "client.pem"
        self.client_key = folder / "client.key"
        self.client.cert_chain_pems[0].write_to_path(str(self.client_cert))
        self.client.private_key_pem.write_to_path(str(self.client_key))
        self.other_ca_file = folder / "other-ca.pem"
        trustme.CA().cert_pem.write_to_path(str(self.other_ca_file))

    def server_context(self, *, require_client: bool = True) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server.configure_cert(context)
        if require_client:
            self.ca.configure_trust(context)
            context.verify_mode = ssl.CERT_REQUIRED
        return context


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _TLSServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        peer = self.connection.getpeercert() if isinstance(self.connection,
                                                          ssl.SSLSocket) else None
        owner = self.server.owner
        with owner.lock:
            owner.requests.append({"path": self.path, "body": body, "peer": peer,
                                   "headers": {k.lower(): v for k, v in self.headers.items()}})
            status, answer = owner.answer
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class _TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: HttpsCollector


class HttpsCollector:
    """An HTTPS server on 127.0.0.1 that refuses clients without a certificate of the CA."""

    def __init__(self, pki: TestPKI, *, require_client: bool = True) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: tuple[int, bytes] = (200, b'{"ok": true}')
        self.lock = threading.Lock()
        self.handshake_failures = 0
        self._server = _TLSServer(("127.0.0.1", 0), _Handler, bind_and_activate=True)
        self._server.owner = self
        context = pki.server_context(require_client=require_client)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True,
                                                  do_handshake_on_connect=True)
        original = self._server.get_request

        def get_request() -> Any:
            try:
                return original()
            except (ssl.SSLError, OSError):
                self.handshake_failures += 1
                raise
        self._server.get_request = get_request  # type: ignore[method-assign]
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}/ingest"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class ConnectProxy:
    """A forward proxy that only tunnels (CONNECT), counting what it carried; optional
    Basic credentials."""

    def __init__(self, credentials: str | None = None) -> None:
        self.tunnels: list[str] = []
        self.auth_seen: list[str | None] = []
        self.credentials = credentials
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
            method, target, _ = lines[0].split(" ")
            auth = next((line.split(":", 1)[1].strip() for line in lines[1:]
                         if line.lower().startswith("proxy-authorization:")), None)
            self.auth_seen.append(auth)
            if method != "CONNECT":
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            if self.credentials is not None and auth != self.credentials:
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                               b"Content-Length: 0\r\n\r\n")
                return
            host, port = target.rsplit(":", 1)
            self.tunnels.append(target)
            with socket.create_connection((host, int(port))) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pair = {client: upstream, upstream: client}
                while True:
                    ready, _, _ = select.select(list(pair), [], [], 10)
                    if not ready:
                        return
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        pair[sock].sendall(data)

    def close(self) -> None:
        self._stop = True
        self._sock.close()
