"""The pipeline's fused redact-and-cut path gives the very bytes of Redactor then
Truncator (the readable reference), on random events; the built-in shapes' literals
pre-filter nothing that a shape matches; a long string's scan is bounded without
letting a secret at the cut through."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditmw import codec
from auditmw.processors import REDACTED, Redactor, Truncator
from auditmw.redact_cut import RedactAndCut
from auditmw.redaction import (
    BUILTIN_SHAPE_LITERALS,
    BUILTIN_VALUE_PATTERNS,
    MIN_CUT_CHARS,
    SHAPE_MARGIN,
    ShapeMasker,
    compile_value_patterns,
    spellings,
)

SECRETS = ["hunter2-Pa55!", "t-123", "Bearer abcdefgh12345678", "AKIAABCDEFGHIJKLMNOP",
           "eyJhbGciOi.eyJzdWIiOi.sig", "ghp_" + "a" * 24, "sk_live_" + "b" * 20, "ab"]
KEYS = ["name", "password", "apiToken", "pin", "pinned", "user.pass", "tags", "rules",
        "value", "X-Api-Key", "k" * 40, "session_id", "note"]

texts = st.one_of(st.sampled_from(SECRETS), st.text(max_size=30),
                  st.builds(lambda a, s, b: a + s + b, st.text(max_size=8),
                            st.sampled_from(SECRETS), st.text(max_size=8)),
                  st.builds(lambda n, s: "x" * n + s, st.integers(0, 80),
                            st.sampled_from(SECRETS)))
leaves = st.one_of(texts, st.none(), st.booleans(), st.integers(-2**70, 2**70),
                   st.floats(allow_nan=False), st.just(2**64 + 1))
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12), st.integers(-3, 3))
details = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(keys, inner, max_size=5)),
    max_leaves=25)
strings = st.one_of(texts, st.none())


def build_event(draw: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": draw(st.sampled_from(["createThing", "rotateKey"])),
        "details": draw(st.one_of(st.dictionaries(keys, details, max_size=6), details)),
        "target": {"type": draw(strings), "id": draw(strings), "name": draw(strings)},
        "request": {"method": "POST", "path": draw(strings), "status": draw(
            st.sampled_from([200, 200.0, True, None])), "operation": draw(strings)},
        "client": {"ip": draw(strings), "user_agent": draw(strings)},
        "actor": {"id": draw(strings), "name": draw(strings), "type": "user"},
    }
    if draw(st.booleans()):
        event["error"] = {"type": "ValueError", "message": draw(st.one_of(
            texts, st.builds(lambda s: f"Variable '$u' got invalid value {{'password': "
                                       f"'{s}'}} at 'u.password'", texts)))}
    if draw(st.booleans()):
        event["actor"]["on_behalf_of"] = {"id": draw(strings), "name": draw(strings)}
    return event


@st.composite
def events(draw: Any) -> dict[str, Any]:
    return build_event(draw)


def pair(max_chars: int = 64, max_bytes: int = 400, **options: Any
         ) -> tuple[Redactor, Truncator]:
    return (Redactor(sensitive_events=["rotateKey"], keep=max_chars, **options),
            Truncator(max_chars, max_bytes))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.sampled_from([{}, {"mode": "hash", "hash_key": "k"},
                                  {"extra_values": [r"\bINT-[0-9]{3}\b"]},
                                  {"extra_keys": ["note"]}, {"details": "keys"}]),
       st.sampled_from([16, 64, 2048]))
def test_fused_path_gives_the_reference_bytes(event: dict[str, Any], options: dict[str, Any],
                                              max_chars: int) -> None:
    redactor, truncator = pair(max_chars, **options)
    fused = RedactAndCut(*pair(max_chars, **options))
    expected = codec.dumps(truncator(redactor(copy.deepcopy(event))))
    # twice: the second run answers from the caches the first one filled
    assert codec.dumps(fused(copy.deepcopy(event))) == expected
    assert codec.dumps(fused(copy.deepcopy(event))) == expected


def test_fused_path_keeps_types_the_reference_keeps() -> None:
    class Flag(str):
        pass

    redactor, truncator = pair()
    fused = RedactAndCut(*pair())
    event = {"event": "e", "details": {1: (1, 2.0), Flag("password"): "x", "f": Flag("y"),
                                       "s": {"a"}},
             "request": {"status": 200.0}, "target": {"id": Flag("abcd")}}
    assert fused(copy.deepcopy(event)) == truncator(redactor(copy.deepcopy(event)))
    # a cached section must not answer for an equal one of another type
    assert codec.dumps(fused({"event": "e", "request": {"status": 200}})) == \
        b'{"details":{},"event":"e","request":{"status":200}}'
    assert codec.dumps(fused({"event": "e", "request": {"status": 200.0}})) == \
        b'{"details":{},"event":"e","request":{"status":200.0}}'


def nested(depth: int, leaf: Any, kinds: str) -> Any:
    value = leaf
    for n in range(depth):
        kind = kinds[n % len(kinds)]
        value = {"k": value, "password": f"p{n}-secret", "n": n, "s": "Bearer abcdefgh12345678"} \
            if kind == "d" else [value, "x" * 70, n, ("t", 2.5)]
    return value


@pytest.mark.parametrize("kinds", ["d", "l", "dl", "ldd"])
@pytest.mark.parametrize("depth", [31, 32, 33, 34, 40])
def test_deep_details_give_the_reference_bytes(depth: int, kinds: str) -> None:
    event = {"event": "e", "details": {"deep": nested(depth, "AKIAQWERTYUIOPASDFGH", kinds)},
             "target": {"name": "p3-secret in a name"}}
    redactor, truncator = pair(64)
    fused = RedactAndCut(*pair(64))
    expected = codec.dumps(truncator(redactor(copy.deepcopy(event))))
    assert codec.dumps(fused(copy.deepcopy(event))) == expected
    assert codec.dumps(fused(copy.deepcopy(event))) == expected


def test_a_section_seen_before_still_loses_a_secret_it_now_holds() -> None:
    fused = RedactAndCut(*pair(64))
    clean = {"event": "e", "details": {"name": "x"}, "target": {"name": "rack hunter2-Pa55!"}}
    assert fused(copy.deepcopy(clean))["target"]["name"] == "rack hunter2-Pa55!"
    leaked = {**clean, "details": {"password": "hunter2-Pa55!"}}
    assert fused(copy.deepcopy(leaked))["target"]["name"] == f"rack {REDACTED}"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(BUILTIN_VALUE_PATTERNS).flatmap(
    lambda p: st.tuples(st.just(p), st.from_regex(p, fullmatch=True))))
def test_every_builtin_shape_holds_a_literal(case: tuple[str, str]) -> None:
    pattern, text = case
    assert re.fullmatch(pattern, text)
    masker = ShapeMasker(compile_value_patterns(), builtin_only=True)
    assert masker.could_match(text), (pattern, text)
    assert any(lit in text for lit in BUILTIN_SHAPE_LITERALS) or "bearer" in text.lower()


def test_extra_patterns_are_never_prefiltered() -> None:
    masker = ShapeMasker(compile_value_patterns([r"INT-\d{3}"]), builtin_only=False)
    assert masker.mask("ref INT-123 here") == f"ref {REDACTED} here"


SHAPES_AT_THE_CUT = {
    "bearer": "Bearer " + "Z" * 300,
    "jwt": "eyJ" + "h" * 40 + ".eyJ" + "p" * 900 + "." + "s" * 300,
    "aws": "AKIAQWERTYUIOPASDFGH",
    "github": "ghp_" + "g" * 40,
    "pem": "-----BEGIN RSA PRIVATE KEY-----\n" + "M" * 3000 + "\n-----END RSA PRIVATE KEY-----",
}


def test_a_shape_straddling_the_cut_of_a_200_kb_string_is_masked() -> None:
    keep = 2048
    redactor, truncator = pair(keep, 1 << 20)
    fused = RedactAndCut(*pair(keep, 1 << 20))
    for name, secret in SHAPES_AT_THE_CUT.items():
        for start in (keep - 30, keep - 5, max(10, keep - len(secret) + 10)):
            text = "w " * (start // 2) + "." * (start % 2) + secret + " tail" * 40_000
            event = {"event": "e", "details": {"arg": text}, "error": {"message": text}}
            out = fused(copy.deepcopy(event))
            assert out == truncator(redactor(copy.deepcopy(event)))
            for kept in (out["details"]["arg"], out["error"]["message"]):
                assert kept.startswith("w w ")
                # no recognisable fragment: the kept text holds none of the secret's
                # characters past its first few (its prefix literal, at most)
                assert secret[5:17] not in kept, (name, start)


class Recording:
    """A pattern that records the length of every text it is asked to scan."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.scanned: list[int] = []

    def sub(self, repl: str, text: str) -> str:
        self.scanned.append(len(text))
        return self.pattern.sub(repl, text)


