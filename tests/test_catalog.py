"""The built-in catalogue against the seed document, and user catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditmw.catalog import Catalog, derive_action
from auditmw.errors import ConfigError

# A word-for-word copy of the source document, so a fresh clone can run this test; when
# the project's shared/ folder sits beside the checkout, the copy is checked against it.
SEED = Path(__file__).resolve().parent / "data" / "seed_asset_inventory_audit_trail.txt"
SHARED_SEED = (Path(__file__).resolve().parents[2] / "shared" / "seeds"
               / "000_0600f1269dfaf84c.txt")
HEADINGS = {
    "Site access": "site_access",
    "Accounts configuration": "accounts_configuration",
    "Inventory configuration": "inventory_configuration",
    "Discovery configuration": "discovery_configuration",
    "Data extraction": "data_extraction",
}
ROW = re.compile(r"^([a-z][A-Za-z0-9]+)(?: \((?:UI|API)\))? (\S.*)$")


def seed_rows() -> list[tuple[str, str, str]]:
    """(name, category id, description) for every table row of the document, in order.

    A heading counts only when an ``Endpoint Description`` table follows it (the
    document also names the categories in a bullet list at the top).
    """
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    rows: list[tuple[str, str, str]] = []
    current: str | None = None
    for i, line in enumerate(lines):
        if line in HEADINGS and "Endpoint Description" in lines[i + 1 : i + 6]:
            current = HEADINGS[line]
            continue
        match = ROW.match(line)
        if current and match and line != "Endpoint Description":
            rows.append((match.group(1), current, match.group(2)))
    return rows


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_the_copy_is_the_source_document() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("shared/ is not beside this checkout")  # only the copy can be read
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_parser_sees_the_whole_document() -> None:
    rows = seed_rows()
    # 1 + 18 + 48 + 47 + 2 table rows in the document as published.
    assert len(rows) == 116
    assert rows[0][:2] == ("siteAccess", "site_access")
    assert rows[-1][:2] == ("exportFilteredAssets", "data_extraction")


def test_every_seed_name_is_catalogued_in_its_first_category(catalog: Catalog) -> None:
    first_category: dict[str, str] = {}
    listed_in: dict[str, set[str]] = {}
    for name, category, _ in seed_rows():
        first_category.setdefault(name, category)
        listed_in.setdefault(name, set()).add(category)
    missing = sorted(set(first_category) - set(catalog.entries))
    assert missing == []
    misfiled = {n: (catalog.entries[n].category, c) for n, c in first_category.items()
                if catalog.entries[n].category != c}
    assert misfiled == {}
    # The names the document lists in two categories are the AD user path targets.
    twice = sorted(n for n, cats in listed_in.items() if len(cats) > 1)
    assert twice == ["createAdUserPathScanningTarget", "deleteAdUserPathScanningTarget",
                     "updateAdUserPathScanningTarget"]


def test_descriptions_come_from_the_document(catalog: Catalog) -> None:
    for name, _, description in seed_rows():
        if name == "deleteAssets":
            continue  # (UI) and (API) rows differ; one entry, told apart by channel
        assert catalog.entries[name].description == description, name


def test_nothing_extra_but_auditmws_own_events(catalog: Catalog) -> None:
    names = {n for n, _, _ in seed_rows()}
    assert set(catalog.entries) - names == {"exportAuditTrail", "addLegalHold",
                                            "removeLegalHold"}
    assert {e.category for e in catalog.entries.values()
            if e.name.endswith("LegalHold")} == {"audit_administration"}
    entry = catalog.entries["exportAuditTrail"]
    assert (entry.category, entry.action) == ("data_extraction", "export")


def test_categories_and_display_names(catalog: Catalog) -> None:
    assert {c.id: c.name for c in catalog.categories.values()} == {
        **{v: k for k, v in HEADINGS.items()},
        "audit_administration": "Audit trail administration"}  # auditmw's own (holds)


def test_stored_actions_agree_with_derivation(catalog: Catalog) -> None:
    for entry in catalog:
        assert entry.action == derive_action(entry.name), entry.name


@pytest.mark.parametrize(("name", "action"), [
    pytest.param("createAssetGroup", "create", id="create"),
    pytest.param("addRole", "create", id="add"),
    pytest.param("scopesBulkUpdate", "update", id="verb-not-first"),
    pytest.param("securedBulkDeleteAssets", "delete", id="modifiers-skipped"),
    pytest.param("toggleBlockedAccount", "update", id="toggle"),
    pytest.param("mergeAssetGroups", "merge", id="merge"),
    pytest.param("resolveDedupConflict", "merge", id="dedup-resolution"),
    pytest.param("triggerScanNowByFilter", "trigger", id="trigger"),
    pytest.param("assetsResync", "trigger", id="resync"),
    pytest.param("exportView", "export", id="export"),
    pytest.param("siteAccess", "access", id="access"),
    pytest.param("leaveSite", "other", id="other"),
])
def test_derive_action(name: str, action: str) -> None:
    assert derive_action(name) == action


def test_sensitive_entries_are_the_credential_events(catalog: Catalog) -> None:
    assert sorted(e.name for e in catalog if e.sensitive) == [
        "createCredential", "deleteCredential", "shareHubCredential", "updateCredential"]


def test_operations_default_by_category(catalog: Catalog) -> None:
    assert catalog.match("createAssetGroup", "mutation") is not None
    assert catalog.match("createAssetGroup", "query") is None
    assert catalog.match("exportView", "query") is not None
    assert catalog.match("exportView", "mutation") is not None
    assert catalog.match("notAThing", "mutation") is None


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "catalog.toml"
    extra.write_text(
        '[categories.billing]\nname = "Billing"\n\n'
        '[events.refundInvoice]\ncategory = "billing"\ndescription = "Refunds"\n'
        'operations = ["mutation", "query"]\ntarget = "invoice.id"\n\n'
        '[events.exportView]\ncategory = "data_extraction"\noperations = ["query"]\n',
        encoding="utf-8")
    catalog = Catalog.load(files=[extra])
    refund = catalog.entries["refundInvoice"]
    assert (refund.category, refund.action, refund.target) == ("billing", "other", "invoice.id")
    assert not refund.builtin
    assert catalog.match("refundInvoice", "query") is refund
    assert catalog.match("exportView", "mutation") is None


def test_disabled_categories_and_events() -> None:
    catalog = Catalog.load(disabled_categories=["inventory_configuration"],
                           disabled_events=["siteAccess"])
    assert "createAssetGroup" not in catalog
    assert "siteAccess" not in catalog
    assert "deleteScope" in catalog


@pytest.mark.parametrize(("kwargs", "message"), [
    pytest.param({"disabled_categories": ["nope"]}, "catalog.disabled_categories: unknown",
                 id="unknown-category"),
    pytest.param({"disabled_events": ["nope"]}, "catalog.disabled_events: unknown",
                 id="unknown-event"),
    pytest.param({"extra": {"events": {"x": {"category": "zzz"}}}},
                 "events.x.category: unknown category 'zzz'", id="event-in-unknown-category"),
    pytest.param({"extra": {"events": {"x": {"category": "site_access", "acton": "create"}}}},
                 "events.x.acton: unknown key", id="typo-key"),
    pytest.param({"extra": {"events": {"x": {"category": "site_access", "action": "wipe"}}}},
                 "events.x.action: Input should be", id="bad-action"),
])
def test_bad_catalogue_data_names_the_key(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        Catalog.load(**kwargs)  # type: ignore[arg-type]


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        Catalog.load(files=[tmp_path / "missing.toml"])
    bad = tmp_path / "bad.toml"
    bad.write_text("[events\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Catalog.load(files=[bad])
