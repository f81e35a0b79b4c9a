"""Envelopes the http sink can wrap events in, for collectors with their own ingest API.

- ``splunk_hec``: Splunk's HTTP Event Collector (``/services/collector/event``): one JSON
  object per event, concatenated, each ``{"time", "host", "source", "sourcetype",
  "index"?, "event"}`` with the document in ``event`` (auditmw by default).
- ``es_bulk``: Elasticsearch/OpenSearch ``_bulk`` NDJSON: per event a
  ``{"create": {"_index"?, "_id": <event id>}}`` line and the document (ECS by default).
  ``create`` with the event id makes a replayed batch harmless: the copies already there
  answer 409 and count as delivered. The answer is read per item (``_bulk`` answers 200
  even when items failed): any 429/5xx item makes the batch retryable, any other refused
  item (a mapping conflict, a closed index) sends it to the dead-letter file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from auditmw import codec
from auditmw.formats import EventDict, Formatter, epoch_ms
from auditmw.types import PermanentError, RetryableError

ENVELOPES = ("splunk_hec", "es_bulk")
DEFAULT_DOCUMENT = {"splunk_hec": "auditmw", "es_bulk": "ecs"}


def splunk_hec(events: Sequence[EventDict], shape: Formatter, *, sourcetype: str,
               index: str = "") -> bytes:
    out = []
    for event in events:
        wrapped: dict[str, Any] = {
            "time": epoch_ms(event.get("time")) / 1000,
            "source": "auditmw", "sourcetype": sourcetype, "event": shape(event)}
        host = (event.get("service") or {}).get("host")
        if host:
            wrapped["host"] = str(host)
        if index:
            wrapped["index"] = index
        out.append(codec.dumps(wrapped))
    return b"\n".join(out)


def es_bulk(events: Sequence[EventDict], shape: Formatter, *, index: str = "") -> bytes:
    out = []
    for event in events:
        action: dict[str, Any] = {"_id": str(event.get("id", ""))}
        if index:
            action["_index"] = index
        out.append(codec.dumps({"create": action}))
        out.append(codec.dumps(shape(event)))
    return b"\n".join(out) + b"\n"


def check_es_bulk_answer(answer: bytes) -> None:
    """Raise when a 2xx ``_bulk`` answer says some items were not stored."""
    try:
        parsed = orjson.loads(answer)
    except orjson.JSONDecodeError:
        raise RetryableError("_bulk answer is not JSON: "
                             f"{answer[:200].decode('utf-8', 'replace')}") from None
    if not isinstance(parsed, dict) or not parsed.get("errors"):
        return
    retry: list[str] = []
    refuse: list[str] = []
    for item in parsed.get("items") or []:
        result: dict[str, Any] = next(iter(item.values()), {}) if isinstance(item, dict) else {}
        status = int(result.get("status", 0) or 0)
        if status < 300 or status == 409:  # stored, or stored by an earlier try
            continue
        reason = (result.get("error") or {}).get("reason", "") if isinstance(
            result.get("error"), dict) else str(result.get("error", ""))
        line = f"{result.get('_id', '?')}: {status} {reason}"[:200]
        (retry if status == 429 or status >= 500 else refuse).append(line)
    if retry:
        raise RetryableError(f"_bulk: {len(retry)} item(s) to retry, e.g. {retry[0]}")
    if refuse:
        raise PermanentError(f"_bulk: {len(refuse)} item(s) refused, e.g. {refuse[0]}")
