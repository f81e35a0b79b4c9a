"""The core's own hooks: graphql-core execution gets audited wherever it runs, and the
app's own auth functions named by ``call:`` actor sources get wrapped.

Registered as the ``graphql_core`` and ``actor_calls`` entry points of the
``auditmw.adapters`` group (for ``auditmw run``); :func:`hook_graphql` is called by the
code route (``instrument_app``, ``init_app``). Nothing of graphql-core or of the app is
imported until the app imports it.
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
            from auditmw.graphql import instrument

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


def install_actor_calls(get_trail: Callable[[], AuditTrail | None]) -> None:
    """Hook each ``call:`` source's module before the app imports it. Only the config is
    read here (cheap); a config that does not load is reported by ``get_trail``."""
    import os

    from auditmw.capture import actor_calls
    from auditmw.config import load_config

    try:
        sources = load_config(os.environ.get("AUDITMW_CONFIG") or None).actor.sources
    except Exception:
        return
    actor_calls.register(sources)
