"""The active OpenTelemetry span's ids, when the OpenTelemetry API is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_get_span: Callable[[], Any] | None = None
_invalid_span: Any = None  # OpenTelemetry's "no span" singleton, once looked up
_looked = False


def _span_getter() -> Callable[[], Any] | None:
    global _get_span, _invalid_span, _looked  # noqa: PLW0603 (a one-time lookup of an optional import)
    if not _looked:
        try:
            from opentelemetry import trace
        except ImportError:  # the otel extra is optional
            _get_span = None
        else:
            _get_span = trace.get_current_span
            _invalid_span = trace.INVALID_SPAN
        _looked = True
    return _get_span


def current_trace() -> dict[str, str]:
    """``{"trace_id", "span_id"}`` of the current span, or ``{}`` outside one."""
    get_span = _span_getter()
    if get_span is None:
        return {}
    span = get_span()
    if span is _invalid_span:  # outside any span (the usual case): no context to read
        return {}
    ctx = span.get_span_context()
    if not ctx.is_valid:
        return {}
    return {"trace_id": format(ctx.trace_id, "032x"), "span_id": format(ctx.span_id, "016x")}
