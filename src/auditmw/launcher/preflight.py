"""Checks ``auditmw run`` makes before it hands over to the app: the config is valid, the
catalogue loads, and every configured part has its optional dependency installed."""

from __future__ import annotations

import importlib.util
import os

from auditmw.catalog import Catalog
from auditmw.config import Config, CustomSinkConfig, load_config
from auditmw.errors import ConfigError

# (module that must import, the extra that brings it)
_SINK_NEEDS: dict[str, tuple[str, str]] = {
    "otel": ("opentelemetry.sdk", "otel"),
    "structlog": ("structlog", "structlog"),
}


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def check(config_path: str | os.PathLike[str] | None) -> Config:
    """The validated config, or :class:`ConfigError` naming the key or the extra."""
    config = load_config(config_path)
    Catalog.from_config(config.catalog)
    for index, sink in enumerate(config.sinks):
        if isinstance(sink, CustomSinkConfig):
            module = sink.type.partition(":")[0]
            if ":" in sink.type and _missing(module):
                raise ConfigError(f"sinks.{index}.type: module {module!r} is not importable")
            continue
        need = _SINK_NEEDS.get(sink.type)
        if need and _missing(need[0]):
            raise ConfigError(f"sinks.{index}.type = {sink.type!r} needs {need[0]!r}: "
                              f"pip install 'auditmw[{need[1]}]'")
    if config.store.enabled and config.store.url.startswith("postgres") and _missing("psycopg"):
        raise ConfigError("store.url is PostgreSQL and needs psycopg: "
                          "pip install 'auditmw[postgres]'")
    if config.server.mount and _missing("starlette"):
        raise ConfigError("server.mount = true needs starlette: pip install 'auditmw[server]'")
    return config
