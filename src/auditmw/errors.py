"""Exceptions auditmw raises to its users, and the one way validation errors are worded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import ValidationError


class AuditError(Exception):
    """Base class of auditmw's own errors."""


class ConfigError(AuditError, ValueError):
    """Bad configuration: the message names the key path and what is allowed."""


class UnknownEventError(AuditError, KeyError):
    """An event name that is not in the (enabled) catalogue."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


# Tags pydantic puts in a location for tagged unions (``sinks.0.file.path``): not keys.
_UNION_TAGS = frozenset({"file", "http", "otel", "structlog", "stdout", "custom"})


def format_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """One line per problem: ``delivery.mode: Input should be 'async' or 'sync' (got 'x')``."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = [p for i, p in enumerate(err["loc"])
               if not (i and isinstance(err["loc"][i - 1], int) and p in _UNION_TAGS)]
        path = ".".join(str(p) for p in loc) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key"
        got = err.get("input")
        shown = "" if err["type"] in ("extra_forbidden", "missing") or isinstance(got, dict) \
            else f" (got {got!r})"
        lines.append(f"{prefix}{path}: {message}{shown}")
    return "\n".join(lines)