def test_a_200_kb_argument_is_scanned_only_as_far_as_its_kept_part() -> None:
    text = "password=value; Bearer " + "t" * 30 + " " * 200_000 + "Bearer " + "u" * 30
    recording = Recording(compile_value_patterns())
    redactor = Redactor(keep=2048)
    redactor.shapes = ShapeMasker(recording, builtin_only=True)  # type: ignore[arg-type]
    redactor.scrubber.shapes = redactor.shapes
    out = RedactAndCut(redactor, Truncator(2048))(
        {"event": "e", "details": {"arg": text}, "error": {"message": text}})
    assert recording.scanned == [2048 + SHAPE_MARGIN, 2048 + SHAPE_MARGIN]
    assert out["details"]["arg"].startswith(f"password=value; {REDACTED} ")
    assert out["error"]["message"].startswith(f"password={REDACTED}; {REDACTED} ")
    # unbounded (no truncation to rely on), the whole text is scanned
    assert ShapeMasker(recording, builtin_only=True).mask(text)  # type: ignore[arg-type]
    assert recording.scanned[-1] == len(text)


def test_masking_that_shrinks_the_scan_extends_it() -> None:
    keep = 100
    masker = ShapeMasker(compile_value_patterns(), builtin_only=True)
    tokens = ("Bearer " + "q" * 500 + " ") * 20  # ~10 KB that masks down to ~220 chars
    text = tokens + "AKIAQWERTYUIOPASDFGH " * 400
    out = masker.mask(text, keep)
    assert "AKIAQWERTYUIOPASDFGH" not in out[: keep + SHAPE_MARGIN // 2]
    assert "q" * 20 not in out[: keep + SHAPE_MARGIN // 2]


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=12), st.text(alphabet="ab'\"\\ \t\u00e9", max_size=8),
                 st.sampled_from(["t-123", "it's", 'say "x"', "a\\b", "ab", "mixed ' and \""])))
