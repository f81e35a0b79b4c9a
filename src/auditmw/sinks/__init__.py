"""Sinks: where finished events go. :func:`build_sink` turns a ``[[sinks]]`` table into one.

Built-in types live one per module and are imported only when configured, so an
unused sink's optional dependency is never needed. ``type = "pkg.mod:Class"`` or the
name of an ``auditmw.sinks`` entry point loads a custom sink; its other keys are passed
to the class as keyword arguments.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from auditmw.config import (
    CustomSinkConfig,
    FileSinkConfig,
    SinkConfig,
    StdoutSinkConfig,
)
from auditmw.errors import ConfigError
from auditmw.sinks.base import Sink

__all__ = ["Sink", "build_sink", "load_custom_sink_class"]


def load_custom_sink_class(kind: str) -> Any:
    if ":" in kind:
        module_name, _, attr = kind.partition(":")
        try:
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"sinks: cannot load custom sink {kind!r}: {exc}") from None
    found = entry_points(group="auditmw.sinks", name=kind)
    for ep in found:
        return ep.load()
    raise ConfigError(
        f"sinks.type: {kind!r} is not a sink type; allowed: file, http, otel, structlog, "
        "stdout, logging, syslog, nats, 'pkg.module:Class', or an auditmw.sinks entry point")


def build_sink(config: SinkConfig, **context: Any) -> Sink:
    """A ready sink for one ``[[sinks]]`` table. ``context`` carries trail-wide facts
    (``service``, ``integrity_key``) that some sinks use."""
    if isinstance(config, FileSinkConfig):
        from auditmw.sinks.file import FileSink
        return FileSink(config.path, rotate_bytes=config.rotate_bytes,
                        rotate_interval_s=config.rotate_interval_s, fsync=config.fsync,
                        fsync_interval_s=config.fsync_interval_s, format=config.format)
    if isinstance(config, StdoutSinkConfig):
        from auditmw.sinks.stdout import StdoutSink
        return StdoutSink(format=config.format)
    if isinstance(config, CustomSinkConfig):
        cls = load_custom_sink_class(config.type)
        sink: Sink = cls(**config.options)
        return sink
    # The others are imported only when configured: their dependencies are optional.
    module = f"auditmw.sinks.{config.type}"
    try:
        built: Sink = importlib.import_module(module).from_config(config, **context)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("auditmw"):
            raise ConfigError(f"sinks.type: {config.type!r} is not available in this "
                              "version of auditmw") from None
        raise ConfigError(f"sinks.type {config.type!r} needs {exc.name!r}: "
                          f'pip install "auditmw[{config.type}]"') from None
    return built
