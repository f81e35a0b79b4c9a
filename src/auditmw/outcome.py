"""The one outcome rule and the one target rule (SPEC §3), for every door.

The HTTP middleware (ASGI and WSGI, reading a GraphQL result or a REST status), the
graphql-core resolver middleware, the Strawberry extension, the execution hook and
``@trail.audited`` all decide through these functions, so the same error and the same
payload give the same outcome and target whichever door saw them.

Public API:

- :func:`outcome_of_status` ``(status)`` → HTTP 401/403 ``denied``; other ≥ 400
  ``failure``; else ``success``.
- :func:`outcome_of_error` ``(error, rules)`` → ``denied`` or ``failure`` and the
  :class:`~auditmw.event.ErrorInfo`, for a raised exception *or* a GraphQL error as it
  appears in a response (a mapping with ``message``/``extensions``).
- :func:`outcome_of_payload` ``(outcome_path, value, rules)`` → ``failure`` for an
  errors-as-data payload (``{success: false, errors: [...]}``), else ``None``.
- :func:`outcome_of_field` → the three above in order, for one executed field.
- :func:`outcome_of_route` ``(status, location, success_status=, denied_redirect=)`` →
  a mapped REST route's outcome, or ``None`` for a redirect that records nothing.
- :func:`auditmw.targets.target_of` ``(path, value, arguments)`` → the
  :class:`~auditmw.event.Target` (the target rule has a module of its own).
- :class:`OutcomeRules` (``rules``): the built-in denial rule plus
  ``capture.denied_errors``; :data:`DEFAULT_RULES` is the built-in rule alone.

What counts as a denial, directly or through the ``original_error`` / ``__cause__`` an
error wraps:

- an ``extensions.code`` in :data:`DENIED_CODES` (any case, ``-`` or space for ``_``);
- :class:`PermissionError`;
- an HTTP exception with status 401/403 — Starlette's and FastAPI's ``HTTPException``
  (``status_code``), Werkzeug's (``code``), DRF's ``APIException``, aiohttp's and
  Tornado's — recognised by the qualified names of its classes (:data:`HTTP_EXCEPTIONS`),
  so no framework is imported here;
- Django's ``PermissionDenied``, DRF's ``PermissionDenied`` and ``NotAuthenticated``,
  django-graphql-jwt's ``PermissionDenied`` (:data:`DENIED_EXCEPTIONS`, by name too);
- a class or an extension code named in ``capture.denied_errors``.

A response seen on the wire carries no exception class, only ``extensions.code``: the
HTTP door alone (no hook in the process) can tell a denial only by its code.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from auditmw.errors import ConfigError
from auditmw.event import ErrorInfo, Outcome
from auditmw.reading import dig, member
from auditmw.targets import target_from_value, target_in_value, target_of, target_with_arguments

#: ``extensions.code`` values that make a GraphQL error a denial (normalised: upper case,
#: ``-`` and spaces as ``_``). Apollo, GitHub, Shopify, Hasura, Hot Chocolate spellings.
DENIED_CODES = frozenset({
    "FORBIDDEN", "UNAUTHENTICATED", "UNAUTHORIZED", "UNAUTHORISED", "PERMISSION_DENIED",
    "ACCESS_DENIED", "NOT_AUTHORIZED", "NOT_AUTHENTICATED", "AUTH_NOT_AUTHORIZED",
    "AUTH_NOT_AUTHENTICATED",
})

#: Base classes (``module.QualName``) of framework HTTP exceptions; one with status
#: 401/403 (``status_code``, ``code`` or ``status``) is a denial.
HTTP_EXCEPTIONS = frozenset({
    "starlette.exceptions.HTTPException",
    "fastapi.exceptions.HTTPException",
    "werkzeug.exceptions.HTTPException",
    "rest_framework.exceptions.APIException",
    "aiohttp.web_exceptions.HTTPException",
    "tornado.web.HTTPError",
})

#: Exception classes that are denials whatever they carry.
DENIED_EXCEPTIONS = frozenset({
    "django.core.exceptions.PermissionDenied",
    "rest_framework.exceptions.PermissionDenied",
    "rest_framework.exceptions.NotAuthenticated",
    "graphql_jwt.exceptions.PermissionDenied",
})

DENIED_STATUS = frozenset({401, 403})
MAX_MESSAGE = 500
_CHAIN_DEPTH = 5  # GraphQLError → original_error → __cause__ ... is never deep
_CODE_SPELLING = re.compile(r"[-\s]+")

DeniedCheck = Callable[[BaseException], bool]

log = logging.getLogger("auditmw")


def normalise_code(code: Any) -> str | None:
    if isinstance(code, str) and code.strip():
        return _CODE_SPELLING.sub("_", code.strip()).upper()
    return None


@dataclass(frozen=True, slots=True)
class OutcomeRules:
    """The denial rule: built-in codes and classes plus ``capture.denied_errors``."""

    codes: frozenset[str] = DENIED_CODES
    classes: tuple[type[BaseException], ...] = ()
    #: ``module.QualName`` of configured classes whose module could not be loaded yet
    names: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, denied_errors: Sequence[str],
                    key: str = "capture.denied_errors") -> OutcomeRules:
        """``"pkg.mod:Class"`` entries are imported now: a missing module or name, or
        something that is not an exception class, is a
        :class:`~auditmw.errors.ConfigError` naming ``key[i]``. A module that exists but
        cannot be loaded this early (a Django module before ``django.setup()``) is matched
        by its qualified name instead, with a warning. The other entries are codes."""
        codes, classes, names = set(DENIED_CODES), [], set()
        for index, item in enumerate(denied_errors):
            if ":" in item:
                found = _import_exception(item, f"{key}[{index}]")
                if isinstance(found, str):
                    names.add(found)
                else:
                    classes.append(found)
            else:
                code = normalise_code(item)
                if code is None:
                    raise ConfigError(f"{key}[{index}]: an empty extension code")
                codes.add(code)
        return cls(frozenset(codes), tuple(classes), frozenset(names))

    def denied_code(self, code: Any) -> bool:
        return normalise_code(code) in self.codes

    def is_denied(self, error: BaseException | Mapping[str, Any]) -> bool:
        """Whether ``error`` (an exception, or a response's GraphQL error) is a denial."""
        if isinstance(error, Mapping):
            return self.denied_code(_code_of(error))
        current: BaseException | None = error
        for _ in range(_CHAIN_DEPTH):
            if current is None:
                return False
            if self._denied_exception(current):
                return True
            current = getattr(current, "original_error", None) or current.__cause__
        return False

    def _denied_exception(self, exc: BaseException) -> bool:
        if isinstance(exc, PermissionError) or (self.classes and isinstance(exc, self.classes)):
            return True
        if self.denied_code(_code_of(exc)):
            return True
        names = {f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__}
        if names & DENIED_EXCEPTIONS or (self.names and names & self.names):
            return True
        return bool(names & HTTP_EXCEPTIONS) and _http_status(exc) in DENIED_STATUS


DEFAULT_RULES = OutcomeRules()


def _import_exception(path: str, key: str) -> type[BaseException] | str:
    """The class ``path`` names, or its qualified name (to be matched by name) when its
    module exists but cannot be loaded yet: it raised while loading (a Django app's module
    before ``django.setup()``), or it is still loading (the trail is being built from
    inside the app's own import)."""
    module_name, _, attr = path.partition(":")
    if not module_name or not attr:
        raise ConfigError(f"{key}: {path!r} must be 'package.module:ClassName' or a code")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise ConfigError(f"{key}: cannot import {module_name!r}: {exc}") from None
        return _by_name(path, key, exc)
    except Exception as exc:  # the module is there but cannot load yet
        return _by_name(path, key, exc)
    if getattr(getattr(module, "__spec__", None), "_initializing", False):
        return f"{module_name}.{attr}"  # still executing: its classes may come later
    value: Any = module
    try:
        for part in attr.split("."):
            value = getattr(value, part)
    except AttributeError:
        raise ConfigError(f"{key}: {module_name!r} has no {attr!r}") from None
    if not (isinstance(value, type) and issubclass(value, BaseException)):
        raise ConfigError(f"{key}: {path!r} is not an exception class")
    return value


def _by_name(path: str, key: str, exc: BaseException) -> str:
    module_name, _, attr = path.partition(":")
    log.warning("auditmw: %s: importing %r raised %s (%s); matching %s by name",
                key, module_name, type(exc).__name__, exc, path)
    return f"{module_name}.{attr}"


def _code_of(error: Any) -> Any:
    return member(member(error, "extensions"), "code")


def _http_status(exc: BaseException) -> int | None:
    for name in ("status_code", "code", "status"):
        value = member(exc, name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


# -- outcomes ---------------------------------------------------------------------------

def outcome_of_status(status: int | None) -> tuple[Outcome, ErrorInfo | None]:
    """HTTP 401/403 → ``denied``; other status ≥ 400 → ``failure``; else ``success``."""
    if status in DENIED_STATUS:
        return "denied", ErrorInfo("HTTPError", f"HTTP {status}")
    if status is not None and status >= 400:
        return "failure", ErrorInfo("HTTPError", f"HTTP {status}")
    return "success", None


def error_info(error: BaseException | Mapping[str, Any]) -> ErrorInfo:
    """``type``: the ``extensions.code`` when there is one, else the exception's class
    (``GraphQLError`` for a response's error, whose class is not on the wire); a GraphQL
    error wrapping a resolver's exception is described by that exception."""
    if isinstance(error, Mapping):
        message = error.get("message")
        code = _code_of(error)
        return ErrorInfo(str(code) if code else "GraphQLError", str(message or "")[:MAX_MESSAGE])
    original = getattr(error, "original_error", None)
    if isinstance(original, BaseException) and _code_of(error) is None:
        error = original
    code = _code_of(error)
    kind = code if isinstance(code, str) and code else type(error).__name__
    return ErrorInfo(kind, str(error)[:MAX_MESSAGE])


def outcome_of_error(error: BaseException | Mapping[str, Any],
                     rules: OutcomeRules = DEFAULT_RULES, *,
                     also_denied: DeniedCheck | None = None) -> tuple[Outcome, ErrorInfo]:
    """``denied`` or ``failure`` for a raised (or returned) exception or a response's
    GraphQL error. ``also_denied`` adds a door's own knowledge (Strawberry's permission
    classes) to the rule."""
    denied = rules.is_denied(error) or (
        also_denied is not None and isinstance(error, BaseException) and also_denied(error))
    return ("denied" if denied else "failure"), error_info(error)


_PAYLOAD_ERRORS = ("errors", "userErrors", "user_errors")


def outcome_of_payload(outcome_path: str | None, value: Any,
                       rules: OutcomeRules = DEFAULT_RULES
                       ) -> tuple[Outcome, ErrorInfo] | None:
    """Errors-as-data: the value at ``outcome_path`` in the field's returned data is
    ``false`` or a non-empty list (``userErrors``) → ``failure`` (``denied`` when the
    payload's first error has a denied ``code``/``extensions.code``); ``None`` when the
    payload says nothing (the path is absent, or true, or an empty list)."""
    if not outcome_path or value is None:
        return None
    flag = dig(value, outcome_path)
    if flag is False:
        parent = dig(value, outcome_path.rpartition(".")[0]) if "." in outcome_path else value
        errors = next((found for name in _PAYLOAD_ERRORS
                       if isinstance(found := member(parent, name), list | tuple) and found),
                      None)
    elif isinstance(flag, list | tuple) and flag:
        errors = flag
    else:
        return None
    first = errors[0] if errors else None
    code = member(first, "code") or _code_of(first)
    message = member(first, "message") if first is not None else None
    if isinstance(first, str):
        message = first
    outcome: Outcome = "denied" if rules.denied_code(code) else "failure"
    return outcome, ErrorInfo(str(code) if code else "PayloadError",
                              str(message or f"{outcome_path} is {_shown(flag)}")[:MAX_MESSAGE])


def _shown(flag: Any) -> str:
    return "false" if flag is False else "not empty"


def outcome_of_field(*, error: BaseException | Mapping[str, Any] | None = None,
                     value: Any = None, outcome_path: str | None = None,
                     rules: OutcomeRules = DEFAULT_RULES,
                     also_denied: DeniedCheck | None = None
                     ) -> tuple[Outcome, ErrorInfo | None]:
    """One executed field: its error decides; else its errors-as-data payload; else
    ``success``."""
    if error is not None:
        return outcome_of_error(error, rules, also_denied=also_denied)
    return outcome_of_payload(outcome_path, value, rules) or ("success", None)


def outcome_of_route(status: int | None, location: str | None = None, *,
                     success_status: Sequence[int] | None = None,
                     denied_redirect: str | None = None
                     ) -> tuple[Outcome, ErrorInfo | None] | None:
    """A mapped REST route's call, or ``None`` when it records nothing:

    - 401/403, or a redirect (3xx) whose ``Location`` path is ``denied_redirect`` →
      ``denied``;
    - a status in ``success_status`` → ``success``;
    - any other redirect → ``None`` (the call went elsewhere; nothing is known to have
      run);
    - with ``success_status`` set, any other status → ``failure``; without it, the
      status rule (≥ 400 ``failure``, else ``success``).
    """
    if status in DENIED_STATUS:
        return outcome_of_status(status)
    redirect = status is not None and 300 <= status < 400
    if redirect and denied_redirect and location is not None \
            and _location_path(location) == (denied_redirect.rstrip("/") or "/"):
        return "denied", ErrorInfo("Redirect", f"HTTP {status} to {denied_redirect}")
    if success_status is not None and status in success_status:
        return "success", None
    if redirect:
        return None
    if success_status is not None:
        return "failure", ErrorInfo("HTTPError", f"HTTP {status}")
    return outcome_of_status(status)


def _location_path(location: str) -> str:
    """The path of a ``Location`` (absolute or relative), without query or fragment."""
    try:
        path = urlsplit(location.strip()).path
    except ValueError:
        return ""
    return path.rstrip("/") or "/"


# The target rule lives in auditmw.targets, the readers in auditmw.reading; their names
# stay importable from here for code written against this module.
__all__ = [
    "DEFAULT_RULES", "DENIED_CODES", "DENIED_EXCEPTIONS", "HTTP_EXCEPTIONS", "OutcomeRules",
    "dig", "error_info", "member", "normalise_code", "outcome_of_error", "outcome_of_field",
    "outcome_of_payload", "outcome_of_route", "outcome_of_status", "target_from_value",
    "target_in_value", "target_of", "target_with_arguments",
]
