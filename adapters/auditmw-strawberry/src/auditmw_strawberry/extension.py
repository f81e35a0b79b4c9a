"""The Strawberry extension and its launcher patch (imported lazily by the package).

The extension runs :class:`auditmw.graphql.AuditResolverMiddleware` as Strawberry's
resolve hook, so catalogued root fields are audited with their exact outcome, the
context's user, the arguments and the returned object. A field refused by one of its
``permission_classes`` is ``denied`` (besides the core rules: ``PermissionError``, an
``extensions.code`` of FORBIDDEN/UNAUTHENTICATED...).

``AuditExtension(trail)`` is a factory: Strawberry calls it for each request and gets a
fresh :class:`strawberry.extensions.SchemaExtension`, which is what Strawberry asks for
(extension instances shared across requests are deprecated there).

:func:`instrument` adds the extension to every ``strawberry.Schema`` built afterwards
(for the ``auditmw run`` launcher); it is idempotent and recognises an extension added
by hand.
"""

from __future__ import annotations

import inspect
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

import wrapt
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission, PermissionExtension

from auditmw.event import Actor
from auditmw.graphql import AuditResolverMiddleware, default_actor_from_context, is_denied_error

if TYPE_CHECKING:
    from collections.abc import Callable

    from strawberry.types import ExecutionContext

    from auditmw.trail import AuditTrail

# The code objects a permission refusal is raised through. Matching frames of the
# traceback against them names a Strawberry denial exactly, whatever error class or
# message the permission chose (a custom ``on_unauthorized`` is called from here too).
_REFUSAL_CODES = frozenset(
    code for code in (
        getattr(getattr(PermissionExtension, "_on_unauthorized", None), "__code__", None),
        getattr(getattr(BasePermission, "on_unauthorized", None), "__code__", None),
    ) if code is not None)


def _raised_through_refusal(tb: TracebackType | None) -> bool:
    for _ in range(200):  # a traceback is finite; the bound only keeps this cheap
        if tb is None:
            return False
        if tb.tb_frame.f_code in _REFUSAL_CODES:
            return True
        tb = tb.tb_next
    return False


def is_denied(exc: BaseException) -> bool:
    """A Strawberry permission refusal, or a denial by the core rules."""
    return _raised_through_refusal(exc.__traceback__) or is_denied_error(exc)


def actor_from_context(context: Any) -> Actor | None:
    """Strawberry's contexts: the integrations' dict ``{"request": ..., ...}`` (the ASGI
    and FastAPI request's ``scope["user"]``, Django's ``request.user``) or a custom
    context object with ``user`` or ``request``."""
    return default_actor_from_context(context)


_strawberry_actor = actor_from_context


class _AuditSchemaExtension(SchemaExtension):
    """One request's extension; ``auditor`` is how :func:`auditmw.graphql.find_auditor`
    recognises it, so a launcher patch of graphql-core adds no second hook."""

    def __init__(self, auditor: AuditResolverMiddleware, *,
                 execution_context: ExecutionContext | None = None) -> None:
        super().__init__(execution_context=execution_context)
        self.auditor = auditor

    def resolve(self, _next: Callable[..., Any], root: Any, info: Any, *args: Any,
                **kwargs: Any) -> Any:
        if args:  # not a graphql-core middleware call; nothing to audit by name
            return _next(root, info, *args, **kwargs)
        return self.auditor.resolve(_next, root, info, **kwargs)


class AuditExtension:
    """``extensions=[AuditExtension(trail)]``. ``actor_from_context`` overrides how the
    user is read from ``info.context``."""

    def __init__(self, trail: AuditTrail, *,
                 actor_from_context: Callable[[Any], Actor | None] | None = None) -> None:
        self.auditor = AuditResolverMiddleware(
            trail, actor_from_context=actor_from_context or _strawberry_actor,
            is_denied=is_denied)

    @property
    def trail(self) -> AuditTrail:
        return self.auditor.trail

    def __call__(self, *, execution_context: ExecutionContext | None = None
                 ) -> _AuditSchemaExtension:
        return _AuditSchemaExtension(self.auditor, execution_context=execution_context)


# -- the launcher's patch --------------------------------------------------------------

_lock = threading.Lock()


class SchemaInitHook:
    """Wraps ``strawberry.Schema.__init__`` to append ``AuditExtension(trail)``."""

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail
        self._signature: inspect.Signature | None = None

    def __call__(self, wrapped: Any, instance: Any, args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> Any:
        if self._signature is None:
            self._signature = inspect.signature(wrapped)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError:  # let Strawberry report the bad call itself
            return wrapped(*args, **kwargs)
        extensions = list(bound.arguments.get("extensions") or ())
        if not any(_is_audit_extension(e) for e in extensions):
            bound.arguments["extensions"] = [*extensions, AuditExtension(self.trail)]
        return wrapped(*bound.args, **bound.kwargs)


def _is_audit_extension(item: Any) -> bool:
    return isinstance(item, AuditExtension | _AuditSchemaExtension) or (
        isinstance(item, type) and issubclass(item, _AuditSchemaExtension))


def _schema_class() -> Any:
    from strawberry.schema.schema import Schema

    return Schema


def _installed() -> SchemaInitHook | None:
    current = vars(_schema_class()).get("__init__")
    if isinstance(current, wrapt.FunctionWrapper) and isinstance(current._self_wrapper,
                                                                 SchemaInitHook):
        return current._self_wrapper
    return None


def instrument(trail: AuditTrail) -> bool:
    """Audit every Strawberry schema created from now on. Idempotent: ``True`` when newly
    installed; called again it only points the hook at ``trail``."""
    with _lock:
        hook = _installed()
        if hook is not None:
            hook.trail = trail
            return False
        wrapt.wrap_function_wrapper(_schema_class(), "__init__", SchemaInitHook(trail))
        return True


def uninstrument() -> bool:
    """Remove the patch (schemas already built keep their extension)."""
    with _lock:
        if _installed() is None:
            return False
        schema = _schema_class()
        schema.__init__ = vars(schema)["__init__"].__wrapped__
        return True
