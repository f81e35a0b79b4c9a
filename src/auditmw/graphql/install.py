"""Installing the execution hook into graphql-core: the two patch points (3.2, 3.3).

:func:`instrument` wraps graphql-core's root execution with :class:`~.hook.ExecutionHook`
once per process (idempotent; called again it points the hook at the new trail);
:func:`uninstrument` puts the original back. Older graphql-core (< 3.2) is refused with
a message on stderr, never patched blindly.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import wrapt

from auditmw.context import execution_hook
from auditmw.graphql.hook import ExecutionHook
from auditmw.graphql.middleware import ActorFromContext
from auditmw.outcome import DeniedCheck

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")

MIN_VERSION = (3, 2)
_lock = threading.Lock()
_refused_versions: set[str] = set()


def graphql_core_version() -> tuple[int, int]:
    """graphql-core's (major, minor), from the installed package."""
    import graphql

    info = getattr(graphql, "version_info", None)
    if info is not None:
        return int(info.major), int(info.minor)
    major, minor, *_ = str(graphql.__version__).split(".")
    return int(major), int(minor)


class _Patch32:
    """graphql-core 3.2: ``ExecutionContext.execute_operation(operation, root_value)``."""

    module = "graphql.execution.execute"
    owner = "ExecutionContext"
    method = "execute_operation"

    def __init__(self, hook: ExecutionHook) -> None:
        self.hook = hook

    def __call__(self, wrapped: Any, instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        context_vars = vars(instance)
        hook = self.hook
        owner = type(instance)

        def root(serial: bool) -> Callable[..., Any]:
            plain = owner.execute_fields_serially if serial else owner.execute_fields

            def catch(parent_type: Any, source: Any, path: Any, fields: Any) -> Any:
                context_vars.pop("execute_fields", None)
                context_vars.pop("execute_fields_serially", None)
                if path is not None:  # not the root call: nothing to audit here
                    return plain(instance, parent_type, source, path, fields)
                return hook.run_root(
                    instance, fields, lambda: plain(instance, parent_type, source, path, fields))

            return catch

        try:
            instance.execute_fields = root(False)
            instance.execute_fields_serially = root(True)
        except Exception:
            log.exception("auditmw: could not hook a graphql-core execution; NOT audited")
        try:
            return wrapped(*args, **kwargs)
        finally:
            context_vars.pop("execute_fields", None)
            context_vars.pop("execute_fields_serially", None)


class _Patch33:
    """graphql-core 3.3: ``Executor.execute_root_grouped_field_set(root_type, root_value,
    grouped_field_set, serially, position_context)``."""

    module = "graphql.execution.executor"
    owner = "Executor"
    method = "execute_root_grouped_field_set"

    def __init__(self, hook: ExecutionHook) -> None:
        self.hook = hook

    def __call__(self, wrapped: Any, instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        fields = args[2] if len(args) > 2 else kwargs.get("grouped_field_set")
        if fields is None:
            return wrapped(*args, **kwargs)
        return self.hook.run_root(instance, fields, lambda: wrapped(*args, **kwargs))


_Patch = _Patch32 | _Patch33


def _patch_class() -> type[_Patch32] | type[_Patch33] | None:
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
    return _Patch32 if version < (3, 3) else _Patch33


def _owner(patch: type[_Patch32] | type[_Patch33]) -> Any:
    return getattr(importlib.import_module(patch.module), patch.owner)


def _installed_patch() -> _Patch | None:
    patch = _patch_class()
    if patch is None:
        return None
    current = vars(_owner(patch)).get(patch.method)
    if isinstance(current, wrapt.FunctionWrapper) and isinstance(
            current._self_wrapper, _Patch32 | _Patch33):
        found: _Patch = current._self_wrapper
        return found
    return None


def installed_hook() -> ExecutionHook | None:
    """The hook currently installed in graphql-core's execution, if any."""
    patch = _installed_patch()
    return patch.hook if patch is not None else None


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
        patch = _patch_class()
        if patch is None:
            return False
        installed = _installed_patch()
        fresh = installed is None
        if installed is None:
            hook = ExecutionHook(trail)
            wrapt.wrap_function_wrapper(importlib.import_module(patch.module),
                                        f"{patch.owner}.{patch.method}", patch(hook))
        else:
            hook = installed.hook
            if hook.trail is not trail:
                hook.use(trail)
        if actor_from_context is not None and actor_from_context not in hook.actor_sources:
            hook.actor_sources.append(actor_from_context)
        if is_denied is not None and is_denied not in hook.denied_checks:
            hook.denied_checks.append(is_denied)
        execution_hook.installed = True
        return fresh


def uninstrument() -> bool:
    """Remove the hook; ``True`` when one was installed."""
    with _lock:
        patch = _patch_class()
        if patch is None or _installed_patch() is None:
            return False
        owner = _owner(patch)
        setattr(owner, patch.method, vars(owner)[patch.method].__wrapped__)
        execution_hook.installed = False
        return True
