"""``call:module:function`` actor sources: what the app's own auth function returned.

The function named (a FastAPI dependency such as ``get_current_user``, a user loader,
any callable that returns the signed-in user) is wrapped with wrapt as soon as its
module is imported — a post-import hook, so the wrapper is in place before other modules
do ``from app.deps import get_current_user``. The wrapper calls the function unchanged
and, inside a request auditmw watches, keeps the first non-``None`` value it returned as
that source's user: no second token verification, no second database query.

References taken before the hook ran (an app that builds its routes in the same module
that defines the function) are reached by :func:`rebind`, which front doors call with
the objects that hold such references (FastAPI's dependency tree).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Awaitable, Callable, Iterable
from inspect import isawaitable
from typing import Any

import wrapt

from auditmw.context import RequestState, current_request
from auditmw.errors import ConfigError

log = logging.getLogger("auditmw.capture")

_lock = threading.Lock()
_registered: set[str] = set()
#: id(original function) → (original, its wrapper), for :func:`rebind`.
_wrapped: dict[int, tuple[Any, Any]] = {}
_warned: set[str] = set()


def parse_call(source: str) -> tuple[str, str]:
    """``call:pkg.mod:func`` (or ``call:pkg.mod:Class.method``) → ``(module, attr path)``."""
    spec = source[len("call:"):]
    module, _, attr = spec.partition(":")
    if not module or not attr or not all(p.isidentifier() for p in attr.split(".")) \
            or not all(p.isidentifier() for p in module.split(".")):
        raise ConfigError(f"actor.sources: {source!r} must be 'call:package.module:function'")
    return module, attr


def _note(state: RequestState, source: str, value: Any) -> None:
    if value is not None and source not in state.extra:
        state.extra[source] = value


async def _note_when_done(pending: Awaitable[Any], state: RequestState, source: str) -> Any:
    value = await pending
    _note(state, source, value)
    return value


def _wrapper_for(source: str) -> Callable[..., Any]:
    def wrapper(wrapped: Callable[..., Any], _instance: Any, args: Any, kwargs: Any) -> Any:
        value = wrapped(*args, **kwargs)
        state = current_request.get()
        if state is None:
            return value
        try:
            if isawaitable(value):
                return _note_when_done(value, state, source)
            _note(state, source, value)
        except Exception:
            log.exception("auditmw: could not note the user %s returned", source)
        return value

    return wrapper


def register(sources: Iterable[str]) -> None:
    """Wrap every ``call:`` source's function when (or if already) its module is imported.
    Idempotent: each source is hooked once per process."""
    for source in sources:
        if not source.startswith("call:"):
            continue
        module, attr = parse_call(source)
        with _lock:
            if source in _registered:
                continue
            _registered.add(source)
        wrapt.register_post_import_hook(_installer(source, attr), module)


def _installer(source: str, attr: str) -> Callable[[Any], None]:
    def install(module: Any) -> None:
        try:
            parent: Any = module
            *path, name = attr.split(".")
            for part in path:
                parent = getattr(parent, part)
            original = getattr(parent, name)
            if getattr(original, "_self_auditmw_actor_source", None):
                return
            wrapt.wrap_function_wrapper(parent, name, _wrapper_for(source))
            wrapper = getattr(parent, name)
            wrapper._self_auditmw_actor_source = source  # marks it (wrapt keeps _self_)
            _wrapped[id(original)] = (original, wrapper)
        except Exception as exc:
            sys.stderr.write(f"auditmw: actor source {source}: cannot wrap {attr} in "
                             f"{module.__name__}: {type(exc).__name__}: {exc}\n")

    return install


def wrapper_of(func: Any) -> Any | None:
    """The wrapper installed for ``func`` (the original function), if any."""
    found = _wrapped.get(id(func))
    return found[1] if found is not None and found[0] is func else None


def rebind(dependants: Iterable[Any], attribute: str = "call",
           children: str = "dependencies", depth: int = 0) -> int:
    """Point every ``dependant.<attribute>`` that still holds an original function at its
    wrapper, through ``<children>`` (FastAPI's ``Dependant`` tree). Returns the count."""
    count = 0
    if depth > 32 or not _wrapped:
        return 0
    for dependant in dependants:
        call = getattr(dependant, attribute, None)
        wrapper = wrapper_of(call) if call is not None else None
        if wrapper is not None:
            try:
                setattr(dependant, attribute, wrapper)
                count += 1
            except Exception:
                log.debug("auditmw: cannot rebind %r", dependant, exc_info=True)
        count += rebind(getattr(dependant, children, None) or (), attribute, children,
                        depth + 1)
    return count


def warn_unimported(sources: Iterable[str]) -> None:
    """Say once, on stderr, for each ``call:`` source whose module was never imported
    (a typo, or an app that imports it under another name)."""
    for source in sources:
        if not source.startswith("call:") or source in _warned:
            continue
        module, _ = parse_call(source)
        if module not in sys.modules:
            _warned.add(source)
            sys.stderr.write(f"auditmw: actor source {source}: module {module} has not "
                             "been imported by the app; no actor comes from it\n")
