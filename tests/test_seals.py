"""Ed25519 checkpoints: a seal written on the host, shipped off it, and checked later by
someone who holds only the public key — against the file trail and both stores."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from auditmw import codec
from auditmw.cli import main
from auditmw.config import load_config
from auditmw.errors import ConfigError
from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import verify_store
from auditmw.integrity.seals import load_public_key
from auditmw.store import open_store
from auditmw.trail import AuditTrail
from support.intruder import key_pair

DAY_NS = 86_400 * 10**9


def verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDITMW_HMAC_KEY", raising=False)
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def write_file_trail(path: Path, n: int) -> None:
    """A plain SHA-256 chain: anyone can check its hashes; the seal says who vouched."""
    trail = AuditTrail(store=False, sinks=[{"type": "file", "path": str(path)}],
                       integrity={"key": ""},
                       delivery={"spool_dir": str(path.parent / "spool")})
    for i in range(n):
        trail.record("deleteScope", details={"i": i})
    trail.close()


def test_a_shipped_seal_lets_a_third_party_catch_a_rewritten_tail(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file_trail(path, 10)
    priv, pub = key_pair(tmp_path)
    shipped = tmp_path / "offsite" / "seals.jsonl"
    code, out = verify(capsys, str(path), "--checkpoint", "--signing-key", str(priv),
                       "--seal-out", str(shipped))
    assert code == 0, out
    [seal] = [json.loads(line) for line in shipped.read_text().splitlines()]
    assert seal["kind"] == "seal"
    assert seal["public_signature"].startswith("ed25519:")
    # The auditor: the trail, the shipped seal, the public key — no secret.
    code, out = verify(capsys, str(path), "--public-key", str(pub), "--seals", str(shipped))
    assert code == 0, out
    # Someone on the host drops the last three events and the on-host checkpoint file;
    # the plain SHA-256 chain alone would still look whole.
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-3]))
    (tmp_path / "audit.jsonl.checkpoints").unlink()
    assert verify(capsys, str(path))[0] == 0  # unkeyed, no seal: nothing to tell
    code, out = verify(capsys, str(path), "--public-key", str(pub), "--seals", str(shipped))
    assert code == 1
    assert "truncated tail" in out


def test_a_forged_or_foreign_seal_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file_trail(path, 6)
    priv, pub = key_pair(tmp_path)
    other_priv, _ = key_pair(tmp_path, "intruder")
    shipped = tmp_path / "seals.jsonl"
    assert verify(capsys, str(path), "--checkpoint", "--signing-key", str(priv),
                  "--seal-out", str(shipped))[0] == 0
    [seal] = [codec.loads(line) for line in shipped.read_bytes().splitlines()]
    # An edited seal (it claims the chain ended earlier), re-hashed with plain SHA-256:
    edited = dict(seal)
    edited["chains"] = {c: {**v, "seq": 3} for c, v in seal["chains"].items()}
    from auditmw.integrity.chain import digest

    body = codec.dumps({k: v for k, v in edited.items() if k != "signature"})
    edited["signature"] = digest(body, b"")
    forged = tmp_path / "forged.jsonl"
    forged.write_bytes(codec.dumps_line(edited))
    code, out = verify(capsys, str(path), "--public-key", str(pub), "--seals", str(forged))
    assert code == 1
    assert "Ed25519 signature does not match" in out
    # A seal signed by someone else's key:
    foreign = tmp_path / "foreign.jsonl"
    (tmp_path / "audit.jsonl.checkpoints").unlink()
    assert verify(capsys, str(path), "--checkpoint", "--signing-key", str(other_priv),
                  "--seal-out", str(foreign))[0] == 0
    code, out = verify(capsys, str(path), "--public-key", str(pub), "--seals", str(foreign))
    assert code == 1
    assert "not by the given key" in out


def test_purge_checkpoints_of_a_store_signed_and_checked_with_the_public_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The app holds the signing key ([integrity] signing_key): its retention purge
    signs what it removed, so an auditor with the public key sees a purge, not a gap."""
    priv, pub = key_pair(tmp_path)
    url = f"sqlite:///{tmp_path}/audit.db"
    trail = AuditTrail(store={"url": url}, sinks=[],
                       integrity={"key": "", "signing_key": str(priv)},
                       delivery={"spool_dir": str(tmp_path / "spool")})
    now = time.time_ns()
    for i in range(6):
        ns = now - 400 * DAY_NS + i * 10**9 if i < 3 else now - (6 - i) * 10**9
        trail.emit(AuditEvent("deleteScope", "inventory_configuration", "delete",
                              id=uuid7(ns), time=format_time_ns(ns), details={"i": i}))
    trail.flush()
    # The background purge (started by the first write) may have purged some already:
    # then there are two checkpoints, both signed.
    trail.sinks[0].purge_now()  # type: ignore[attr-defined]
    trail.close()
    store = open_store(url)
    try:
        records = store.checkpoints()
        assert records
        assert all(r["public_signature"].startswith("ed25519:") for r in records)
        report = verify_store(store, "", public_key=load_public_key(pub))
        assert report.valid, report.summary()
        assert report.chains[0].purged_through == 3
        # Without its signature the same purge checkpoint is not trusted by the auditor.
        _, other_pub = key_pair(tmp_path, "other")
        report = verify_store(store, "", public_key=load_public_key(other_pub))
        kinds = sorted({p.kind for p in report.all_problems()})
        assert kinds == ["bad signature", "missing"]
    finally:
        store.close()
    assert verify(capsys, url, "--public-key", str(pub))[0] == 0


def test_a_bad_signing_key_fails_at_start_naming_the_key_path(tmp_path: Path) -> None:
    config = tmp_path / "auditmw.toml"
    config.write_text('[integrity]\nsigning_key = "missing.pem"\n')
    with pytest.raises(ConfigError, match=r"integrity\.signing_key") as caught:
        load_config(str(config))
    assert "missing.pem" in str(caught.value)
    (tmp_path / "not-a-key.pem").write_text("hello\n")
    config.write_text('[integrity]\nsigning_key = "not-a-key.pem"\n')
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_config(str(config))


def test_usage_errors_are_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "audit.jsonl"
    write_file_trail(path, 2)
    code, out = verify(capsys, str(path), "--seal-out", "x.jsonl")
    assert code == 2
    assert "--seal-out needs --checkpoint" in out
    code, out = verify(capsys, str(path), "--public-key", "nope.pem")
    assert code == 2
    assert "cannot read nope.pem" in out
    code, out = verify(capsys, str(path), "--seals", "nope.jsonl")
    assert code == 2
    assert "--seals nope.jsonl: no such file" in out
