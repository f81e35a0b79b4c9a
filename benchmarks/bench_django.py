"""Per-request cost of ``auditmw_django.AuditMiddleware`` in a Django project, in process:
Django's own WSGI handler called directly (no network, no test client), the same
minimal project with and without the middleware, measured in one run in interleaved
blocks; the medians of the blocks and the cost added over the bare project.

Cases: (a) a GET nothing maps, (b) a GraphQL query matching nothing, (c) a catalogued
GraphQL mutation, (d) a REST route mapped by URL name — (c) and (d) recorded with async
delivery to the JSON-lines file sink. The views answer fixed bytes (no database), so
what is measured is Django's request cycle plus the middleware.

``AUDITMW_BENCH_DJANGO_N`` sets requests per block, ``AUDITMW_BENCH_DJANGO_BLOCKS`` the
blocks per variant.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

N = int(os.environ.get("AUDITMW_BENCH_DJANGO_N", "1000"))
BLOCKS = int(os.environ.get("AUDITMW_BENCH_DJANGO_BLOCKS", "7"))
COMMAND = ".venv/bin/python -m benchmarks django"

QUERY = (b'{"query": "query Dashboard { site(id: 1) { id name assets { id name } } }",'
         b' "operationName": "Dashboard"}')
MUTATION = (b'{"query": "mutation Make($n: String!) { createAssetGroup(name: $n) '
            b'{ id name } }", "variables": {"n": "Production"}, "operationName": "Make"}')
ANSWER = b'{"data":{"createAssetGroup":{"id":"g-77","name":"Production"}}}'
CASES = {
    "a": ("(a) unmapped GET", "GET", "/health", b""),
    "b": ("(b) GraphQL query matching nothing", "POST", "/graphql", QUERY),
    "c": ("(c) catalogued mutation → file sink", "POST", "/graphql", MUTATION),
    "d": ("(d) REST route by URL name → file sink", "POST", "/api/groups/", b"{}"),
}
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]


def _urlconf() -> types.ModuleType:
    from django.http import HttpResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    def health(request: Any) -> Any:
        return HttpResponse(b"ok", content_type="text/plain")

    @csrf_exempt
    def graphql(request: Any) -> Any:
        request.body  # noqa: B018 - the view reads its body, as a GraphQL view does
        return HttpResponse(ANSWER, content_type="application/json")

    @csrf_exempt
    def groups(request: Any) -> Any:
        return HttpResponse(b'{"id": 1}', status=201, content_type="application/json")

    module = types.ModuleType("auditmw_bench_django_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("health", health), path("graphql", graphql),
        path("api/groups/", groups, name="group-list")]
    sys.modules[module.__name__] = module
    return module


def _configure() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(DEBUG=False, SECRET_KEY="bench", ALLOWED_HOSTS=["*"],
                           ROOT_URLCONF=_urlconf().__name__, MIDDLEWARE=MIDDLEWARE,
                           INSTALLED_APPS=[], DATABASES={}, USE_TZ=True)
        django.setup()


def _handler(audited: bool) -> Any:
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler

    settings.MIDDLEWARE = [*MIDDLEWARE, "auditmw_django.AuditMiddleware"] if audited \
        else list(MIDDLEWARE)
    return WSGIHandler()


def _environ(method: str, path: str, body: bytes) -> dict[str, Any]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "",
            "QUERY_STRING": "", "SERVER_NAME": "bench", "SERVER_PORT": "80",
            "REMOTE_ADDR": "203.0.113.7", "HTTP_HOST": "bench",
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0)}


def _block(app: Any, method: str, path: str, body: bytes) -> float:
    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return lambda data: None

    started = time.perf_counter()
    for _ in range(N):
        result = app(_environ(method, path, body), start_response)
        for _chunk in result:
            pass
        result.close()
    return (time.perf_counter() - started) / N * 1e6


def main() -> str:
    _configure()
    from auditmw_django.conf import set_trail
    from auditmw_django.setup import deactivate

    from auditmw.graphql import uninstrument
    from auditmw.trail import AuditTrail

    with tempfile.TemporaryDirectory() as tmp:
        trail = AuditTrail({"service": "bench", "capture": {"routes": [
            {"method": "POST", "url_name": "group-list", "event": "createAssetGroup"}]}},
            sinks=[{"type": "file", "path": str(Path(tmp) / "audit.jsonl")}], store=False)
        set_trail(trail)
        try:
            bare, audited = _handler(False), _handler(True)
            rows = []
            for label, method, path, body in CASES.values():
                times: dict[str, list[float]] = {"bare": [], "auditmw": []}
                _block(bare, method, path, body)  # warm up both
                _block(audited, method, path, body)
                for _ in range(BLOCKS):
                    times["bare"].append(_block(bare, method, path, body))
                    times["auditmw"].append(_block(audited, method, path, body))
                b, a = statistics.median(times["bare"]), statistics.median(times["auditmw"])
                rows.append(f"| {label} | {b:.1f} | {a:.1f} | {a - b:+.1f} | {a / b:.2f}× |")
            trail.flush()
        finally:
            set_trail(None)
            deactivate()
            uninstrument()
            trail.close()
    return "\n".join([
        "## Django: AuditMiddleware per request (µs, median of blocks)", "",
        f"{N} requests × {BLOCKS} blocks per variant, interleaved; Django's WSGI handler "
        "called in process; one CommonMiddleware besides.", "",
        "| case | bare Django | with auditmw | added | ratio |",
        "|---|---:|---:|---:|---:|", *rows, "", f"`{COMMAND}`", ""])


if __name__ == "__main__":
    print(main())
