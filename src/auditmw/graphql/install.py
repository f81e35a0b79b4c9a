"""Installing the execution hook into graphql-core: the two patch points (3.2, 3.3).

:func:`instrument` wraps graphql-core's root execution with :class:`~.hook.ExecutionHook`
once per process (idempotent; called again it points the hook at the new trail);
:func:`uninstrument` puts the original back. Older graphql-core (< 3.2) is refused with
a message on stderr, never patched blindly.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from auditmw.context import current_request, execution_hook
from auditmw.graphql.hook import ExecutionHook
from auditmw.graphql.middleware import ActorFromContext
from auditmw.outcome import DeniedCheck

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

MIN_VERSION = (3, 2)
_lock = threading.Lock()
_refused_versions: set[str] = set()
# The attribute naming the hook on the function put in graphql-core's class.
_MARK = "__auditmw_execution_hook__"


def graphql_core_version() -> tuple[int, int]:
    """graphql-core's (major, minor), from the installed package."""
    import graphql

    info = getattr(graphql, "version_info", None)
    if info is not None:
        return int(info.major), int(info.minor)
    major, minor, *_ = str(graphql.__version__).split(".")
    return int(major), int(minor)


class _Point(NamedTuple):
    """Where the hook goes in one graphql-core line, and the function put there."""

    module: str
    owner: str
    method: str
    make: Callable[[ExecutionHook, Callable[..., Any]], Callable[..., Any]]


def _hook_32(hook: ExecutionHook, original: Callable[..., Any]) -> Callable[..., Any]:
    """graphql-core 3.2: ``ExecutionContext.execute_operation(operation, root_value)``.

    A plain method in the class (no per-execution closures): the execution is counted
    and, only when its document reaches a catalogued root field, ``execute_field`` armed
    for it; everything else is graphql-core's own path."""

    by_node = hook.plans.by_node  # PlanCache.get's first lookup, inline (never rebound)

    def execute_operation(self: Any, operation: Any, root_value: Any) -> Any:
        try:
            state = current_request.get()
            if state is not None and state.collect and \
                    self.schema.get_root_type(operation.operation):
                state.executions += 1  # the door learns that graphql-core ran here
            # an operation node seen before (a cached document): PlanCache.get's first
            # answer without its call, for every execution (issue 21)
            known = by_node.get(id(operation))
            if known is not None and known[1] is hook.catalog and known[0]() is operation:
                plan = known[2]
            else:
                plan = hook.plans.get(operation, self.fragments, hook.catalog)
            if plan is not None:
                hook.arm(self, plan)
        except Exception:
            log.exception("auditmw: could not read an operation's root fields; "
                          "its fields are NOT audited")
        return original(self, operation, root_value)

    return execute_operation


def _hook_33(hook: ExecutionHook, original: Callable[..., Any]) -> Callable[..., Any]:
    """graphql-core 3.3: ``Executor.execute_root_grouped_field_set(root_type, root_value,
    grouped_field_set, serially, position_context)``."""

    def execute_root_grouped_field_set(self: Any, *args: Any, **kwargs: Any) -> Any:
        fields = args[2] if len(args) > 2 else kwargs.get("grouped_field_set")
        if fields is not None:
            hook.enter_root(self, fields)
        return original(self, *args, **kwargs)

    return execute_root_grouped_field_set


_POINT_32 = _Point("graphql.execution.execute", "ExecutionContext", "execute_operation",
                   _hook_32)
_POINT_33 = _Point("graphql.execution.executor", "Executor",
                   "execute_root_grouped_field_set", _hook_33)


def _patch_point() -> _Point | None:
    version = graphql_core_version()
    if version < MIN_VERSION:
        text = ".".join(map(str, version))
        if text not in _refused_versions:
            _refused_versions.add(text)
            sys.stderr.write(
                f"auditmw: graphql-core {text} is too old for the execution hook "
                "(needs >= 3.2); GraphQL fields are NOT audited at execution. "
                "Upgrade graphql-core.\n")
        return None
    return _POINT_32 if version < (3, 3) else _POINT_33


def _owner(point: _Point) -> Any:
    return getattr(importlib.import_module(point.module), point.owner)


def _installed(point: _Point) -> Any:
    """The hooked method in graphql-core's class, or ``None``."""
    current = vars(_owner(point)).get(point.method)
    return current if isinstance(getattr(current, _MARK, None), ExecutionHook) else None


def installed_hook() -> ExecutionHook | None:
    """The hook currently installed in graphql-core's execution, if any."""
    point = _patch_point()
    current = _installed(point) if point is not None else None
    return getattr(current, _MARK) if current is not None else None


def hook_active() -> bool:
    """``True`` when graphql-core execution in this process is hooked (the HTTP door then
    records what the hook saw run, never its own reading of the request)."""
    return execution_hook.installed


def instrument(trail: AuditTrail, *, actor_from_context: ActorFromContext | None = None,
               is_denied: DeniedCheck | None = None) -> bool:
    """Install the hook (idempotent). ``True`` when newly installed; called again it
    points the hook at ``trail`` and adds ``actor_from_context``/``is_denied`` (once)
    ahead of the generic rules. ``False`` too when graphql-core is too old (said on
    stderr)."""
    with _lock:
        point = _patch_point()
        if point is None:
            return False
        installed = _installed(point)
        fresh = installed is None
        if installed is None:
            owner = _owner(point)
            original = vars(owner)[point.method]
            hook = ExecutionHook(trail)
            patched = functools.wraps(original)(point.make(hook, original))
            setattr(patched, _MARK, hook)
            setattr(owner, point.method, patched)
        else:
            hook = getattr(installed, _MARK)
            if hook.trail is not trail:
                hook.use(trail)
        hook.add(actor_from_context, is_denied)
        execution_hook.installed = True
        return fresh


def uninstrument() -> bool:
    """Remove the hook; ``True`` when one was installed."""
    with _lock:
        point = _patch_point()
        installed = _installed(point) if point is not None else None
        if point is None or installed is None:
            return False
        setattr(_owner(point), point.method, installed.__wrapped__)
        execution_hook.installed = False
        return True
