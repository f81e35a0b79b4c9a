"""The active OpenTelemetry span's ids land in the event, and nothing outside a span."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from auditmw.tracing import current_trace


def test_inside_a_span_its_ids_are_read() -> None:
    tracer = TracerProvider().get_tracer("auditmw-test")
    with tracer.start_as_current_span("request") as span:
        got = current_trace()
    ctx = span.get_span_context()
    assert got == {"trace_id": f"{ctx.trace_id:032x}", "span_id": f"{ctx.span_id:016x}"}


def test_outside_any_span_nothing_is_read() -> None:
    assert current_trace() == {}
    tracer = TracerProvider().get_tracer("auditmw-test")
    with tracer.start_as_current_span("request"):
        pass
    assert current_trace() == {}  # the span ended: back to none
