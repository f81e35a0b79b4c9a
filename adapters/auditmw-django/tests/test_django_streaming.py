"""A streamed response is recorded once, after its last chunk, with the chunks passed on
unchanged (sync iterators under the sync client, async ones under the async client)."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from auditmw.testing import capture_audit_events

ROUTES = [{"method": "GET", "url_name": "export-sync", "event": "exportView"},
          {"method": "GET", "url_name": "export-async", "event": "exportView"}]


@override_settings(ROOT_URLCONF="streaming_urls")
def test_sync_stream_recorded_after_the_last_chunk(make_audit: Any) -> None:
    from django.test import Client

    trail = make_audit(capture={"routes": ROUTES})
    with capture_audit_events(trail) as events:
        answer = Client().get("/export/sync")
        assert events == []  # nothing yet: the body has not been produced
        assert b"".join(answer.streaming_content) == b"one,two"
    assert [(e["event"], e["outcome"], e["request"]["status"]) for e in events] == [
        ("exportView", "success", 202)]


@override_settings(ROOT_URLCONF="streaming_urls")
async def test_async_stream_recorded_after_the_last_chunk(make_audit: Any) -> None:
    from django.test import AsyncClient

    trail = make_audit(capture={"routes": ROUTES})
    with capture_audit_events(trail) as events:
        answer = await AsyncClient().get("/export/async")
        assert events == []
        body = b"".join([chunk async for chunk in answer.streaming_content])
    assert body == b"a,b"
    assert [(e["event"], e["outcome"]) for e in events] == [("exportView", "success")]
