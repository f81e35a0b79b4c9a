"""What a response says about each field: outcome, error, and the object acted on.

Rules (SPEC §3 and §13), per matched field:

1. HTTP 401/403 → ``denied``, whatever the body.
2. The body is a GraphQL result (JSON with ``data`` or ``errors``): an error whose
   ``path[0]`` is the field's response key → ``failure`` (``denied`` when its
   ``extensions.code`` says forbidden/unauthenticated); request-level errors with no
   ``data`` (the operation never ran) → ``failure`` likewise; else ``success``.
3. Any other status ≥ 400 → ``failure``.
4. Otherwise ``success``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditmw.capture.request import inflate, load_json
from auditmw.event import ErrorInfo, Outcome, Target
from auditmw.trail import target_from_value

DENIED_CODES = frozenset({
    "FORBIDDEN", "UNAUTHENTICATED", "UNAUTHORIZED", "PERMISSION_DENIED", "ACCESS_DENIED",
    "NOT_AUTHORIZED", "NOT_AUTHENTICATED",
})
MAX_MESSAGE = 500


@dataclass(frozen=True, slots=True)
class FieldResult:
    outcome: Outcome
    error: ErrorInfo | None
    value: Any  # the field's returned data, when the response had it


def status_outcome(status: int | None) -> tuple[Outcome, ErrorInfo | None]:
    if status in (401, 403):
        return "denied", ErrorInfo("HTTPError", f"HTTP {status}")
    if status is not None and status >= 400:
        return "failure", ErrorInfo("HTTPError", f"HTTP {status}")
    return "success", None


def read_results(body: bytes | None, content_encoding: str | None, limit: int,
                 batched: bool) -> list[Any] | None:
    """The GraphQL results in a response body (one per operation), or ``None``."""
    if not body:
        return None
    try:
        data = inflate(body, content_encoding, limit)
        if data is None:
            return None
        value = load_json(data)
    except Exception:
        return None
    results = value if batched and isinstance(value, list) else [value]
    if not any(_is_result(r) for r in results):
        return None
    return results


def _is_result(value: Any) -> bool:
    return isinstance(value, dict) and ("data" in value or "errors" in value)


def _error_info(error: Any, denied: bool) -> ErrorInfo:
    message = error.get("message") if isinstance(error, dict) else None
    ext = error.get("extensions") if isinstance(error, dict) else None
    code = ext.get("code") if isinstance(ext, dict) else None
    kind = str(code) if code else ("PermissionDenied" if denied else "GraphQLError")
    return ErrorInfo(kind, str(message or "")[:MAX_MESSAGE])


def _is_denied(error: Any) -> bool:
    ext = error.get("extensions") if isinstance(error, dict) else None
    code = ext.get("code") if isinstance(ext, dict) else None
    return isinstance(code, str) and code.upper().replace("-", "_") in DENIED_CODES


def operation_results(status: int | None, result: Any, keys: Sequence[str],
                      serial: bool) -> list[FieldResult]:
    """Outcome of each matched field (``keys``: their response keys, in document order)
    of one operation, from the HTTP status and the operation's GraphQL result.

    ``serial`` (mutations) matters when a non-null error nulled the whole ``data``: the
    fields before the first failing one ran, the ones after never did.
    """
    if status in (401, 403) or not _is_result(result):
        outcome, http_error = status_outcome(status)
        return [FieldResult(outcome, http_error, None) for _ in keys]
    data = result.get("data")
    errors = [e for e in result.get("errors") or () if isinstance(e, dict)] \
        if isinstance(result.get("errors"), list) else []
    own: dict[str, Any] = {}
    for item in errors:
        path = item.get("path")
        if isinstance(path, list) and path and isinstance(path[0], str):
            own.setdefault(path[0], item)
    if not isinstance(data, dict) and errors and not own:
        # Parse/validation/authorisation errors before execution: nothing ran.
        first = errors[0]
        return [_failed(first) for _ in keys]
    out: list[FieldResult] = []
    discarded = None  # the error after which a serial operation stopped
    for key in keys:
        if key in own:
            out.append(_failed(own[key]))
            if serial and not isinstance(data, dict):
                discarded = own[key]
        elif discarded is not None:
            skipped = ErrorInfo("NotExecuted", "an earlier field failed; this one did not run")
            out.append(FieldResult("failure", skipped, None))
        else:
            value = data.get(key) if isinstance(data, dict) else None
            out.append(FieldResult("success", None, value))
    return out


def _failed(error: dict[str, Any]) -> FieldResult:
    denied = _is_denied(error)
    return FieldResult("denied" if denied else "failure", _error_info(error, denied), None)


def _at_path(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _as_target(value: Any) -> Target:
    if value is None or isinstance(value, bool):
        return Target()
    if isinstance(value, str | int | float):
        return Target(id=str(value))
    return target_from_value(value) if isinstance(value, Mapping) else Target()


def find_target(path: str | None, value: Any, arguments: Mapping[str, Any]) -> Target:
    """The object acted on: the entry's ``target`` path into the returned data or the
    arguments; else the returned object's ``id``/``key``/``name``; else the arguments'
    (at the top, or inside the first object argument such as ``input``)."""
    if path:
        for source in (value, arguments):
            found = _as_target(_at_path(source, path))
            if found != Target():
                return found
    if isinstance(value, Mapping):
        found = target_from_value(value)
        if found != Target():
            return found
    found = target_from_value(arguments)
    if found != Target():
        return found
    for argument in arguments.values():
        if isinstance(argument, Mapping):
            found = target_from_value(argument)
            if found != Target():
                return found
    return Target()
