"""One tenant's verifiable export (``auditmw export --tenant T --verifiable``) checked on
its own with the public key alone, on real SQLite and PostgreSQL stores: valid as made,
carrying no other tenant's content, and every kind of tampering named. Legal holds
through the command line: placed, listed, lifted, each one an audit event and a signed
checkpoint, and the store still verifies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditmw.cli import main
from auditmw.event import AuditEvent
from auditmw.ids import format_time_ns, uuid7
from auditmw.integrity import purge_checkpointer, verify_files, verify_store
from auditmw.integrity.excerpt import write_excerpt
from auditmw.integrity.seals import load_public_key, load_signing_key
from auditmw.store import Query, Store, open_store
from auditmw.trail import AuditTrail
from support.intruder import key_pair

KEY = "tenant-export-key"
DAY_NS = 86_400 * 10**9
POLICY = {"default": 365, "categories": {"site_access": 90}}
TENANTS = ("acme", "globex", None, "globex")  # interleaved: acme every fourth event


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AUDITMW_HMAC_KEY", raising=False)
    monkeypatch.delenv("AUDITMW_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    return key_pair(tmp_path)


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """Two writers (two chains) of interleaved tenants; old site_access events purged
    from the middle of the first chain, so the store holds links too."""
    now = time.time_ns()
    for writer in range(2):
        trail = AuditTrail(store={"url": store_url, "retention_days": 3650}, sinks=[],
                           integrity={"key": KEY},
                           delivery={"spool_dir": str(tmp_path / f"spool{writer}")})
        for i in range(24):
            old = writer == 0 and i % 6 == 1
            ns = now - (200 * DAY_NS if old else (30 - i) * 10**9) + writer * 10**6
            trail.emit(AuditEvent(
                "siteAccess" if old else "createAssetGroup",
                "site_access" if old else "inventory_configuration", "other",
                details={"i": i, "w": writer, "note": f"s-{TENANTS[i % 4]}-{i}"},
                tenant=TENANTS[i % 4], id=uuid7(ns), time=format_time_ns(ns)))
        trail.close()
    opened = open_store(store_url, retention=POLICY)
    assert opened.purge(on_purge=purge_checkpointer(KEY)) == 4
    yield opened
    opened.close()


def export(store: Store, tenant: str, path: Path, priv: Path) -> dict[str, object]:
    with path.open("wb") as out:
        return write_excerpt(store, tenant, out.write, key=KEY,  # type: ignore[arg-type]
                             signer=load_signing_key(str(priv)))


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_tenant_export_verifies_with_the_public_key_alone(
        store: Store, tmp_path: Path, keys: tuple[Path, Path]) -> None:
    path = tmp_path / "acme.jsonl"
    record = export(store, "acme", path, keys[0])
    acme = {e["id"] for e in store.iter_events(Query(tenant=("acme",)))}
    # Both chains start with an acme event: every other position is a link (the four
    # purged events' among them).
    assert record["counts"] == {"events": len(acme), "links": 48 - len(acme)}
    got = lines(path)
    assert {e["id"] for e in got if e.get("schema") == "auditmw/1"} == acme
    # Nothing of another tenant: no name, no content, no id.
    text = path.read_text()
    others = [e for e in store.iter_events(Query()) if e.get("tenant") != "acme"]
    assert "globex" not in text
    assert "s-None" not in text
    assert not any(e["id"] in text for e in others)
    report = verify_files(path, public_key=load_public_key(str(keys[1])))
    assert report.valid, report.summary()
    assert verify_files(path, KEY).valid  # the operator, with the key, too


def test_a_tampered_export_fails_and_says_where(store: Store, tmp_path: Path,
                                                keys: tuple[Path, Path]) -> None:
    path = tmp_path / "acme.jsonl"
    export(store, "acme", path, keys[0])
    public = load_public_key(str(keys[1]))
    original = path.read_text().splitlines()
    acme_lines = [n for n, line in enumerate(original) if '"schema":"auditmw/1"' in line]
    link_lines = [n for n, line in enumerate(original) if '"auditmw/link"' in line]

    def verdict(changed: list[str], key: str | None = None) -> list[tuple[str, int | None]]:
        path.write_text("\n".join(changed) + "\n")
        report = verify_files(path, key, public_key=None if key else public)
        assert not report.valid
        return [(p.kind, p.first_seq) for p in report.all_problems()]

    edited = list(original)
    edited[acme_lines[1]] = edited[acme_lines[1]].replace('"s-acme-', '"s-acne-')
    assert ("modified", None) in verdict(edited)  # the seal's digest no longer matches
    seq = json.loads(original[acme_lines[1]])["integrity"]["seq"]
    assert ("modified", seq) in verdict(edited, KEY)  # with the key: which event

    dropped = [line for n, line in enumerate(original) if n != acme_lines[2]]
    gone = json.loads(original[acme_lines[2]])["integrity"]["seq"]
    assert ("missing", gone) in verdict(dropped)

    no_link = [line for n, line in enumerate(original) if n != link_lines[3]]
    assert ("missing", json.loads(original[link_lines[3]])["seq"]) in verdict(no_link)

    cut = original[:-1]  # without the closing record: the links vouch for nothing
    assert verdict(cut)

    forged = list(original)
    closing = json.loads(forged[-1])
    closing["digest"] = "sha256:" + "0" * 64
    forged[-1] = json.dumps(closing)
    assert ("bad signature", None) in verdict(forged)


def test_an_export_for_a_tenant_with_no_events_is_empty_but_valid(
        store: Store, tmp_path: Path, keys: tuple[Path, Path]) -> None:
    path = tmp_path / "none.jsonl"
    record = export(store, "initech", path, keys[0])
    assert record["counts"] == {"events": 0, "links": 0}
    assert len(lines(path)) == 2


def test_hold_commands_export_and_verify_end_to_end(store_url: str, store: Store,
                                                    tmp_path: Path, keys: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    config = tmp_path / "auditmw.toml"
    config.write_text(
        f'sinks = []\n[store]\nurl = "{store_url}"\n'
        'retention = {default = 365, categories = {site_access = 90}}\n'
        f'[integrity]\nkey = "{KEY}"\nsigning_key = "{keys[0]}"\n'
        f'[delivery]\nspool_dir = "{tmp_path / "spool-cli"}"\n')
    assert main(["hold", "add", "-c", str(config), "--tenant", "acme",
                 "--reason", "case 17"]) == 0
    assert "placed hold" in capsys.readouterr().out
    assert main(["hold", "list", "-c", str(config), "--json"]) == 0
    [held] = json.loads(capsys.readouterr().out)
    assert (held["tenant"], held["category"], held["reason"]) == ("acme", None, "case 17")
    assert main(["hold", "remove", "-c", str(config), held["id"]]) == 0
    assert main(["hold", "remove", "-c", str(config), held["id"]]) == 1  # not active now
    capsys.readouterr()
    # Each change is an event of acme's own trail and a checkpoint naming the hold.
    recorded = [e["event"] for e in store.iter_events(Query(tenant=("acme",)))
                if e["event"].endswith("LegalHold")]
    assert recorded == ["addLegalHold", "removeLegalHold"]
    holds = [c["hold"] for c in store.checkpoints() if "hold" in c]
    assert [(h["action"], h["id"]) for h in holds] == [("addLegalHold", held["id"]),
                                                       ("removeLegalHold", held["id"])]
    assert verify_store(store, KEY).valid
    out = tmp_path / "acme-cli.jsonl"
    assert main(["export", "-c", str(config), "--tenant", "acme", "--verifiable",
                 "-o", str(out), "-q"]) == 0
    assert main(["verify", str(out), "--public-key", str(keys[1])]) == 0
    assert "valid" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="exactly one tenant and no other filter"):
        main(["export", "-c", str(config), "--verifiable", "-o", str(out)])


async def test_the_data_api_serves_a_tenant_its_verifiable_export(
        store_url: str, store: Store, tmp_path: Path, keys: tuple[Path, Path]) -> None:
    """``/api/audit-trail/export?format=verifiable`` with a tenant key: that tenant's
    whole trail, checked with the public key alone; the operator names the tenant;
    anything else is a 4xx, never another tenant's events."""
    import httpx

    from auditmw.server import create_app

    trail = AuditTrail(store={"url": store_url, "retention": POLICY}, sinks=[],
                       integrity={"key": KEY, "signing_key": str(keys[0])},
                       delivery={"mode": "sync"})
    app = create_app(trail)
    ctx = app.state.audit
    acme = ctx.keys.create("acme-reader", ["audit_logs"], tenant="acme")[1]
    operator = ctx.keys.create("operator", ["audit_logs"])[1]
    transport = httpx.ASGITransport(app=app, client=("192.0.2.9", 4000))
    public = load_public_key(str(keys[1]))
    async with httpx.AsyncClient(transport=transport, base_url="http://audit.test") as c:
        async def export_as(key: str, **params: str) -> httpx.Response:
            return await c.get("/api/audit-trail/export", headers={"accessKey": key},
                               params={"format": "verifiable", **params})

        for answer in (await export_as(acme), await export_as(operator, tenant="acme")):
            assert answer.status_code == 200, answer.text
            assert "verifiable.jsonl" in answer.headers["content-disposition"]
            path = tmp_path / "served.jsonl"
            path.write_bytes(answer.content)
            assert b"globex" not in answer.content
            report = verify_files(path, public_key=public)
            assert report.valid, report.summary()
        assert (await export_as(acme, tenant="globex")).status_code == 403
        assert (await export_as(operator)).status_code == 400
        assert (await export_as(acme, event="siteAccess")).status_code == 400
    for owned in ctx.owned:
        owned.close()
    trail.close()