def test_spellings_fast_path_gives_every_quoted_form(value: str) -> None:
    expected = {value, json.dumps(value)[1:-1], repr(value)[1:-1]}
    assert spellings(value) == {s for s in expected if len(s) >= MIN_CUT_CHARS}


# --- runs of events: what one event's caches hold never answers wrongly for the next --

class Claims(str):
    """A string that claims to equal (and hash as) any cached value it is compared with."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return hash("POST")


class Status(int):
    pass


class Flag(str):
    pass


POOL = ["POST", "/graphql", "Ann Example", "rack hunter2-Pa55!", "t-123", "group t-123",
        "AKIAQWERTYUIOPASDFGH", "token=abc123", "x" * 70, "203.0.113.7", "ab", ""]
pooled = st.one_of(st.sampled_from(POOL), st.none(), st.sampled_from([200, 200.0, True]),
                   st.builds(Status, st.just(200)), st.builds(Flag, st.sampled_from(POOL)),
                   st.just(Claims("AKIAQWERTYUIOPASDFGH")))


@st.composite
def repeating_events(draw: Any) -> dict[str, Any]:
    """Events whose section values come from a small pool, so that a run of them meets
    values the fused path's caches hold, and removed values that some of them hold."""
    event: dict[str, Any] = {
        "event": "createThing",
        "details": draw(st.sampled_from([{}, {"name": "x"}, {"password": "hunter2-Pa55!"},
                                         {"apiToken": "t-123", "tags": ["a"]},
                                         {"note": "token=abc123"}])),
    }
    for section, members in (("target", ("type", "id", "name")),
                             ("request", ("method", "path", "status")),
                             ("client", ("ip", "user_agent")), ("actor", ("id", "name")),
                             ("error", ("message",))):
        kind = draw(st.sampled_from(["dict", "dict", "dict", "none", "odd"]))
        if kind == "dict":
            event[section] = {m: draw(pooled) for m in members}
        elif kind == "odd":
            event[section] = draw(st.sampled_from([{"nested": {"v": "x" * 70}}, "", {}]))
    return event


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(repeating_events(), min_size=2, max_size=8), st.sampled_from([16, 64]))
def test_a_run_of_events_gives_the_reference_events(run: list[dict[str, Any]],
                                                       max_chars: int) -> None:
    fused = RedactAndCut(*pair(max_chars))
    for event in run:
        redactor, truncator = pair(max_chars)
        expected = truncator(redactor(copy.deepcopy(event)))
        got = fused(copy.deepcopy(event))
        assert codec.dumps(got) == codec.dumps(expected)
        assert got == expected


def test_a_string_claiming_to_be_a_cached_one_is_still_scrubbed() -> None:
    fused = RedactAndCut(*pair(2048))
    fused({"event": "e", "request": {"method": "POST"}})  # caches "POST"
    out = fused({"event": "e", "request": {"method": Claims("key AKIAQWERTYUIOPASDFGH")}})
    assert "AKIA" not in codec.dumps(out).decode()
