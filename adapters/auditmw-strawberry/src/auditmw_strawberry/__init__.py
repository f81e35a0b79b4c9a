"""auditmw for Strawberry: ``strawberry.Schema(..., extensions=[AuditExtension(trail)])``.

The extension runs :class:`auditmw.graphql.AuditResolverMiddleware` as Strawberry's
resolve hook: catalogued root fields are audited with their exact outcome, the context's
user, the arguments and the returned object; a field refused by one of its
``permission_classes`` is ``denied``. :func:`instrument` adds it to every schema built
afterwards (what ``auditmw run`` does through :func:`install`).

Strawberry itself is imported only when one of these names is first used, so the
launcher can load :func:`install` in every process at no cost.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail
    from auditmw_strawberry.extension import (
        AuditExtension,
        actor_from_context,
        instrument,
        is_denied,
        uninstrument,
    )

__all__ = ["AuditExtension", "actor_from_context", "install", "instrument", "is_denied",
           "uninstrument"]

_LAZY = frozenset({"AuditExtension", "actor_from_context", "instrument", "is_denied",
                   "uninstrument"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from auditmw_strawberry import extension

        return getattr(extension, name)
    raise AttributeError(f"module 'auditmw_strawberry' has no attribute {name!r}")


def install(get_trail: Callable[[], AuditTrail | None]) -> None:
    """The ``auditmw.adapters`` entry point: instrument Strawberry once it is imported."""
    import wrapt

    def on_import(module: ModuleType) -> None:
        trail = get_trail()
        if trail is not None:
            from auditmw_strawberry.extension import instrument

            instrument(trail)

    wrapt.register_post_import_hook(on_import, "strawberry.schema.schema")
