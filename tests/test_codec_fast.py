"""The codec tries orjson without ``OPT_NON_STR_KEYS`` first: on every value it gives
the bytes of the one-step encoding it replaced (full options, then the widened copy),
keys of any type included."""

from __future__ import annotations

import enum
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from auditmw import codec


class Tag(str):
    pass


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def reference(value: Any, option: int) -> bytes:
    """The encoding before the str-keys attempt: one orjson call with every option."""
    try:
        out = orjson.dumps(value, default=codec._fallback, option=option)
    except orjson.JSONEncodeError:
        out = orjson.dumps(codec._widen(value), default=codec._fallback, option=option)
    for raw, escaped in codec._RAW_BREAKS:
        out = out.replace(raw, escaped)
    return out


texts = st.one_of(st.text(max_size=12), st.sampled_from(
    ["\u2028", "\ud800x", "a\u0085b", 'q"uote', "é ü 漢", "b", "a", "B"]))
keys = st.one_of(texts, texts.map(Tag), st.just(Colour.RED), st.integers(-3, 3),
                 st.just(Level.HIGH), st.booleans(), st.none(), st.floats(-2, 2))
leaves = st.one_of(texts, texts.map(Tag), st.none(), st.booleans(),
                   st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                   st.just(2**64 + 1), st.just(Colour.RED), st.just(b"by\xfftes"),
                   st.just(frozenset({"x", "y"})))
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4),
    st.dictionaries(texts, inner, max_size=4)), max_leaves=25)


@settings(max_examples=600, deadline=None)
@given(values)
def test_the_codec_gives_the_one_step_bytes(value: Any) -> None:
    assert codec.dumps(value) == reference(value, codec._OPTIONS)
    assert codec.dumps_line(value) == reference(value, codec._LINE_OPTIONS)


def test_a_key_not_exactly_a_str_takes_the_full_options() -> None:
    assert codec.dumps({Tag("b"): 1, "a": 2, 1: 3}) == b'{"1":3,"a":2,"b":1}'
    assert codec.dumps({"z": {Colour.RED: 1}, "a": [{None: 2}]}) == \
        b'{"a":[{"null":2}],"z":{"red":1}}'
    assert codec.dumps_line({"\ud800": 2**70, "b": {"a": 1}}) == \
        b'{"\\\\ud800":"1180591620717411303424","b":{"a":1}}\n'
