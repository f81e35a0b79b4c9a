"""A URLconf with streaming views (sync and async iterators) mapped by URL name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path


def sync_stream(request: HttpRequest) -> StreamingHttpResponse:
    def chunks() -> Iterator[bytes]:
        yield b"one,"
        yield b"two"

    return StreamingHttpResponse(chunks(), status=202)


def async_stream(request: HttpRequest) -> StreamingHttpResponse:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"a,"
        yield b"b"

    return StreamingHttpResponse(chunks(), status=202)


urlpatterns = [
    path("export/sync", sync_stream, name="export-sync"),
    path("export/async", async_stream, name="export-async"),
]
