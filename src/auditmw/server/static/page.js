// The Audit trail page. Plain JavaScript, no build step, no external fetches.
// Every string that comes from an event is put on the page with textContent (never
// innerHTML), so event data can never become markup or script.
"use strict";

(() => {
  const KEY_STORAGE = "auditmw.accessKey";
  const FILTERS = ["from", "to", "category", "event", "actor", "outcome"];
  const URL_PARAMS = [...FILTERS, "limit", "cursor"];
  const DEFAULT_LIMIT = "50";
  const OUTCOME_LABELS = { success: "Success", failure: "Failure", denied: "Denied" };

  const $ = (id) => document.getElementById(id);
  const authMode = document.querySelector('meta[name="auditmw-auth"]').content;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
  const timeFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });

  const state = {
    key: sessionStorage.getItem(KEY_STORAGE),
    catalog: null, // {categories: [{id, name}], events: [{name, category}]}
    page: null,
    returnFocus: null,
    loadSerial: 0,
  };

  class AuthError extends Error {
    constructor(status, message) { super(message); this.status = status; }
  }

  // -- small DOM helpers (text only) ---------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showAlert(message) {
    const alert = $("alert");
    alert.textContent = message || "";
    alert.hidden = !message;
  }

  function capitalise(text) {
    if (text === "api") return "API";
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  // -- time: RFC 3339 UTC in the URL and the API, the viewer's zone on screen ----------

  function parseTime(text) {
    // Browsers differ on more than 3 fractional digits: keep milliseconds.
    return new Date(String(text).replace(/(\.\d{3})\d+/, "$1"));
  }

  function pad(n) { return String(n).padStart(2, "0"); }

  function toLocalInput(iso) {
    const d = parseTime(iso);
    if (Number.isNaN(d.getTime())) return "";
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
      `T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function fromLocalInput(value, endOfMinute) {
    if (!value) return "";
    const d = new Date(value); // datetime-local values are read in the viewer's zone
    if (Number.isNaN(d.getTime())) return "";
    if (!endOfMinute) return d.toISOString().replace(".000Z", "Z");
    // "To" is inclusive of its whole minute, as the picker shows minutes only.
    d.setSeconds(59, 999);
    return d.toISOString().replace(/\.999Z$/, ".999999Z");
  }

  // -- the URL holds the filters, the page size and the cursor -------------------------

  function urlState() {
    const params = new URLSearchParams(window.location.search);
    const out = {};
    for (const name of URL_PARAMS) {
      const value = params.get(name);
      if (value) out[name] = value;
    }
    return out;
  }

  function setUrl(next, push) {
    const params = new URLSearchParams();
    for (const name of URL_PARAMS) if (next[name]) params.set(name, next[name]);
    const query = params.toString();
    const url = window.location.pathname + (query ? `?${query}` : "");
    if (push) window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
  }

  function apiParams(current, withPaging) {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (current[name]) params.set(name, current[name]);
    if (withPaging) {
      params.set("limit", current.limit || DEFAULT_LIMIT);
      if (current.cursor) params.set("cursor", current.cursor);
    }
    return params;
  }

  // -- calls to the Data API (relative URLs: the page works under any prefix) ----------

  async function call(path, params) {
    const headers = { Accept: "application/json" };
    if (state.key) headers.accessKey = state.key;
    const query = params && params.toString();
    const response = await fetch(path + (query ? `?${query}` : ""), {
      headers, credentials: "same-origin", cache: "no-store",
    });
    if (response.ok) return response;
    let message = `The server answered ${response.status}.`;
    try {
      const body = await response.json();
      if (body && typeof body.message === "string") message = body.message;
    } catch (_) { /* not JSON: keep the status text */ }
    if (response.status === 401 || response.status === 403) {
      throw new AuthError(response.status, message);
    }
    throw new Error(message);
  }

  function handleError(error) {
    if (error instanceof AuthError) {
      if (error.status === 401) forgetKey();
      openKeyDialog(error.status === 401
        ? `${error.message}. Enter a valid access key.`
        : `${error.message}: this key cannot read the audit trail.`);
      return;
    }
    showAlert(error.message || String(error));
  }

  // -- the catalogue: category and event choices ---------------------------------------

  async function loadCatalog() {
    if (state.catalog) return;
    const response = await call("api/catalog");
    state.catalog = await response.json();
    const categorySelect = $("f-category");
    for (const category of state.catalog.categories) {
      categorySelect.append(el("option", { value: category.id }, category.name));
    }
  }

  function categoryName(id) {
    const found = state.catalog && state.catalog.categories.find((c) => c.id === id);
    return found ? found.name : id;
  }

  function fillEventChoices(category, selected) {
    const select = $("f-event");
    select.replaceChildren(el("option", { value: "" }, "All events"));
    const catalog = state.catalog || { categories: [], events: [] };
    const known = new Set();
    for (const cat of catalog.categories) {
      if (category && cat.id !== category) continue;
      const events = catalog.events.filter((e) => e.category === cat.id);
      if (!events.length) continue;
      const group = el("optgroup", { label: cat.name });
      for (const event of events) {
        group.append(el("option", { value: event.name }, event.name));
        known.add(event.name);
      }
      select.append(group);
    }
    if (selected && !known.has(selected)) {
      select.append(el("option", { value: selected }, selected)); // e.g. from an edited URL
    }
    select.value = selected || "";
  }

  // -- the form mirrors the URL ---------------------------------------------------------

  function ensureOption(select, value) {
    if (value && ![...select.options].some((o) => o.value === value)) {
      select.append(el("option", { value }, value));
    }
    select.value = value || "";
  }

  function formFromUrl(current) {
    $("f-from").value = current.from ? toLocalInput(current.from) : "";
    $("f-to").value = current.to ? toLocalInput(current.to) : "";
    ensureOption($("f-category"), current.category);
    fillEventChoices(current.category || "", current.event || "");
    $("f-actor").value = current.actor || "";
    ensureOption($("f-outcome"), current.outcome);
    ensureOption($("f-limit"), current.limit || DEFAULT_LIMIT);
  }

  function filtersFromForm() {
    const out = {
      from: fromLocalInput($("f-from").value, false),
      to: fromLocalInput($("f-to").value, true),
      category: $("f-category").value,
      event: $("f-event").value,
      actor: $("f-actor").value.trim(),
      outcome: $("f-outcome").value,
    };
    const limit = $("f-limit").value;
    if (limit !== DEFAULT_LIMIT) out.limit = limit;
    return out;
  }

  // -- the table ---------------------------------------------------------------------------

  function userCell(actor) {
    actor = actor || {};
    const type = actor.type || "anonymous";
    const name = actor.name || actor.id || capitalise(type);
    const sub = [];
    if (type !== "user") sub.push(capitalise(type));
    if (actor.team) sub.push(actor.team);
    if (actor.name && actor.id && actor.id !== actor.name) sub.push(actor.id);
    const by = actor.on_behalf_of;
    if (by) sub.push(`impersonated by ${by.name || by.id || "someone"}`);
    return [name, sub.length ? el("span", { className: "sub" }, sub.join(" · ")) : null];
  }

  function targetCell(target) {
    target = target || {};
    const main = target.name || target.id || "—";
    const sub = [target.type, target.name && target.id ? target.id : null].filter(Boolean);
    return [main, sub.length ? el("span", { className: "sub" }, sub.join(" · ")) : null];
  }

  function badge(outcome) {
    const known = Object.hasOwn(OUTCOME_LABELS, outcome);
    return el("span", { className: known ? `badge ${outcome}` : "badge" },
      known ? OUTCOME_LABELS[outcome] : String(outcome));
  }

  function renderRows(items) {
    const rows = items.map((item) => {
      const when = parseTime(item.time);
      const open = el("button", {
        type: "button", className: "link", "aria-haspopup": "dialog",
        "aria-label": `Details of ${item.event} at ${timeFormat.format(when)}`,
      }, el("time", { datetime: item.time }, timeFormat.format(when)));
      open.addEventListener("click", (event) => { event.stopPropagation(); openDetail(item, open); });
      const row = el("tr", { "data-id": item.id },
        el("td", { className: "time" }, open),
        el("td", null, el("span", { className: "event-name" }, item.event)),
        el("td", null, categoryName(item.category)),
        el("td", { className: "user" }, ...userCell(item.actor)),
        el("td", { className: "ip mono" }, (item.client && item.client.ip) || "—"),
        el("td", { className: "target" }, ...targetCell(item.target)),
        el("td", null, badge(item.outcome)));
      row.addEventListener("click", () => openDetail(item, open));
      return row;
    });
    if (!rows.length) {
      rows.push(el("tr", { className: "empty" },
        el("td", { colspan: 7 }, "No events match these filters.")));
    }
    $("rows").replaceChildren(...rows);
  }

  function renderPage(page) {
    state.page = page;
    renderRows(page.items);
    const total = typeof page.total === "number" ? page.total.toLocaleString() : "?";
    const shown = page.items.length.toLocaleString();
    $("status").textContent = `Showing ${shown} of ${total} matching events`;
    $("page-newer").disabled = !page.pagination.prev;
    $("page-older").disabled = !page.pagination.next;
  }

  async function loadEvents() {
    const serial = ++state.loadSerial;
    const current = urlState();
    const table = $("events");
    table.setAttribute("aria-busy", "true");
    try {
      await loadCatalog();
      formFromUrl(current);
      const response = await call("api/audit-trail", apiParams(current, true));
      const page = await response.json();
      if (serial !== state.loadSerial) return; // a newer load has started
      showAlert("");
      renderPage(page);
    } catch (error) {
      if (serial === state.loadSerial) handleError(error);
    } finally {
      if (serial === state.loadSerial) table.setAttribute("aria-busy", "false");
    }
  }

  function goTo(cursorName) {
    const cursor = state.page && state.page.pagination[cursorName];
    if (!cursor) return;
    setUrl({ ...urlState(), cursor }, true);
    loadEvents().then(() => $("events").focus({ preventScroll: false }));
  }

  // -- dialogs (focus goes back where it came from) -----------------------------------

  function openDialog(dialog, opener, focusTarget) {
    state.returnFocus = opener || document.activeElement;
    if (!dialog.open) dialog.showModal();
    if (focusTarget) focusTarget.focus();
  }

  function restoreFocus() {
    const target = state.returnFocus;
    state.returnFocus = null;
    if (target && document.contains(target)) target.focus();
  }

  function addField(list, label, ...values) {
    const text = values.filter((v) => v !== null && v !== undefined && v !== "").join(" · ");
    if (!text) return;
    list.append(el("dt", null, label), el("dd", null, text));
  }

  function openDetail(item, opener) {
    const when = parseTime(item.time);
    $("detail-title").textContent = `${item.event} — ${OUTCOME_LABELS[item.outcome] || item.outcome}`;
    const list = $("detail-fields");
    list.replaceChildren();
    const actor = item.actor || {};
    const client = item.client || {};
    const target = item.target || {};
    const request = item.request || {};
    addField(list, `Time (${zone})`, timeFormat.format(when));
    addField(list, "Time (UTC)", item.time);
    addField(list, "Category", categoryName(item.category));
    addField(list, "Action", item.action);
    addField(list, "User", actor.name, actor.id, actor.type, actor.team);
    const by = actor.on_behalf_of;
    if (by) addField(list, "Impersonated by", by.name, by.id && by.id !== by.name ? by.id : "");
    addField(list, "Client", client.ip, client.hostname, client.user_agent);
    addField(list, "Channel", item.channel, item.source);
    addField(list, "Target", target.type, target.id, target.name);
    addField(list, "Request", request.method, request.path, request.status, request.operation);
    if (item.error) addField(list, "Error", item.error.type, item.error.message);
    addField(list, "Duration", typeof item.duration_ms === "number" ? `${item.duration_ms} ms` : "");
    addField(list, "Service", item.service && item.service.name, item.service && item.service.host);
    addField(list, "Event id", item.id);
    $("detail-details").textContent = JSON.stringify(item.details || {}, null, 2);
    $("detail-json").textContent = JSON.stringify(item, null, 2);
    openDialog($("detail-dialog"), opener, $("detail-close"));
  }

  function describeExport() {
    const current = urlState();
    const parts = [];
    if (current.from) parts.push(`from ${timeFormat.format(parseTime(current.from))}`);
    if (current.to) parts.push(`to ${timeFormat.format(parseTime(current.to))}`);
    if (current.category) parts.push(`category ${categoryName(current.category)}`);
    if (current.event) parts.push(`event ${current.event}`);
    if (current.actor) parts.push(`user ${current.actor}`);
    if (current.outcome) parts.push(`outcome ${current.outcome}`);
    const total = state.page && typeof state.page.total === "number"
      ? `${state.page.total.toLocaleString()} events` : "The events";
    return parts.length
      ? `${total} matching the current filters (${parts.join(", ")}), every page, newest first.`
      : `${total}: the whole audit trail, every page, newest first.`;
  }

  function openExport(opener) {
    $("export-scope").textContent = describeExport();
    $("export-error").hidden = true;
    $("export-submit").disabled = false;
    const checked = $("export-form").querySelector('input[name="format"]:checked');
    openDialog($("export-dialog"), opener, checked);
  }

  function downloadName(response, format) {
    const header = response.headers.get("content-disposition") || "";
    const match = /filename="?([^";]+)"?/i.exec(header);
    const name = match ? match[1].replace(/[^\w.-]/g, "_") : "";
    return name || `audit-trail.${format}`;
  }

  async function runExport(event) {
    event.preventDefault();
    const format = new FormData($("export-form")).get("format") || "csv";
    const submit = $("export-submit");
    submit.disabled = true;
    submit.textContent = "Exporting…";
    try {
      const params = apiParams(urlState(), false);
      params.set("format", String(format));
      const response = await call("api/audit-trail/export", params);
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const name = downloadName(response, format);
      const link = el("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      $("export-dialog").close();
      $("status").textContent = `Downloaded ${name}`;
    } catch (error) {
      if (error instanceof AuthError) {
        $("export-dialog").close();
        handleError(error);
      } else {
        $("export-error").textContent = error.message || String(error);
        $("export-error").hidden = false;
      }
    } finally {
      submit.disabled = false;
      submit.textContent = "Export";
    }
  }

  // -- the access key (standalone: asked once, kept for this tab only) -----------------

  function updateKeyButton() {
    // Standalone: the way back to the key prompt. Mounted: shown only once a key is used.
    const button = $("key-button");
    button.hidden = authMode === "host" && !state.key;
    button.textContent = state.key ? "Forget access key" : "Enter access key";
  }

  function forgetKey() {
    state.key = null;
    sessionStorage.removeItem(KEY_STORAGE);
    updateKeyButton();
  }

  function openKeyDialog(message, opener) {
    const error = $("key-error");
    error.textContent = message || "";
    error.hidden = !message;
    $("key-input").value = "";
    openDialog($("key-dialog"), opener || document.activeElement, $("key-input"));
  }

  function submitKey(event) {
    event.preventDefault();
    const key = $("key-input").value.trim();
    if (!key) return;
    showAlert("");
    state.key = key;
    sessionStorage.setItem(KEY_STORAGE, key);
    updateKeyButton();
    $("key-dialog").close();
    loadEvents();
  }

  // -- wiring ---------------------------------------------------------------------------------

  function start() {
    $("time-heading").textContent = `Time (${zone})`;
    $("events").setAttribute("tabindex", "-1");
    $("filters").addEventListener("submit", (event) => {
      event.preventDefault();
      setUrl(filtersFromForm(), true); // new filters: back to the newest page
      loadEvents();
    });
    $("reset-filters").addEventListener("click", () => {
      const limit = urlState().limit;
      setUrl(limit ? { limit } : {}, true);
      loadEvents();
    });
    $("f-category").addEventListener("change", () => {
      fillEventChoices($("f-category").value, $("f-event").value);
    });
    $("f-limit").addEventListener("change", () => {
      const next = { ...urlState(), limit: $("f-limit").value };
      delete next.cursor;
      if (next.limit === DEFAULT_LIMIT) delete next.limit;
      setUrl(next, true);
      loadEvents();
    });
    $("page-newer").addEventListener("click", () => goTo("prev"));
    $("page-older").addEventListener("click", () => goTo("next"));
    $("open-export").addEventListener("click", (event) => openExport(event.currentTarget));
    $("export-form").addEventListener("submit", runExport);
    $("export-cancel").addEventListener("click", () => $("export-dialog").close());
    $("detail-close").addEventListener("click", () => $("detail-dialog").close());
    $("key-form").addEventListener("submit", submitKey);
    $("key-button").addEventListener("click", (event) => {
      if (state.key) forgetKey();
      openKeyDialog("", event.currentTarget);
    });
    for (const id of ["export-dialog", "detail-dialog", "key-dialog"]) {
      $(id).addEventListener("close", restoreFocus);
    }
    $("key-dialog").addEventListener("close", () => {
      if (!state.key && authMode !== "host") {
        showAlert("An access key is needed to read the audit trail: use “Enter access key” above.");
      }
    });
    window.addEventListener("popstate", loadEvents);
    updateKeyButton();

    if (authMode !== "host" && !state.key) {
      openKeyDialog("");
    } else {
      loadEvents();
    }
  }

  start();
})();
