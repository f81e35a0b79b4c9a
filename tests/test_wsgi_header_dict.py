"""The WSGI door's header dict (read from the environ values its request thread copied,
where the events are built): a shortcut in C when every value is an exact string or
missing, compared here with the rule it replaces over generated environ values."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from auditmw.wsgi import AuditMiddleware


class Text(str):
    """A str subclass: the dict must hold its plain ``str()``, as before."""


MIDDLEWARE = AuditMiddleware(lambda environ, start: [], trail=AuditTrail(
    store=False, sinks=[MemorySink()], capture={"trusted_proxies": ["127.0.0.1"]},
    actor={"sources": ["header:X-User", "flask_login"]}))
NAMES = tuple(sorted(MIDDLEWARE.capture.header_names))


def reference(values: tuple[Any, ...]) -> dict[str, str]:
    return {name: str(value) for name, value in zip(NAMES, values, strict=True) if value}


def typed(headers: dict[str, str]) -> list[tuple[type, str, type, str]]:
    return [(type(k), k, type(v), v) for k, v in headers.items()]


value = st.one_of(st.none(), st.sampled_from(["", "1.2.3.4", "alice", "Mozilla/5.0"]),
                  st.text(max_size=4))
odd = st.one_of(value, st.builds(Text, st.sampled_from(["", "bob"])),
                st.integers(-1, 2), st.just(b"raw"), st.just(0.0))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_header_dict_is_the_rule_for_any_environ_values(data: st.DataObject) -> None:
    assert len(NAMES) >= 4  # the trusted proxy and actor headers are read
    kind = data.draw(st.sampled_from([value, odd]))
    values = [data.draw(kind) for _ in NAMES]
    if data.draw(st.booleans()):  # one odd value among exact strings
        values[data.draw(st.integers(0, len(NAMES) - 1))] = data.draw(odd)
    got = MIDDLEWARE._read_headers(tuple(values))
    assert type(got) is dict
    assert typed(got) == typed(reference(tuple(values)))


def test_a_str_subclass_or_a_number_among_strings_is_turned_into_str() -> None:
    values = ["alice"] * len(NAMES)
    for odd_value in (Text("bob"), 7, b"raw"):
        values[1] = odd_value
        got = MIDDLEWARE._read_headers(tuple(values))
        assert typed(got) == typed(reference(tuple(values)))
        assert type(got[NAMES[1]]) is str
    values[2] = None
    values[3] = ""
    assert NAMES[2] not in MIDDLEWARE._read_headers(tuple(values))
    assert NAMES[3] not in MIDDLEWARE._read_headers(tuple(values))
