"""auditmw for Django.

.. code-block:: python

    INSTALLED_APPS += ["auditmw_django"]
    MIDDLEWARE += ["auditmw_django.AuditMiddleware"]   # after AuthenticationMiddleware
    AUDITMW = {"service": "inventory", "capture": {"routes": [
        {"method": "POST", "url_name": "assetgroup-list", "event": "createAssetGroup"}]}}
    # urls.py: path("audit/", include("auditmw_django.urls"))

Importing this package imports no Django: ``auditmw run`` loads :func:`install` in
every process before the app starts. See docs/django.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditmw_django.launcher import install

if TYPE_CHECKING:
    from auditmw_django.middleware import AuditMiddleware

__all__ = ["AuditMiddleware", "get_trail", "install", "set_trail"]


def __getattr__(name: str) -> Any:
    if name == "AuditMiddleware":
        from auditmw_django.middleware import AuditMiddleware

        return AuditMiddleware
    if name in ("get_trail", "set_trail"):
        from auditmw_django import conf

        return getattr(conf, name)
    raise AttributeError(f"module 'auditmw_django' has no attribute {name!r}")
