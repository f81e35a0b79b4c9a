"""The NATS JetStream server on 127.0.0.1:4222 for the nats sink tests: started when it
is down, stopped and started again for the outage test — with the command the machine
notes give (/work/.library/env/machines/python-svc.md) — and always left running."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import nats

HOST, PORT = "127.0.0.1", 4222
URL = f"nats://{HOST}:{PORT}"
NATS_SERVER = "/usr/sbin/nats-server"
START = ["start-stop-daemon", "--start", "--oknodo", "--background", "--exec", NATS_SERVER,
         "--", "-a", HOST, "-p", str(PORT), "-js", "-sd", "/var/lib/nats-server",
         "-l", "/var/log/nats-server.log"]


def listening() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, PORT)) == 0


def server_pids() -> list[int]:
    """The nats-server processes serving port 4222 (by their command line, so no other
    process is ever signalled)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"nats-server") and str(PORT).encode() in argv:
            found.append(int(entry.name))
    return found


def jetstream_ready(timeout_s: float = 15.0) -> bool:
    async def probe() -> bool:
        nc = await nats.connect(URL, connect_timeout=1, allow_reconnect=False)
        try:
            await nc.jetstream().account_info()
            return True
        finally:
            await nc.close()

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if asyncio.run(probe()):
                return True
        except Exception:
            time.sleep(0.2)
    return False


def start() -> None:
    if not listening():
        subprocess.run(START, check=True, timeout=30)
    if not jetstream_ready():
        raise RuntimeError(f"NATS JetStream did not come up on {URL} ({' '.join(START)})")


def stop() -> None:
    for pid in server_pids():
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while (listening() or server_pids()) and time.monotonic() < deadline:
        time.sleep(0.1)
    if listening():
        raise RuntimeError("nats-server did not stop")


async def read_stream(stream: str, subject: str, expected: int,
                      timeout_s: float = 20.0) -> list[Any]:
    """Every message ``stream`` stored, in order, read as a consumer would: a durable pull
    consumer from the first message, each message acknowledged once."""
    nc = await nats.connect(URL)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(subject, durable=f"reader_{uuid.uuid4().hex[:8]}",
                                      stream=stream)
        got: list[Any] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                batch = await sub.fetch(200, timeout=2)
            except (nats.errors.TimeoutError, TimeoutError):
                if len(got) >= expected:
                    break
                continue
            for msg in batch:
                await msg.ack()
            got.extend(batch)
        return got
    finally:
        await nc.close()


async def delete_stream(stream: str) -> None:
    nc = await nats.connect(URL)
    try:
        await nc.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await nc.close()
