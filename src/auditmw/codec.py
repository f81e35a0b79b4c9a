"""The one JSON serialisation every sink, store and hash uses.

Canonical form: keys sorted, no spaces, UTF-8, one line. U+0085, U+2028 and U+2029 are
escaped too, so a line can never be split by a reader (JavaScript, ``str.splitlines``)
that treats them as line breaks. Integers beyond 64 bits, which orjson refuses, and values
JSON has no type for are written as strings rather than lost. A lone surrogate (``"\\ud800"``
in a client's JSON decodes to one; UTF-8 cannot hold it) is written as the six characters
``\\ud800`` (:func:`safe_text`): a client cannot make its event unencodable, and so lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
_LINE_OPTIONS = _OPTIONS | orjson.OPT_APPEND_NEWLINE
# Tried first: without OPT_NON_STR_KEYS orjson takes every key as it is (a quarter less
# work on an event) and refuses any that is not exactly a str, and then the options
# above run. For exact-str keys the two give the same bytes (tests/test_codec_fast.py).
_STR_KEYS = _OPTIONS & ~orjson.OPT_NON_STR_KEYS
_LINE_STR_KEYS = _LINE_OPTIONS & ~orjson.OPT_NON_STR_KEYS
# Line breaks to str.splitlines (and JS) that JSON may leave raw; each UTF-8 sequence
# below can only be that character, so replacing bytes is safe.
_RAW_BREAKS = (("\u0085".encode(), b"\\u0085"), ("\u2028".encode(), b"\\u2028"),
               ("\u2029".encode(), b"\\u2029"))


def _fallback(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """``text`` with every lone surrogate as its ``\\udxxx`` escape, so UTF-8 can hold
    it; any other text unchanged. The one rule for text UTF-8 cannot encode: the JSON
    (below), the store's columns and the binary encoders all write it this way."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, lone surrogates escaped as :func:`safe_text` does."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


def _widen(value: Any) -> Any:
    """A copy orjson can write: every integer it cannot hold as a string, every text
    with a lone surrogate escaped (keys too)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return str(value)
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {_widen(k) if isinstance(k, str) else k: _widen(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_widen(v) for v in value]
    return value


def _encode(value: Any, first: int, option: int) -> bytes:
    try:
        out = orjson.dumps(value, default=_fallback, option=first)
    except orjson.JSONEncodeError:
        try:  # a key other than a str (or a value orjson refuses: then the copy below)
            out = orjson.dumps(value, default=_fallback, option=option)
        except orjson.JSONEncodeError:
            out = orjson.dumps(_widen(value), default=_fallback, option=option)
    if not out.isascii():  # the breaks below are multi-byte: ASCII output has none
        for raw, escaped in _RAW_BREAKS:
            if raw in out:
                out = out.replace(raw, escaped)
    return out


def dumps(value: Any) -> bytes:
    """Canonical JSON bytes (no trailing newline)."""
    return _encode(value, _STR_KEYS, _OPTIONS)


def dumps_line(value: Any) -> bytes:
    """Canonical JSON followed by one ``\\n``: a JSON-lines record (orjson appends it,
    so the line is not copied once more)."""
    return _encode(value, _LINE_STR_KEYS, _LINE_OPTIONS)


def dumps_str(value: Any) -> str:
    return dumps(value).decode("utf-8")


class Encoded(dict[str, Any]):
    """A finished event that carries its canonical JSON line (``dumps_line`` of itself),
    made once — by the chain, from the bytes it hashed; or, given none, when a consumer
    first asks — and read by every consumer that writes the event as it is: the file
    sink's line, the store's ``data`` column, the spool. :func:`line_of` and
    :func:`text_of` answer from it.

    Changing the dict through any of its methods drops the bytes (they are made again
    on the next read), and so does copying it; its nested parts are not watched — a
    finished event is read, never changed, by every sink."""

    __slots__ = ("_line",)  # unset until made or given (:func:`encoded`)
    #: the line, or what makes it (``None`` from it: encode in full), or nothing yet
    _line: bytes | Callable[[], bytes | None] | None

    def __setitem__(self, key: str, value: Any) -> None:
        self._line = None
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        self._line = None
        dict.__delitem__(self, key)

    def __ior__(self, other: Any) -> Encoded:  # type: ignore[override,misc]
        self._line = None
        dict.update(self, other)
        return self

    def pop(self, *args: Any) -> Any:
        self._line = None
        return dict.pop(self, *args)

    def popitem(self) -> tuple[str, Any]:
        self._line = None
        return dict.popitem(self)

    def setdefault(self, key: str, default: Any = None) -> Any:
        self._line = None
        return dict.setdefault(self, key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._line = None
        dict.update(self, *args, **kwargs)

    def clear(self) -> None:
        self._line = None
        dict.clear(self)

    def __copy__(self) -> dict[str, Any]:
        return dict(self)  # a copy may be changed: it carries no bytes

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self),)  # pickled and deep-copied as a plain dict


def encoded(event: dict[str, Any], line: bytes | Callable[[], bytes | None] | None
            ) -> Encoded:
    """``event`` as an :class:`Encoded` carrying ``line``, or what makes it when first
    read (it may answer ``None``: then, as for ``None`` here, the event is encoded in
    full). The dict is copied by C code, not an ``__init__`` of ours: this runs per
    event."""
    out = Encoded(event)
    out._line = line
    return out


def line_of(value: Any) -> bytes:
    """``dumps_line(value)``, from the bytes an :class:`Encoded` event carries."""
    if type(value) is Encoded:
        line = getattr(value, "_line", None)
        if type(line) is bytes:
            return line
        # made once (two threads asking at once both make the same bytes)
        made = line() if callable(line) else None
        value._line = made = dumps_line(value) if made is None else made
        return made
    return dumps_line(value)


def text_of(value: Any) -> str:
    """``dumps_str(value)``, from the bytes an :class:`Encoded` event carries."""
    if type(value) is Encoded:
        return line_of(value)[:-1].decode("utf-8")  # cheaper than a view, or decoding first
    return dumps_str(value)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    return orjson.loads(data)
