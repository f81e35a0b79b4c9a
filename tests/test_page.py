"""The Audit trail page in a real browser: Debian's Chromium driven by Playwright, against
the audit server run by uvicorn on 127.0.0.1 over a SQLite store of seeded events.

The server's own ``exportAuditTrail`` events go to a memory sink, not to the store the
page reads, so what the page shows is exactly the seeded events.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from starlette.applications import Starlette

from auditmw.server import create_app
from auditmw.store import open_store
from auditmw.store.keys import KeyStore
from auditmw.testing import MemorySink
from auditmw.trail import AuditTrail
from support.page_seed import HOSTILE_IMG, HOSTILE_SCRIPT, seed_events

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 15_000
ROOT = Path(__file__).resolve().parent.parent


# -- a real server in a thread ------------------------------------------------------------

class ThreadedServer:
    """uvicorn on 127.0.0.1, on a port the OS picks, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none",
                                access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        started = threading.Event()
        for _ in range(200):  # bounded: at most ~10 s
            if self.server.started:
                started.set()
                break
            started.wait(0.05)
        assert self.server.started, "uvicorn did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Served:
    url: str
    trail: AuditTrail
    audit: MemorySink
    keys: dict[str, str]
    events: list[dict[str, Any]]
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def api(self, params: dict[str, Any] | None = None, key: str = "good") -> dict[str, Any]:
        response = self.http.get("api/audit-trail", params=params,
                                 headers={"accessKey": self.keys[key]})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def all_ids(self, params: dict[str, Any], order: str = "desc") -> list[str]:
        body = self.api({**params, "limit": 1000, "order": order})
        assert body["pagination"]["next"] is None
        return [item["id"] for item in body["items"]]


@contextlib.contextmanager
def serve(folder: Path, *, hostile: bool = True) -> Iterator[Served]:
    """The audit server under ``/audit`` over a fresh store of seeded events."""
    url = f"sqlite:///{folder / 'audit.db'}"
    audit = MemorySink()
    trail = AuditTrail(store=False, sinks=[audit], delivery={"mode": "sync"})
    store = open_store(url)
    events = seed_events(trail, hostile=hostile)
    store.write(events)
    keys = KeyStore(url)
    app = create_app(trail, store=store, keys=keys, prefix="/audit")
    secrets = {"good": keys.create("page-reader", ["audit_logs"])[1],
               "noscope": keys.create("billing", ["billing"])[1],
               "wrong": "amk_000000000000_not-a-real-secret"}
    try:
        with ThreadedServer(app) as server:
            served = Served(f"http://127.0.0.1:{server.port}/audit/", trail, audit, secrets,
                            events)
            try:
                yield served
            finally:
                served.http.close()
    finally:
        trail.close()
        store.close()
        keys.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("page")) as running:
        yield running


# -- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), "run scripts/ensure-browser.sh (make browser)"
    with sync_playwright() as driver:
        yield driver


@dataclass
class Browser:
    context: BrowserContext
    page: Page
    dialogs: list[str]
    console: list[str]


