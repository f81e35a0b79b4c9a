"""Redaction and truncation: secrets never reach a sink, in any form or depth."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from auditmw import codec
from auditmw.processors import REDACTED, Redactor, Truncator
from auditmw.trail import AuditTrail

SECRET = "hunter2-Pa55!"

DETAILS = {
    "name": "group-1",
    "a": {"b": {"c": {"d": {"password": SECRET}}}},  # five levels deep
    "items": [{"token": SECRET}, {"ok": 1}, [{"client_secret": SECRET}]],
    "userPassword": SECRET,
    "api-key": SECRET,
    "X_Access_Key": SECRET,
    "sessionId": SECRET,
    "AUTHORIZATION": SECRET,
    "privateKeyPem": SECRET,
    "credentials": {"user": "u", "pass": "p"},
    "passwd": SECRET,
}


def trail_to(path: Path, **capture: Any) -> AuditTrail:
    integrity = {"key": "k-123"} if capture.get("redact") == "hash" else {}
    return AuditTrail(store=False, sinks=[{"type": "file", "path": str(path),
                                           "fsync": "never"}],
                      capture=capture, integrity=integrity)


def recorded_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_secrets_never_reach_the_file_sink(jsonl_path: Path) -> None:
    trail = trail_to(jsonl_path)
    trail.record("createAssetGroup", details=DETAILS)
    trail.close()
    raw = jsonl_path.read_bytes()
    assert SECRET.encode() not in raw
    details = recorded_lines(jsonl_path)[0]["details"]
    assert details["a"]["b"]["c"]["d"]["password"] == REDACTED
    assert details["items"][0]["token"] == REDACTED
    assert details["items"][2][0]["client_secret"] == REDACTED
    assert details["userPassword"] == details["api-key"] == details["X_Access_Key"] == REDACTED
    assert details["credentials"] == REDACTED  # the whole subtree under a secret key
    assert details["name"] == "group-1"
    assert details["items"][1] == {"ok": 1}


def test_hash_mode_correlates_without_revealing(jsonl_path: Path) -> None:
    trail = trail_to(jsonl_path, redact="hash")
    trail.record("createAssetGroup", details={"password": SECRET, "other": {"token": SECRET}})
    trail.record("updateAssetGroup", details={"password": SECRET})
    trail.record("updateAssetGroup", details={"password": "different"})
    trail.close()
    raw = jsonl_path.read_bytes()
    assert SECRET.encode() not in raw
    first, second, third = (line["details"] for line in recorded_lines(jsonl_path))
    expected = "hmac:" + hmac.new(b"k-123", codec.dumps(SECRET), hashlib.sha256).hexdigest()
    assert first["password"] == first["other"]["token"] == second["password"] == expected
    assert third["password"] != expected


def test_hash_differs_under_another_key() -> None:
    one = Redactor(mode="hash", hash_key="a").secret_value(SECRET)
    two = Redactor(mode="hash", hash_key="b").secret_value(SECRET)
    assert one != two
    assert one.startswith("hmac:")


@pytest.mark.parametrize(("level", "expected"), [
    pytest.param("none", {}, id="none"),
    pytest.param("keys", {"name": None, "password": None, "nested": {"x": None},
                          "list": [{"y": None}]}, id="keys"),
    pytest.param("redacted", {"name": "n", "password": REDACTED, "nested": {"x": 1},
                              "list": [{"y": 2}, 3]}, id="redacted"),
    pytest.param("full", {"name": "n", "password": SECRET, "nested": {"x": 1},
                          "list": [{"y": 2}, 3]}, id="full"),
])
def test_details_levels(jsonl_path: Path, level: str, expected: dict[str, Any]) -> None:
    trail = trail_to(jsonl_path, details=level)
    trail.record("createAssetGroup", details={"name": "n", "password": SECRET,
                                              "nested": {"x": 1}, "list": [{"y": 2}, 3]})
    trail.close()
    assert recorded_lines(jsonl_path)[0]["details"] == expected


def test_sensitive_entries_keep_keys_only_even_at_full(jsonl_path: Path) -> None:
    trail = trail_to(jsonl_path, details="full")
    trail.record("createCredential", details={"name": "db", "username": "admin",
                                              "config": {"host": "h"}})
    trail.close()
    assert recorded_lines(jsonl_path)[0]["details"] == {
        "name": None, "username": None, "config": {"host": None}}


def test_extra_redact_keys(jsonl_path: Path) -> None:
    trail = trail_to(jsonl_path, redact_keys=["ssn", "Card-Number"])
    trail.record("createAssetGroup", details={"SSN": "123", "cardNumber": "4111",
                                              "card_number_last4": "1111"})
    trail.close()
    details = recorded_lines(jsonl_path)[0]["details"]
    assert details == {"SSN": REDACTED, "cardNumber": REDACTED,
                       "card_number_last4": REDACTED}


def test_truncation_marks_long_strings_and_huge_details() -> None:
    cut = Truncator(max_string_chars=16, max_details_bytes=300)
    event = cut({"details": {"s": "x" * 40}, "error": {"type": "E", "message": "m" * 40}})
    assert event["details"]["s"] == "x" * 16 + "…[truncated 24 chars]"
    assert event["error"]["message"].startswith("m" * 16 + "…[truncated")
    huge = cut({"details": {f"k{i}": "v" * 15 for i in range(100)}})
    assert huge["details"]["_truncated"] is True
    assert huge["details"]["_bytes"] > 300
    assert "k0" in huge["details"]["_keys"]


def test_deep_nesting_is_bounded() -> None:
    deep: Any = "leaf"
    for _ in range(200):
        deep = {"n": deep}
    redacted = Redactor().redact(deep)
    assert "[TOO DEEP]" in json.dumps(redacted)
    assert "[TOO DEEP]" in json.dumps(Truncator().cut(deep))
