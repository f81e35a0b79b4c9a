"""What the ``site_access`` idle gap costs a GraphQL request that selects nothing
catalogued (``{ me }``): with ``idle_s`` set, such requests leave the fast path so their
actor is seen. In process (the ASGI app called directly), interleaved blocks, medians:
the bare app, auditmw without ``idle_s`` (the fast path), auditmw with ``idle_s`` for a
signed-in request (``scope["user"]`` set by the app) and for an anonymous one.

``AUDITMW_BENCH_ACTOR_N`` sets requests per block, ``AUDITMW_BENCH_ACTOR_BLOCKS`` blocks.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from auditmw.asgi import AuditMiddleware
from auditmw.trail import AuditTrail

N = int(os.environ.get("AUDITMW_BENCH_ACTOR_N", "2000"))
BLOCKS = int(os.environ.get("AUDITMW_BENCH_ACTOR_BLOCKS", "7"))
COMMAND = ".venv/bin/python -m benchmarks actor"
BODY = b'{"query": "{ me }"}'
ANSWER = b'{"data":{"me":"u-1"}}'


def app_for(user: Any) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        if user is not None:
            scope["user"] = user  # the app's own authentication
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": ANSWER})

    return app


async def one(app: Any) -> None:
    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"content-type", b"application/json")],
             "client": ("127.0.0.1", 5000)}
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        sent = True
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(_message: Any) -> None:
        return None

    await app(scope, receive, send)


async def block(app: Any) -> float:
    started = time.perf_counter()
    for _ in range(N):
        await one(app)
    return (time.perf_counter() - started) / N * 1e6


def main() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        sinks = [{"type": "file", "path": str(Path(tmp) / "a.jsonl"), "fsync": "never"}]
        plain = AuditTrail(store=False, sinks=sinks)
        idle = AuditTrail(store=False, sinks=sinks,
                          capture={"site_access": {"idle_s": 3600}})
        user = {"id": "u-1", "name": "Kim"}
        variants = {
            "bare app": app_for(user),
            "auditmw, no idle_s (fast path)": AuditMiddleware(app_for(user), trail=plain),
            "auditmw, idle_s, signed-in": AuditMiddleware(app_for(user), trail=idle),
            "auditmw, idle_s, anonymous": AuditMiddleware(app_for(None), trail=idle),
        }
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(BLOCKS):
            for name, app in variants.items():
                times[name].append(asyncio.run(block(app)))
        plain.close()
        idle.close()
    bare = statistics.median(times["bare app"])
    rows = "\n".join(f"| {name} | {statistics.median(t):.1f} | "
                     f"{statistics.median(t) - bare:+.1f} |" for name, t in times.items())
    return (f"## Idle-gap site access on the GraphQL fast path\n\n"
            f"`{{ me }}` over ASGI, {N} requests × {BLOCKS} blocks, median µs/request.\n\n"
            f"| variant | µs/request | over bare |\n| --- | ---: | ---: |\n{rows}\n\n"
            f"`{COMMAND}`\n")


if __name__ == "__main__":
    print(main())
