"""Guards for every test under the root (``tests/`` and each ``adapters/*/tests``): what
one test changes process-wide must not reach the next, whichever directory runs first."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_execution_hook_left_behind() -> Iterator[None]:
    """graphql-core's execution hook is per process: a test that installed it (the code
    route, an adapter's ``instrument_app``) must not leave it pointing at its closed
    trail, nor make the next test's HTTP door defer to a hook it did not ask for."""
    yield
    if "auditmw.graphql.install" in sys.modules:
        sys.modules["auditmw.graphql.install"].uninstrument()


@pytest.fixture(autouse=True)
def _machine_zone_kept() -> Iterator[None]:
    """Django sets ``$TZ`` from ``settings.TIME_ZONE`` (and calls ``tzset``) when it is
    set up; the machine's zone is auditmw's default for export dates, so put it back."""
    before = os.environ.get("TZ")
    yield
    if os.environ.get("TZ") != before:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
