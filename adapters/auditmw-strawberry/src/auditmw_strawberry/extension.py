"""The Strawberry extension and the execution hook's Strawberry rules (imported lazily).

``AuditExtension(trail)`` in ``strawberry.Schema(..., extensions=[...])`` installs
graphql-core's execution hook (:mod:`auditmw.graphql.hook`, once per process) with
Strawberry's rules: a field refused by one of its ``permission_classes`` is ``denied``
(besides the core rules: ``PermissionError``, an ``extensions.code`` of
FORBIDDEN/UNAUTHENTICATED...), and the user comes from Strawberry's context. The hook
audits catalogued root fields over every transport Strawberry serves (HTTP, WebSocket).

``AuditExtension(trail)`` is a factory: Strawberry calls it for each request and gets a
fresh :class:`strawberry.extensions.SchemaExtension`, which is what Strawberry asks for
(extension instances shared across requests are deprecated there).

:func:`instrument` installs the hook without touching any schema (what ``auditmw run``
does through the package's ``install``).
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

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


class _HookedSchemaExtension(SchemaExtension):
    """The extension while graphql-core's execution hook audits: it adds no per-field
    resolve step (the hook sees the root fields; nested ones pay nothing)."""

    def __init__(self, auditor: AuditResolverMiddleware, *,
                 execution_context: ExecutionContext | None = None) -> None:
        super().__init__(execution_context=execution_context)
        self.auditor = auditor


class AuditExtension:
    """``extensions=[AuditExtension(trail)]``. ``actor_from_context`` overrides how the
    user is read from ``info.context``.

    Creating it installs graphql-core's execution hook (once per process, with
    Strawberry's denial and context rules), which audits every transport Strawberry
    serves, WebSocket included; ``execution_hook=False`` keeps the older per-field
    resolve step instead (root fields only, but every nested field passes through it).
    """

    def __init__(self, trail: AuditTrail, *,
                 actor_from_context: Callable[[Any], Actor | None] | None = None,
                 execution_hook: bool = True) -> None:
        self.auditor = AuditResolverMiddleware(
            trail, actor_from_context=actor_from_context or _strawberry_actor,
            is_denied=is_denied)
        self.hooked = execution_hook and _install_hook(trail, actor_from_context)

    @property
    def trail(self) -> AuditTrail:
        return self.auditor.trail

    def __call__(self, *, execution_context: ExecutionContext | None = None
                 ) -> SchemaExtension:
        if self.hooked:
            return _HookedSchemaExtension(self.auditor, execution_context=execution_context)
        return _AuditSchemaExtension(self.auditor, execution_context=execution_context)


def _hook_source(actor: Callable[[Any], Actor | None] | None
                 ) -> Callable[[Any], Actor | None] | None:
    """The actor source to add to the execution hook: none for Strawberry's own
    conventions, which are the core rule the hook applies last anyway (adding it would
    read every catalogued field's context twice: issue 21)."""
    return None if actor is None or actor is _strawberry_actor else actor


def _install_hook(trail: AuditTrail,
                  actor: Callable[[Any], Actor | None] | None) -> bool:
    from auditmw.graphql import installed_hook
    from auditmw.graphql import instrument as install_hook

    install_hook(trail, actor_from_context=_hook_source(actor), is_denied=is_denied)
    return installed_hook() is not None


def instrument(trail: AuditTrail) -> bool:
    """Audit every Strawberry execution in this process: graphql-core's execution hook
    with Strawberry's denial rule (permission classes) and context conventions.
    Idempotent: ``True`` when the hook was newly installed."""
    from auditmw.graphql import instrument as install_hook

    return install_hook(trail, actor_from_context=_hook_source(None), is_denied=is_denied)


def uninstrument() -> bool:
    """Remove graphql-core's execution hook."""
    from auditmw.graphql import uninstrument as remove_hook

    return remove_hook()
