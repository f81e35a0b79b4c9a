"""Build hook: the wheel carries the example app of ``auditmw demo`` as ``auditmw/_demo_app``.

Only real wheels get it; an editable install (``make venv``) finds
``examples/config_only`` in the checkout itself, so nothing is copied into site-packages.
"""

from __future__ import annotations

from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class DemoAppHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version != "editable":
            build_data["force_include"]["examples/config_only"] = "auditmw/_demo_app"
