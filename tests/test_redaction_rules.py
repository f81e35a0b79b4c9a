"""The secret-key rules, value shapes and by-value cutting, one rule at a time."""

from __future__ import annotations

from typing import Any

import pytest

from auditmw.errors import ConfigError
from auditmw.processors import REDACTED, Redactor, Truncator
from auditmw.redaction import BUILTIN_SECRET_FRAGMENTS, BUILTIN_SECRET_WORDS, KeyRule
from auditmw.trail import AuditTrail

RULE = KeyRule()

SECRET_KEYS = [
    "password", "userPassword", "PASSWORD", "passwd", "pwd", "db_pwd", "pass", "userPass",
    "pass_phrase", "passphrase", "passcode", "auth", "x-auth", "authHeader", "bearer",
    "bearerToken", "jwt", "idJwt", "otp", "otpCode", "totp", "mfa_code", "pin", "userPIN",
    "pinCode", "signing_key", "signingKey", "encryption_key", "EncryptionKey", "api-key",
    "apiKey", "X_Access_Key", "private_key", "privKey", "master_key", "client_secret",
    "secretValue", "refresh_token", "csrf", "xsrfToken", "session", "sessionId", "cookie",
    "credentials", "creds", "authorization", "auth_key", "cvv", "cvc", "pw",
]
HARMLESS_KEYS = [
    "pinned", "spinner", "pineapple", "author", "authorId",
    "authority", "passenger", "bypass", "compass", "footprint", "hotpot", "name", "id",
    "key", "keyId", "groupKey", "passage", "topic", "description", "spin", "opinion",
    "email",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_key_spellings_are_secret(key: str) -> None:
    assert RULE(key), key


@pytest.mark.parametrize("key", HARMLESS_KEYS)
def test_harmless_lookalikes_are_kept(key: str) -> None:
    assert not RULE(key), key


def test_the_documented_lists_are_the_ones_in_force() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "redaction.md").read_text()
    for item in (*BUILTIN_SECRET_FRAGMENTS, *BUILTIN_SECRET_WORDS):
        assert f"`{item}`" in doc, item


@pytest.mark.parametrize("text", [
    "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2lnbmF0dXJlLXh5eg",
    "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2lnbmF0dXJl",
    "key AKIAIOSFODNN7EXAMPLE here",
    "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "xoxb-1234567890-abcdefghij",
])
def test_secret_shapes_are_masked_under_any_key(text: str) -> None:
    event: dict[str, Any] = {"event": "x", "details": {"note": text, "list": [text]},
                             "error": {"type": "E", "message": f"failed: {text}"}}
    out = Redactor()(event)
    for value in (out["details"]["note"], out["details"]["list"][0], out["error"]["message"]):
        assert REDACTED in value
        for piece in ("AKIAIOSFODNN7EXAMPLE", "MIIEpAIBAAKCAQEA", "b3BlbnNzaC1rZXktdjEAAAAA",
                      "eyJzdWIiOiJraW0ifQ", "abcdefghijklmnop"):
            assert piece not in value


def test_a_removed_value_is_cut_from_every_other_string() -> None:
    secret = "s3cr3t-value-91"
    event: dict[str, Any] = {
        "event": "x", "details": {"user": {"password": secret}, "name": "n"},
        "error": {"type": "GraphQLError",
                  "message": f"Variable '$u' got invalid value {{'password': '{secret}'}}"},
        "target": {"id": secret, "name": f"x-{secret}"},
        "request": {"path": f"/reset/{secret}", "id": secret, "operation": "Op"},
        "client": {"ip": "1.2.3.4", "user_agent": f"ua {secret}"},
    }
    out = Redactor()(event)
    assert secret not in repr(out)
    assert out["request"]["operation"] == "Op"
    assert out["details"]["name"] == "n"


@pytest.mark.parametrize("message", [
    "Variable '$u' got invalid value 'kim-pw-4821' at 'u.password'; Expected type 'Int'.",
    "bad input {'pin': 'kim-pw-4821', 'name': 'ok'}",
    'bad input {"otp": "kim-pw-4821"}',
    "login failed for passphrase=kim-pw-4821",
])
def test_secret_pairs_in_messages_are_masked_even_when_not_in_details(message: str) -> None:
    out = Redactor()({"event": "x", "details": {},
                      "error": {"type": "E", "message": message}})
    assert "kim-pw-4821" not in out["error"]["message"]


def test_short_values_are_masked_in_place_but_not_cut_elsewhere() -> None:
    out = Redactor()({"event": "x", "details": {"pin": "12"},
                      "request": {"path": "/items/12"}})
    assert out["details"]["pin"] == REDACTED
    assert out["request"]["path"] == "/items/12"


@pytest.mark.parametrize("level", ["none", "keys", "redacted"])
def test_secrets_are_cut_from_messages_at_every_details_level(level: str) -> None:
    out = Redactor(details=level)({
        "event": "x", "details": {"password": "hunter2-xyz"},
        "error": {"type": "E", "message": "rejected hunter2-xyz"}})
    assert "hunter2-xyz" not in repr(out)


def test_a_sensitive_entry_never_takes_its_target_from_an_argument() -> None:
    key = "AbCdEf-credential-material-0042"
    out = Redactor(sensitive_events=["createCredential"])({
        "event": "createCredential", "details": {"key": key, "label": "ci"},
        "target": {"type": "Credential", "id": key, "name": "ci"},
        "error": {"type": "E", "message": f"duplicate {key}"}})
    assert key not in repr(out)
    assert "id" not in out["target"]
    assert "name" not in out["target"]
    assert out["details"] == {"key": None, "label": None}


def test_redact_values_extends_the_shapes_and_is_checked_at_start() -> None:
    out = Redactor(extra_values=[r"\bINT-[0-9]{6}\b"])({
        "event": "x", "details": {"ticket": "see INT-123456 now"}})
    assert out["details"]["ticket"] == f"see {REDACTED} now"
    with pytest.raises(ConfigError, match=r"capture.redact_values"):
        AuditTrail(store=False, sinks=[], capture={"redact_values": ["(unclosed"]})
    with pytest.raises(ConfigError, match=r"empty string"):
        AuditTrail(store=False, sinks=[], capture={"redact_values": ["a*"]})


def test_every_header_derived_string_obeys_the_limit() -> None:
    huge = "r" * 12_000
    out = Truncator(max_string_chars=128)({
        "details": {}, "request": {"id": huge, "path": "/p" + huge},
        "client": {"user_agent": huge, "forwarded": huge},
        "actor": {"id": huge, "name": huge, "type": "user"}})
    for section, key in [("request", "id"), ("request", "path"), ("client", "user_agent"),
                         ("client", "forwarded"), ("actor", "id"), ("actor", "name")]:
        assert len(out[section][key]) < 200, (section, key)
        assert "truncated" in out[section][key]
