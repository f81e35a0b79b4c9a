"""The core's own hook into graphql-core: execution gets audited wherever it runs.

Registered as the ``graphql_core`` entry point of the ``auditmw.adapters`` group (for
``auditmw run``), and called by the code route (``instrument_app``, ``init_app``) through
:func:`hook_graphql`. Imports nothing of graphql-core until the app imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING

import wrapt

if TYPE_CHECKING:
    from auditmw.trail import AuditTrail

log = logging.getLogger("auditmw")


def install_graphql_core(get_trail: Callable[[], AuditTrail | None]) -> None:
    """Install the execution hook once ``graphql.execution`` is imported (at once if it
    already is)."""

    def on_import(module: ModuleType) -> None:
        trail = get_trail()
        if trail is None:
            return
        try:
            from auditmw.graphql_instrument import instrument

            instrument(trail)
        except Exception:
            log.exception("auditmw: could not hook graphql-core; GraphQL fields are NOT "
                          "audited at execution")

    wrapt.register_post_import_hook(on_import, "graphql.execution")


def hook_graphql(trail: AuditTrail) -> None:
    """The code route's call: audit every graphql-core execution of this process into
    ``trail`` (idempotent; nothing happens until graphql-core is imported, and nothing
    if it never is)."""
    install_graphql_core(lambda: trail)
