"""A real HTTP collector on 127.0.0.1 for the delivery and http-sink tests.

It decodes JSON arrays and NDJSON (gzip too), checks the HMAC signature when it knows
the key, and can be told to answer with scripted statuses, to refuse batches larger
than a size (413), to accept connections and never answer, or to stop listening.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections import deque
from typing import Any

from support.net import free_port


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: Receiver


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_POST(self) -> None:
        owner = self.server.owner
        if owner.mode == "hang":
            owner.hung_connections += 1
            owner.release.wait(60)  # never answer; the client must time out on its own
            self.close_connection = True
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if owner.delay:
            time.sleep(owner.delay)
        owner.handle(self, raw)


class Receiver:
    def __init__(self, signing_key: str | None = None, port: int = 0) -> None:
        self.signing_key = signing_key
        self.port = port or free_port()
        self.events: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.script: deque[tuple[int, dict[str, str]]] = deque()
        self.max_batch: int | None = None
        self.reject_field: str | None = None
        self.mode = "ok"
        self.delay = 0.0  # seconds to think before answering (a slow collector)
        self.hung_connections = 0
        self.release = threading.Event()
        self.lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ingest"

    def start(self) -> Receiver:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def ids(self) -> set[str]:
        with self.lock:
            return {e["id"] for e in self.events}

    def handle(self, handler: _Handler, raw: bytes) -> None:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
        if "ndjson" in headers.get("content-type", ""):
            events = [json.loads(line) for line in body.splitlines() if line]
        else:
            events = json.loads(body)
        signature_ok = None
        if self.signing_key is not None:
            expected = "sha256=" + hmac.new(self.signing_key.encode(), raw,
                                            hashlib.sha256).hexdigest()
            signature_ok = hmac.compare_digest(expected, headers.get("x-auditmw-signature", ""))
        with self.lock:
            status, extra = self.script.popleft() if self.script else (200, {})
            if self.max_batch is not None and len(events) > self.max_batch:
                status, extra = 413, {}
            if self.reject_field and any(self.reject_field in e.get("details", {})
                                         for e in events):
                status, extra = 400, {}
            self.requests.append({"headers": headers, "count": len(events), "status": status,
                                  "signature_ok": signature_ok, "raw": raw})
            if status == 200:
                self.events.extend(events)
        answer = b'{"ok": true}' if status == 200 else b'{"error": "scripted"}'
        handler.send_response(status)
        for key, value in extra.items():
            handler.send_header(key, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)