def _open_browser(driver: Any, user_data: Path, **options: Any) -> Browser:
    context = driver.chromium.launch_persistent_context(
        str(user_data), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        accept_downloads=True, viewport={"width": 1440, "height": 900}, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.pages[0] if context.pages else context.new_page()
    dialogs: list[str] = []
    console: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    return Browser(context, page, dialogs, console)


@pytest.fixture
def browser(playwright_driver: Any, tmp_path: Path) -> Iterator[Browser]:
    opened = _open_browser(playwright_driver, tmp_path / "profile",
                           timezone_id="Asia/Tokyo", locale="en-GB")
    yield opened
    opened.context.close()
    # Nothing the page did may have been refused by its own policy or thrown.
    # (A refused key shows as "the server responded with a status of 401": expected.)
    problems = [line for line in opened.console
                if "Content Security Policy" in line or line.startswith("pageerror")
                or (line.startswith("error") and "status of 40" not in line)]
    assert problems == []


def sign_in(page: Page, served: Served, path: str = "", key: str = "good") -> None:
    page.goto(served.url + path)
    expect(page.locator("#key-dialog")).to_be_visible()
    page.get_by_label("Access key", exact=True).fill(served.keys[key])
    page.get_by_role("button", name="Continue").click()


def row_ids(page: Page) -> list[str]:
    ids: list[str] = page.locator("#rows tr[data-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")
    return ids


def wait_rows(page: Page, ids: list[str]) -> None:
    """Wait until the table shows exactly ``ids`` (the page loads asynchronously)."""
    expect(page.locator("#rows tr[data-id]")).to_have_count(len(ids))
    page.wait_for_function(
        "ids => JSON.stringify([...document.querySelectorAll('#rows tr[data-id]')]"
        ".map(r => r.dataset.id)) === JSON.stringify(ids)", arg=ids, timeout=TIMEOUT_MS)


def url_params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


# -- tests ---------------------------------------------------------------------------------

def test_key_prompt_then_events_newest_first_in_the_viewers_zone(
        browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served)
    newest_50 = [e["id"] for e in reversed(served.events)][:50]
    wait_rows(page, newest_50)
    assert newest_50 == served.all_ids({})[:50]
    expect(page.locator("#status")).to_have_text(
        f"Showing 50 of {len(served.events)} matching events")
    expect(page.locator("#time-heading")).to_have_text("Time (Asia/Tokyo)")
    newest = served.events[-1]
    local = datetime.fromisoformat(newest["time"]).astimezone(ZoneInfo("Asia/Tokyo"))
    first_time = page.locator("#rows tr").first.locator("time")
    expect(first_time).to_have_attribute("datetime", newest["time"])
    expect(first_time).to_contain_text(local.strftime("%H:%M:%S"))
    expect(page.locator("#rows tr").first.locator(".badge")).to_have_text(
        newest["outcome"].capitalize())
    # Kept for the tab: a reload does not ask again; another tab does.
    assert page.evaluate("sessionStorage.getItem('auditmw.accessKey')") == served.keys["good"]
    page.reload()
    wait_rows(page, newest_50)
    expect(page.locator("#key-dialog")).to_be_hidden()
    other = browser.context.new_page()
    other.goto(served.url)
    expect(other.locator("#key-dialog")).to_be_visible()
    # Escaping the prompt leaves a way back to it.
    other.keyboard.press("Escape")
    expect(other.locator("#alert")).to_contain_text("An access key is needed")
    other.get_by_role("button", name="Enter access key").click()
    expect(other.locator("#key-dialog")).to_be_visible()
    other.close()


@pytest.mark.parametrize(("key", "message"), [
    pytest.param("wrong", "Incorrect Accesskey", id="401-unknown-key"),
    pytest.param("noscope", "AccessKey does not have the relevant scope permission",
                 id="403-no-scope"),
])
def test_a_refused_key_is_asked_again(browser: Browser, served: Served, key: str,
                                      message: str) -> None:
    page = browser.page
    before = len(served.audit.events)
    sign_in(page, served, key=key)
    expect(page.locator("#key-error")).to_contain_text(message)
    expect(page.locator("#key-dialog")).to_be_visible()
    expect(page.get_by_label("Access key", exact=True)).to_be_focused()
    expect(page.locator("#rows tr[data-id]")).to_have_count(0)
    stored = page.evaluate("sessionStorage.getItem('auditmw.accessKey')")
    assert stored == (None if key == "wrong" else served.keys[key])
    refused = [e for e in served.audit.events[before:] if e["outcome"] == "denied"]
    assert refused
    assert all(e["event"] == "exportAuditTrail" for e in refused)
    # A good key then works without reloading.
    page.get_by_label("Access key", exact=True).fill(served.keys["good"])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#rows tr[data-id]")).to_have_count(50)


def test_filters_narrow_the_list_and_live_in_the_url(browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served)
    expect(page.locator("#rows tr[data-id]")).to_have_count(50)
    page.get_by_role("search").get_by_label("Category").select_option("inventory_configuration")
    page.get_by_role("search").get_by_label("Event", exact=True).select_option("createAssetGroup")
    page.get_by_role("search").get_by_label("User").fill("Ann Peeters")
    page.get_by_role("search").get_by_label("Outcome").select_option("success")
    page.get_by_role("button", name="Apply").click()
    filters = {"category": "inventory_configuration", "event": "createAssetGroup",
               "actor": "Ann Peeters", "outcome": "success"}
    expected = served.all_ids(filters)
    assert 0 < len(expected) < len(served.events)
    wait_rows(page, expected)
    assert {k: v[0] for k, v in url_params(page).items()} == filters
    # The form's event list follows the category.
    options = page.locator("#f-event option").evaluate_all("os => os.map(o => o.value)")
    assert "createAssetGroup" in options
    assert "siteAccess" not in options
    # A reload keeps the filters, in the form and in the rows.
    page.reload()
    wait_rows(page, expected)
    expect(page.get_by_role("search").get_by_label("User")).to_have_value("Ann Peeters")
    event_choice = page.get_by_role("search").get_by_label("Event", exact=True)
    expect(event_choice).to_have_value("createAssetGroup")
    # The date range: the newest 10 events' span, typed in the viewer's zone.
    page.get_by_role("button", name="Reset").click()
    expect(page.locator("#rows tr[data-id]")).to_have_count(50)
    zone = ZoneInfo("Asia/Tokyo")
    start = datetime.fromisoformat(served.events[-10]["time"]).astimezone(zone)
    end = datetime.fromisoformat(served.events[-2]["time"]).astimezone(zone)
    page.get_by_role("search").get_by_label("From").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("search").get_by_label("To").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Apply").click()
    ids = [e["id"] for e in reversed(served.events[-10:-1])]
    wait_rows(page, ids)
    params = url_params(page)
    assert params["from"][0].endswith("Z")
    assert params["to"][0].endswith("Z")
    assert served.all_ids({"from": params["from"][0], "to": params["to"][0]}) == ids
    # Back returns to the unfiltered list.
    page.go_back()
    expect(page.locator("#rows tr[data-id]")).to_have_count(50)
    expect(page.get_by_role("search").get_by_label("From")).to_have_value("")


def test_paging_follows_the_cursor_both_ways(browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served, path="?limit=25")
    everything = served.all_ids({})
    pages = [everything[0:25], everything[25:50], everything[50:]]
    wait_rows(page, pages[0])
    older = page.get_by_role("button", name="Older")
    newer = page.get_by_role("button", name="Newer")
    expect(newer).to_be_disabled()
    older.click()
    wait_rows(page, pages[1])
    assert "cursor" in url_params(page)
    older.click()
    wait_rows(page, pages[2])
    expect(older).to_be_disabled()
    page.reload()  # the cursor is in the URL: the same page comes back
    wait_rows(page, pages[2])
    newer.click()
    wait_rows(page, pages[1])
    newer.click()
    wait_rows(page, pages[0])
    expect(newer).to_be_disabled()
    page.get_by_label("Rows per page").select_option("100")
    wait_rows(page, everything)
    assert url_params(page)["limit"] == ["100"]


def test_export_dialog_downloads_the_filtered_csv(browser: Browser, served: Served,
                                                  tmp_path: Path) -> None:
    page = browser.page
    filters = {"category": "discovery_configuration", "outcome": "success"}
    sign_in(page, served, path="?" + "&".join(f"{k}={v}" for k, v in filters.items()))
    expected = served.all_ids(filters)
    wait_rows(page, expected)
    opener = page.get_by_role("button", name="Export audit trail")
    opener.click()
    dialog = page.get_by_role("dialog", name="Export audit trail")
    expect(dialog).to_be_visible()
    csv_choice = dialog.get_by_role("radio", name="CSV", exact=True)
    expect(csv_choice).to_be_focused()
    expect(csv_choice).to_be_checked()
    expect(page.locator("#export-scope")).to_contain_text(f"{len(expected)} events matching")
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Export").click()
    download = info.value
    assert download.suggested_filename.startswith("audit-trail-")
    assert download.suggested_filename.endswith(".csv")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == expected  # every page, in the Data API's order
    by_id = {e["id"]: e for e in served.events}
    assert all(r["event"] == by_id[r["id"]]["event"] for r in rows)
    assert {r["category"] for r in rows} == {"discovery_configuration"}
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()  # focus goes back to the button that opened it
    exports = [e for e in served.audit.events if e["details"].get("format") == "csv"]
    assert exports
    assert exports[-1]["details"]["category"] == ["discovery_configuration"]


def _exported_ids(saved: Path, fmt: str) -> list[str]:
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(saved, read_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        book.close()
        column = list(rows[0]).index("id")
        return [str(row[column]) for row in rows[1:]]
    text = saved.read_text(encoding="utf-8")
    if fmt == "jsonl":
        return [json.loads(line)["id"] for line in text.splitlines() if line.strip()]
    return [item["id"] for item in json.loads(text)]


@pytest.mark.parametrize(("label", "fmt"), [
    pytest.param("JSON lines", "jsonl", id="jsonl"),
    pytest.param("JSON", "json", id="json"),
    pytest.param("XLSX", "xlsx", id="xlsx"),
])
def test_export_dialog_other_types_by_keyboard(browser: Browser, served: Served,
                                               tmp_path: Path, label: str, fmt: str) -> None:
    page = browser.page
    sign_in(page, served, path="?event=exportView")
    expected = served.all_ids({"event": "exportView"})
    wait_rows(page, expected)
    page.get_by_role("button", name="Export audit trail").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Export audit trail")
    expect(dialog).to_be_visible()
    dialog.get_by_role("radio", name=label, exact=True).check()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Export").press("Enter")
    saved = tmp_path / f"export.{fmt}"
    info.value.save_as(saved)
    assert _exported_ids(saved, fmt) == expected
    assert info.value.suggested_filename.endswith(f".{fmt}")


def test_cancel_and_escape_close_the_export_dialog(browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served)
    expect(page.locator("#rows tr[data-id]")).to_have_count(50)
    opener = page.get_by_role("button", name="Export audit trail")
    opener.click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Export audit trail")).to_be_hidden()
    expect(opener).to_be_focused()
    opener.click()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog", name="Export audit trail")).to_be_hidden()


def test_event_strings_render_as_text_never_markup(browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served)
    hostile = served.events[-3]
    row = page.locator(f'#rows tr[data-id="{hostile["id"]}"]')
    expect(row.locator("td.user")).to_contain_text(HOSTILE_SCRIPT)
    expect(row.locator("td.user")).to_contain_text(f"impersonated by {HOSTILE_IMG}")
    expect(row.locator("td.target")).to_contain_text(HOSTILE_IMG)
    row.locator("td.time button").click()
    detail = page.get_by_role("dialog")
    expect(detail).to_be_visible()
    shown = json.loads(page.locator("#detail-details").text_content() or "")
    assert shown == hostile["details"]
    expect(page.locator("#detail-fields")).to_contain_text(HOSTILE_SCRIPT)
    expect(page.locator("#detail-fields")).to_contain_text(f"Impersonated by{HOSTILE_IMG}")
    # No element was made from event data, and nothing ran.
    made = page.evaluate("document.querySelectorAll('#rows script, #rows img, "
                         "#detail-dialog script, #detail-dialog img').length")
    assert made == 0
    assert browser.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"


def test_row_details_open_and_close_by_keyboard(browser: Browser, served: Served) -> None:
    page = browser.page
    sign_in(page, served, path="?outcome=failure")
    failed = [e for e in served.events if e["outcome"] == "failure"]
    wait_rows(page, [e["id"] for e in reversed(failed)])
    first = page.locator("#rows tr").first.locator("td.time button")
    first.focus()
    page.keyboard.press("Enter")
    detail = page.get_by_role("dialog", name="updateCredential — Failure")
    expect(detail).to_be_visible()
    expect(page.get_by_role("button", name="Close the event details")).to_be_focused()
    expect(page.locator("#detail-fields")).to_contain_text("ValidationError")
    expect(page.locator("#detail-details")).to_contain_text('"password": "[REDACTED]"')
    page.keyboard.press("Escape")
    expect(detail).to_be_hidden()
    expect(first).to_be_focused()


def test_page_and_static_files_carry_safe_headers(served: Served) -> None:
    for path in ("", "static/page.js", "static/page.css", "static/icon.svg"):
        response = served.http.get(path)
        assert response.status_code == 200, path
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    html = served.http.get("").text
    assert "<script src=\"static/page.js\" defer></script>" in html
    assert "<script>" not in html  # no inline script
    assert "http://" not in html  # nothing is fetched from elsewhere
    assert "https://" not in html
    etag = served.http.get("static/page.js").headers["etag"]
    assert served.http.get("static/page.js", headers={"If-None-Match": etag}).status_code == 304
    assert served.http.get("static/../app.py").status_code == 404
    assert served.http.get("static/nope.js").status_code == 404


def test_catalog_endpoint_needs_the_key(served: Served) -> None:
    refused = served.http.get("api/catalog")
    assert refused.status_code == 401
    assert refused.json() == {"message": "Incorrect Accesskey"}
    assert served.audit.events[-1]["details"] == {"endpoint": "catalog"}
    assert served.audit.events[-1]["outcome"] == "denied"
    body = served.http.get("api/catalog", headers={"accessKey": served.keys["good"]}).json()
    assert [c["id"] for c in body["categories"]][:2] == ["site_access",
                                                         "accounts_configuration"]
    names = {e["name"]: e["category"] for e in body["events"]}
    assert names["createAssetGroup"] == "inventory_configuration"
    assert names["exportAuditTrail"] == "data_extraction"


def test_screenshot_of_the_page(browser: Browser, tmp_path: Path) -> None:
    """The README's picture; set AUDITMW_PAGE_SCREENSHOT=1 to refresh docs/images."""
    with serve(tmp_path, hostile=False) as served:
        page = browser.page
        sign_in(page, served, path="?limit=25")
        wait_rows(page, served.all_ids({})[:25])
        page.locator("h1").click()  # no focus ring in the picture
        shot = tmp_path / "audit-trail.png"
        page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("AUDITMW_PAGE_SCREENSHOT"):
        target = ROOT / "docs" / "images" / "audit-trail.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


# -- mounted in a host app: its signed-in user instead of a key ----------------------------

def _host_app(tmp_path: Path, audit: MemorySink) -> tuple[Starlette, AuditTrail,
                                                          list[dict[str, Any]]]:
    from starlette.authentication import (
        AuthCredentials,
        AuthenticationBackend,
        SimpleUser,
    )
    from starlette.middleware import Middleware
    from starlette.middleware.authentication import AuthenticationMiddleware
    from starlette.routing import Mount

    class CookieUser(AuthenticationBackend):
        """The host app's own sign-in, reduced to a cookie naming the user."""

        async def authenticate(self, conn: Any) -> Any:
            name = conn.cookies.get("host_session")
            if not name:
                return None
            return AuthCredentials(["authenticated"]), SimpleUser(name)

    url = f"sqlite:///{tmp_path / 'host.db'}"
    trail = AuditTrail(store=False, sinks=[audit], delivery={"mode": "sync"})
    events = seed_events(trail, count=8, hostile=False)
    store = open_store(url)
    store.write(events)
    audit_app = create_app(trail, store=store, keys=KeyStore(url), host_auth=True)
    audit_app.state.audit.owned.append(store)
    host = Starlette(routes=[Mount("/audit", app=audit_app)],
                     middleware=[Middleware(AuthenticationMiddleware, backend=CookieUser())])
    return host, trail, events


def test_mounted_page_uses_the_host_apps_user(playwright_driver: Any,
                                             tmp_path: Path) -> None:
    audit = MemorySink()
    host, trail, events = _host_app(tmp_path, audit)
    with ThreadedServer(host) as server:
        base = f"http://127.0.0.1:{server.port}/audit/"
        opened = _open_browser(playwright_driver, tmp_path / "profile")
        try:
            opened.context.add_cookies([{"name": "host_session", "value": "ann",
                                         "url": f"http://127.0.0.1:{server.port}/"}])
            page = opened.page
            page.goto(base)
            wait_rows(page, [e["id"] for e in reversed(events)])
            expect(page.locator("#key-dialog")).to_be_hidden()
            expect(page.locator("#key-button")).to_be_hidden()
            reads = [e for e in audit.events if e["details"].get("endpoint") == "audit-trail"]
            assert reads[-1]["actor"] == {"id": "ann", "name": "ann", "type": "user"}
            assert reads[-1]["outcome"] == "success"
            assert reads[-1]["channel"] == "ui"
            # A request that shows a key is judged by the key alone, signed in or not.
            cookies = {"host_session": "ann"}
            with httpx.Client(base_url=base, cookies=cookies, timeout=10) as http:
                assert http.get("api/audit-trail").status_code == 200
                wrong = http.get("api/audit-trail", headers={"accessKey": "amk_bad"})
                assert wrong.status_code == 401
            # Signed out of the host app: the page falls back to asking for a key.
            opened.context.clear_cookies()
            page.reload()
            expect(page.locator("#key-dialog")).to_be_visible()
            expect(page.locator("#key-error")).to_contain_text("Incorrect Accesskey")
        finally:
            opened.context.close()
    trail.close()
