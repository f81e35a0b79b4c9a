"""The example Django project (examples/django_inventory) set up once per test session,
in this process, on a SQLite file of its own.

Django is configured lazily by the ``django_project`` fixture — never at collection —
so the rest of the suite never runs with Django's apps loaded or the GraphQL hook in
place; every test that audits hands its own trail over and takes the hook out after.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "django_inventory"


@pytest.fixture(scope="session")
def django_project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Django set up on the example project; the demo users' DRF tokens by name."""
    data = tmp_path_factory.mktemp("inventory")
    os.environ["INVENTORY_DATA_DIR"] = str(data)
    os.environ["INVENTORY_AUDIT"] = "settings"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inventory_site.settings"
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    import django

    django.setup()  # auditmw_django's ready() builds the settings trail and the hook
    _quiet()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from assets.management.commands.up import seed

    tokens: dict[str, str] = seed()
    return tokens


def _quiet() -> None:
    """Back to no hook, no signals, no trail: each test installs its own."""
    from auditmw_django.conf import set_trail
    from auditmw_django.setup import deactivate

    from auditmw.graphql import uninstrument

    deactivate()
    uninstrument()
    set_trail(None)


@pytest.fixture
def make_audit(django_project: dict[str, str]) -> Iterator[Any]:
    """``make_audit(**overrides)``: a trail with the project's own settings.AUDITMW (and
    ``overrides``), events kept in memory (sync delivery, no store), handed to the
    integration for this test; taken away again after it."""
    from auditmw_django.conf import set_trail
    from django.conf import settings

    from auditmw.trail import AuditTrail

    made: list[AuditTrail] = []

    def make(**overrides: Any) -> AuditTrail:
        options: dict[str, Any] = {"sinks": [], "store": False, "delivery": {"mode": "sync"}}
        options.update(overrides)
        trail = AuditTrail.from_config(settings.AUDITMW, **options)
        made.append(trail)
        set_trail(trail)
        return trail

    try:
        yield make
    finally:
        _quiet()
        for trail in made:
            trail.close()


@pytest.fixture
def audit(make_audit: Any) -> Any:
    return make_audit()
