"""The core's own launcher hook: graphql-core execution gets the resolver middleware.

Registered as the ``graphql_core`` entry point of the ``auditmw.adapters`` group; imports
nothing of graphql-core until graphql-core is imported by the app.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

import wrapt

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail


def install_graphql_core(get_trail: Callable[[], AuditTrail | None]) -> None:
    def on_import(module: ModuleType) -> None:
        trail = get_trail()
        if trail is not None:
            from auditmw.graphql_instrument import instrument

            instrument(trail)

    wrapt.register_post_import_hook(on_import, "graphql.execution")
