"""``@trail.audited(...)``: record each call of a function (sync or async, plain or
method), with its bound arguments, its outcome and how long it took."""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import wrapt

from auditmw.arguments import as_target
from auditmw.event import Outcome, Target
from auditmw.outcome import outcome_of_error
from auditmw.targets import target_of

if TYPE_CHECKING:
    from auditmw.catalog import Entry
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

P = ParamSpec("P")
R = TypeVar("R")
TargetRule = str | Callable[..., Any] | None


def finish_call(trail: AuditTrail, entry: Entry, arguments: dict[str, Any], started: float,
                *, result: Any, exc: BaseException | None, target: TargetRule,
                details: bool) -> None:
    """Record one finished call; never raises into the decorated function's caller."""
    try:
        if callable(target):
            found = as_target(target(result, arguments))
        elif isinstance(target, str):
            value = arguments.get(target)
            found = Target(id=None if value is None else str(value))
        else:
            found = target_of(None, result, arguments)
        outcome: Outcome = "success" if exc is None else \
            outcome_of_error(exc, trail.outcome_rules)[0]
        trail.record(
            entry.name, outcome=outcome, target=found,
            details=arguments if details else None, source="function",
            error=exc, duration_ms=round((time.perf_counter() - started) * 1000, 3),
        )
    except Exception:
        log.exception("auditmw: could not record %s", entry.name)


def bind_arguments(signature: inspect.Signature | None, args: Sequence[Any],
          kwargs: Mapping[str, Any]) -> dict[str, Any]:
    if signature is None:
        return {"args": list(args), **kwargs}
    try:
        bound = signature.bind_partial(*args, **kwargs)
    except TypeError:
        return {"args": list(args), **kwargs}
    out: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_KEYWORD:
            out.update(value)
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            out[name] = list(value)
        else:
            out[name] = value
    return out


def audited_wrapper(trail: AuditTrail, entry: Entry, target: TargetRule, details: bool,
                    func: Callable[P, R]) -> Callable[P, R]:
    try:
        signature: inspect.Signature | None = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None

    def finish(args: Sequence[Any], kwargs: Mapping[str, Any], started: float,
               result: Any, exc: BaseException | None) -> None:
        arguments = bind_arguments(signature, args, kwargs) if details or isinstance(target, str) \
            else {}
        finish_call(trail, entry, arguments, started, result=result, exc=exc,
                    target=target, details=details)

    if inspect.iscoroutinefunction(func):
        @wrapt.decorator
        async def async_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = await wrapped(*args, **kwargs)
            except BaseException as exc:
                finish(args, kwargs, started, None, exc)
                raise
            finish(args, kwargs, started, result, None)
            return result

        wrapped_async: Callable[P, R] = async_wrapper(func)
        return wrapped_async

    @wrapt.decorator
    def sync_wrapper(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            finish(args, kwargs, started, None, exc)
            raise
        finish(args, kwargs, started, result, None)
        return result

    wrapped_sync: Callable[P, R] = sync_wrapper(func)
    return wrapped_sync
