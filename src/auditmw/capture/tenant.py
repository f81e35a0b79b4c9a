"""Which tenant a request belongs to: ``capture.tenant`` (SPEC §15), parsed once.

Forms:

- ``header:X-Site-Id`` — the header's value, believed only from a peer in
  ``capture.trusted_proxies`` (a client could send any value itself);
- ``host:{tenant}.example.com`` — the label of the ``Host`` header in that place;
- ``path:/sites/{tenant}/...`` — the path segment in that place;
- ``call:module:function`` — the app's own function, called with the request's
  :class:`TenantRequest`; it returns the tenant or ``None``;
- ``graphql_context:KEY.PATH`` — read by the GraphQL hooks from each operation's
  context (``context["site"].id``, ``context.request.state.tenant`` ...), as the actor's
  ``graphql_context:`` source reads the user; the HTTP doors see no tenant in it, so
  the request takes the tenant its GraphQL context names.

A tenant is a short printable string (at most :data:`MAX_TENANT_CHARS`); anything else is
no tenant rather than a label an attacker chose to be hard to read.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("auditmw")

MAX_TENANT_CHARS = 128
_FORMS = ("header:", "host:", "path:", "call:", "graphql_context:")
_SAFE = re.compile(r"^[\w.@:+-]{1,128}$")  # MAX_TENANT_CHARS


@dataclass(frozen=True, slots=True)
class TenantRequest:
    """What a ``call:`` tenant function is given. ``native`` is the ASGI scope or the
    WSGI environ; :meth:`header` reads any request header from it."""

    method: str
    path: str
    headers: Mapping[str, str]
    trusted_peer: bool
    native: Any = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        if name in self.headers:
            return self.headers[name]
        native = self.native
        if isinstance(native, Mapping):
            if "headers" in native and "type" in native:  # an ASGI scope
                wanted = name.encode("latin-1")
                for key, value in native.get("headers") or ():
                    if bytes(key).lower() == wanted:
                        return bytes(value).decode("latin-1")
                return None
            value = native.get("HTTP_" + name.upper().replace("-", "_"))  # WSGI environ
            return value if isinstance(value, str) else None
        return None


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value if _SAFE.match(value) else None


def _template(pattern: str, *, separator: str) -> re.Pattern[str]:
    """``/sites/{tenant}/...`` → a regex with one group for the tenant's place."""
    if pattern.count("{tenant}") != 1:
        raise ValueError("must hold {tenant} exactly once")
    head, tail = pattern.split("{tenant}")
    tail = tail.removesuffix("...")
    return re.compile("^" + re.escape(head) + f"([^{re.escape(separator)}]+)" + re.escape(tail),
                      re.IGNORECASE if separator == "." else 0)


class TenantRule:
    """One ``capture.tenant`` setting. :meth:`parse` raises ``ValueError`` saying what
    is allowed; :meth:`of` never raises."""

    def __init__(self, kind: str, argument: str) -> None:
        self.kind = kind
        self.argument = argument
        self.header: str | None = None
        self._pattern: re.Pattern[str] | None = None
        self._function: Callable[[TenantRequest], object] | None = None
        if kind == "header":
            if not argument.strip():
                raise ValueError("header: needs a header name")
            self.header = argument.strip().lower()
        elif kind == "host":
            self._pattern = _template(argument.strip().lower(), separator=".")
            self.header = "host"
        elif kind == "path":
            self._pattern = _template(argument.strip(), separator="/")
        elif kind == "graphql_context":
            if not argument.strip() or any(not part for part in argument.split(".")):
                raise ValueError("graphql_context: needs KEY.PATH (e.g. site.id)")
        else:
            module, _, name = argument.partition(":")
            if not module or not name:
                raise ValueError("call: needs module:function")
        self._failed = False

    @classmethod
    def parse(cls, text: str) -> TenantRule:
        for form in _FORMS:
            if text.startswith(form):
                return cls(form[:-1], text[len(form):])
        raise ValueError("must start with one of " + ", ".join(_FORMS))

    @property
    def needs_native(self) -> bool:
        """``call:`` rules are asked once the door has the native request at hand."""
        return self.kind == "call"

    @property
    def header_names(self) -> tuple[str, ...]:
        """Headers the door must keep for this rule."""
        return (self.header,) if self.header else ()

    def _call(self) -> Callable[[TenantRequest], object]:
        if self._function is None:
            module, _, name = self.argument.partition(":")
            self._function = getattr(importlib.import_module(module), name)
        return self._function

    def of_graphql_context(self, context: Any) -> str | None:
        """The tenant a GraphQL operation's context names (``graphql_context:`` rules
        only; ``None`` for every other form, and when the path leads nowhere)."""
        if self.kind != "graphql_context":
            return None
        from auditmw.capture.actor import dig

        value = dig(context, self.argument.strip())
        if value is not None and not isinstance(value, str):
            value = str(value) if isinstance(value, int) and not isinstance(value, bool) \
                else None
        return _clean(value)

    def of(self, request: TenantRequest) -> str | None:
        """The tenant of ``request``, or ``None``."""
        if self.kind == "graphql_context":  # the GraphQL hooks read it, not the doors
            return None
        try:
            if self.kind == "header":
                assert self.header is not None
                return _clean(request.headers.get(self.header)) if request.trusted_peer \
                    else None
            if self.kind == "host":
                host = request.headers.get("host", "").rsplit(":", 1)[0] \
                    if not request.headers.get("host", "").startswith("[") else ""
                found = self._pattern.match(host.lower()) if self._pattern else None
                return _clean(found.group(1)) if found else None
            if self.kind == "path":
                found = self._pattern.match(request.path) if self._pattern else None
                return _clean(found.group(1)) if found else None
            value = self._call()(request)
            return _clean(value) if isinstance(value, str) else None
        except Exception:
            if not self._failed:  # said once, not once per request
                self._failed = True
                log.exception("auditmw: capture.tenant %s:%s failed; events of such "
                              "requests carry no tenant", self.kind, self.argument)
            return None
