"""The audit server (SPEC section 8): the Leapwork-compatible export, the Data API, GraphQL
``AuditTrail``, ``/openapi.json`` and access keys. Starlette is imported only when an app
is made, so ``import auditmw.server`` costs nothing where no server runs.

>>> from starlette.routing import Mount
>>> routes = [Mount(trail.config.server.prefix, app=create_app(trail))]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from auditmw.trail import AuditTrail

__all__ = ["create_app"]


def create_app(trail: AuditTrail, **options: Any) -> Starlette:
    """The ASGI app of SPEC section 8 over ``trail``; options: ``store``, ``keys``,
    ``prefix``, ``clock``, ``host_auth`` (see :func:`auditmw.server.app.create_app`)."""
    from auditmw.server.app import create_app as build

    return build(trail, **options)
