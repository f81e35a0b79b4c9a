"""Marks for what waits on another part of the core (removed once it has landed).

``RESOLVER_DENIALS``: a Django/DRF ``PermissionDenied`` raised in a GraphQL resolver is
``denied`` once the core's one outcome rule (``auditmw.outcome``) knows those classes;
until then such a test must fail (strict), and once it is there it must pass.
"""

from __future__ import annotations

import importlib.util

import pytest

RESOLVER_DENIALS = pytest.mark.xfail(
    importlib.util.find_spec("auditmw.outcome") is None, strict=True,
    reason="the core's outcome rule (auditmw.outcome) does not know Django's "
           "PermissionDenied yet")
