"""What a GraphQL response says about each matched field, by the rule of
:mod:`auditmw.outcome` (the one every door uses).

Per matched field (SPEC §3 and §13):

1. HTTP 401/403 → ``denied``, whatever the body.
2. The body is a GraphQL result (JSON with ``data`` or ``errors``): an error whose
   ``path[0]`` is the field's response key → :func:`auditmw.outcome.outcome_of_error`
   (``failure``, or ``denied`` by its ``extensions.code``); request-level errors with no
   ``data`` (the operation never ran) → ``failure`` likewise; else the field's data
   through the entry's ``outcome_path`` (errors-as-data), else ``success``.
3. Any other status ≥ 400 → ``failure``.
4. Otherwise ``success``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditmw.capture.request import inflate, load_json
from auditmw.event import ErrorInfo, Outcome, Target
from auditmw.outcome import (
    DEFAULT_RULES,
    OutcomeRules,
    outcome_of_error,
    outcome_of_payload,
    outcome_of_status,
)
from auditmw.targets import target_of


@dataclass(frozen=True, slots=True)
class FieldResult:
    outcome: Outcome
    error: ErrorInfo | None
    value: Any  # the field's returned data, when the response had it


status_outcome = outcome_of_status  # the name the recorder has always used


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


def operation_results(status: int | None, result: Any, keys: Sequence[str],
                      serial: bool, *, rules: OutcomeRules = DEFAULT_RULES,
                      outcome_paths: Sequence[str | None] | None = None
                      ) -> list[FieldResult]:
    """Outcome of each matched field (``keys``: their response keys, in document order;
    ``outcome_paths``: their entries' errors-as-data paths) of one operation, from the
    HTTP status and the operation's GraphQL result.

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
        return [_failed(first, rules) for _ in keys]
    paths = list(outcome_paths) if outcome_paths is not None else [None] * len(keys)
    out: list[FieldResult] = []
    discarded = None  # the error after which a serial operation stopped
    for key, outcome_path in zip(keys, paths, strict=True):
        if key in own:
            out.append(_failed(own[key], rules))
            if serial and not isinstance(data, dict):
                discarded = own[key]
        elif discarded is not None:
            skipped = ErrorInfo("NotExecuted", "an earlier field failed; this one did not run")
            out.append(FieldResult("failure", skipped, None))
        else:
            value = data.get(key) if isinstance(data, dict) else None
            payload = outcome_of_payload(outcome_path, value, rules)
            outcome, error = payload or ("success", None)
            out.append(FieldResult(outcome, error, value))
    return out


def _failed(error: dict[str, Any], rules: OutcomeRules) -> FieldResult:
    outcome, info = outcome_of_error(error, rules)
    return FieldResult(outcome, info, None)


def find_target(path: str | None, value: Any, arguments: Mapping[str, Any]) -> Target:
    """The object acted on, by :func:`auditmw.targets.target_of` (the one target rule)."""
    return target_of(path, value, arguments)
