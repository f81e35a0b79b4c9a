"""GraphQL over HTTP: what operations a request carries, read the way servers read them.

Everything a GraphQL server might accept is read, whatever the ``Content-Type`` claims
(a client that labels JSON ``text/plain`` must not slip past): JSON objects and batched
arrays (``orjson``, falling back to the standard library for what it also accepts, such
as UTF-16 bodies or ``NaN``), a bare document (``application/graphql``), form fields,
the ``operations`` part of a multipart upload, and ``?query=`` on the URL. ``gzip`` and
``deflate`` bodies are inflated up to the body limit. Nothing here raises.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson


@dataclass(frozen=True, slots=True)
class WireOperation:
    """One GraphQL request as sent: a document (or only a persisted-query hash)."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class WireRequest:
    operations: tuple[WireOperation, ...]
    batched: bool = False


NOTHING = WireRequest(())
_EMPTY = WireOperation(None, None, None)


def inflate(body: bytes, encoding: str | None, limit: int) -> bytes | None:
    """The decoded body, or ``None`` if it cannot be decoded within ``limit`` bytes."""
    if not encoding or encoding.strip().lower() in ("identity", ""):
        return body
    out = body
    # Content-Encoding lists codings in the order they were applied; undo from the right.
    for coding in reversed([c.strip().lower() for c in encoding.split(",")]):
        if coding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if coding != "deflate" else 15
            try:
                inflater = zlib.decompressobj(wbits)
                out = inflater.decompress(out, limit + 1)
                if len(out) > limit or inflater.unconsumed_tail:
                    return None
            except zlib.error:
                if coding != "deflate":
                    return None
                try:  # raw deflate, as some clients send it
                    out = zlib.decompressobj(-15).decompress(body, limit + 1)
                except zlib.error:
                    return None
        elif coding != "identity":
            return None
    return out


def load_json(data: bytes | str) -> Any:
    """Parse JSON like the app's own ``json.loads`` would; raises ``ValueError``."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _variables(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = load_json(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _from_object(obj: Any) -> WireOperation | None:
    if not isinstance(obj, dict):
        return None
    query = _text(obj.get("query"))
    if query is None and not isinstance(obj.get("extensions"), dict):
        return None
    return WireOperation(query, _text(obj.get("operationName")), _variables(obj.get("variables")))


def from_json_value(value: Any) -> WireRequest:
    if isinstance(value, list):
        # Keep positions (a non-object item stays a placeholder) so that the n-th
        # operation still pairs with the n-th result of the batched response.
        return WireRequest(tuple(_from_object(item) or _EMPTY for item in value),
                           batched=True)
    single = _from_object(value)
    return WireRequest((single,)) if single is not None else NOTHING


def from_params(params: dict[str, list[str]]) -> WireRequest:
    """A repeated parameter is read every way a server might (first or last wins):
    each reading is a candidate; the response tells which one ran."""
    queries = params.get("query")
    if not queries:
        return NOTHING
    names = params.get("operationName") or [None]  # type: ignore[list-item]
    variables = params.get("variables") or [None]  # type: ignore[list-item]
    readings = dict.fromkeys(
        (q, n, v) for q in (queries[0], queries[-1]) for n in (names[0], names[-1])
        for v in (variables[0], variables[-1]))
    return WireRequest(tuple(WireOperation(q, n, _variables(v) if v else None)
                             for q, n, v in readings))


def from_query_string(query_string: bytes | str) -> WireRequest:
    if not query_string:
        return NOTHING
    text = (query_string.decode("latin-1") if isinstance(query_string, bytes)
            else query_string)
    if "query=" not in text:
        return NOTHING
    return from_params(parse_qs(text))


_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.I)
_OPERATIONS_PART = re.compile(rb'content-disposition:[^\r\n]*name="?operations"?', re.I)


def _multipart_operations(body: bytes, content_type: str) -> list[bytes]:
    """Every ``operations`` field of a GraphQL multipart (file upload) request: servers
    differ on which of two they run, so each is a candidate."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        return []
    delimiter = b"--" + match.group(1).encode("latin-1")
    found = []
    for part in body.split(delimiter):
        head, sep, content = part.partition(b"\r\n\r\n")
        if sep and _OPERATIONS_PART.search(head):
            found.append(content.rstrip(b"\r\n"))
    return found


def read_wire(method: str, query_string: bytes | str, content_type: str | None,
              body: bytes | None) -> WireRequest:
    """Every operation the request carries (body first, then the URL)."""
    try:
        if method == "GET" or not body:
            return from_query_string(query_string)
        ctype = (content_type or "").lower()
        if ctype.startswith("multipart/form-data"):
            readings = []
            for part in _multipart_operations(body, content_type or ""):
                try:
                    readings.append(from_json_value(load_json(part)))
                except ValueError:
                    continue
            if len(readings) == 1:
                return readings[0]
            # several parts: each single operation a candidate for the one result
            return WireRequest(tuple(op for r in readings if not r.batched
                                     for op in r.operations))
        if ctype.startswith("application/x-www-form-urlencoded"):
            return from_params(parse_qs(body.decode("utf-8", "replace")))
        try:
            return from_json_value(load_json(body))
        except ValueError:
            pass
        # Not JSON: a bare document (application/graphql, or anything a server accepts).
        text = body.decode("utf-8")
        params = from_query_string(query_string)
        name = params.operations[0].operation_name if params.operations else None
        return WireRequest((WireOperation(text, name, None),))
    except Exception:
        return NOTHING
