"""A small audited app in its own process (a stdlib HTTP server with a trail).

The whole-process tests (kill -9, SIGTERM, faults) start it with a config, post to it
over 127.0.0.1 like a client would and read its delivery stats.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

APP = r'''
import http.server, json, os, sys, threading
from auditmw.event import Actor, AuditEvent
from auditmw.trail import AuditTrail

trail = AuditTrail(json.loads(os.environ["APP_CONFIG"]))

def make(n):
    return AuditEvent.create("createAssetGroup", "inventory_configuration", "create",
                             actor=Actor(id="u1", name="Ann"), details={"n": n})

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def reply(self, status, data):
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        event = make(int(self.path.rsplit("/", 1)[-1]))
        kept = trail.emit(event)
        self.reply(200 if kept else 503, {"id": event.id, "kept": kept})
    def do_GET(self):
        self.reply(200, trail.stats())

def load(fd):
    n = 0
    while True:
        event = make(n)
        n += 1
        if trail.emit(event):
            os.write(fd, (event.id + "\n").encode())

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if os.environ.get("APP_LOAD"):
    fd = os.open(os.environ["APP_LOAD"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    for _ in range(3):
        threading.Thread(target=load, args=(fd,), daemon=True).start()
print(server.server_address[1], flush=True)
server.serve_forever()
'''


class App:
    def __init__(self, tmp: Path, config: dict[str, Any], load_file: Path | None = None):
        script = tmp / "app.py"
        script.write_text(APP)
        env = {**os.environ, "APP_CONFIG": json.dumps(config)}
        if load_file is not None:
            env["APP_LOAD"] = str(load_file)
        self.proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                                     env=env, cwd=tmp, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def post(self, n: int) -> dict[str, Any]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/record/{n}",
                                         data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=30) as response:
            answer: dict[str, Any] = json.loads(response.read())
            return answer

    def kill(self, sig: int = signal.SIGKILL) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(60)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        return code
