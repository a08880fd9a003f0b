// Small DOM helpers shared by the pages: element builder, status announcements, dialogs,
// notices, form errors, downloads, dates, the sign-in form and the top bar.
import { t, getLang, setLang, LANGS } from "./i18n.js";
import { devSignIn, getSession, problemText, fieldErrors, keysUnavailable } from "./api.js";
import { signInConfig, signInProblem, startSignIn, signOutEverywhere } from "./auth.js";

let uid = 0;
export const nextId = (p = "f") => `${p}-${++uid}`;

/** h("div", {class: "x", onclick: fn}, child, "text", [children]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      // value, checked and selected are also the defaults, so form.reset() comes back to them
      // (not to an empty field, an unchecked box or a select's first option)
      else if (k === "value") { if ("defaultValue" in el) el.defaultValue = v; el.value = v; }
      else if (k === "checked") el.checked = el.defaultChecked = !!v;
      else if (k === "selected") el.selected = el.defaultSelected = !!v;
      else if (k === "disabled" || k === "required" || k === "multiple") el[k] = !!v;
      else el.setAttribute(k, v === true ? "" : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Says something in the page's aria-live region (and shows nothing else). */
export function announce(message) {
  const region = document.getElementById("status");
  if (!region) return;
  region.textContent = "";
  setTimeout(() => { region.textContent = message; }, 30);
}

export function loading(label) {
  return h("div", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), label || t("common.loading"));
}

export function notice(kind, message, extra) {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null }, message, extra || null);
}

/** An error notice for an ApiError, with the field messages listed. */
export function errorNotice(err) {
  const fields = fieldErrors(err);
  const list = fields.length > 1 || (fields.length === 1 && fields[0].message !== problemText(err))
    ? h("ul", null, fields.map((f) => h("li", null, f.message)))
    : null;
  // The identity provider's keys could not be fetched: every call fails alike until they can,
  // and nothing was changed, so offer to try the page again.
  const retry = keysUnavailable(err)
    ? h("button", { type: "button", class: "retry", onclick: () => location.reload() }, t("common.retry"))
    : null;
  return notice("error", problemText(err), list || retry ? h("div", null, list, retry) : null);
}

/**
 * Text with a line-break opportunity (<wbr>) before each "@": in a narrow column a long address
 * wraps as "ada.lovelace" / "@example.com", not at any letter.
 */
export function breakable(text) {
  return String(text).split("@").flatMap((part, i) => (i ? [h("wbr"), `@${part}`] : [part]));
}

export function emptyState(title, body) {
  return h("div", { class: "empty" }, h("strong", null, title), body ? h("span", null, body) : null);
}

/**
 * Lets a data table become one card per row on small screens (style.css): each cell gets its
 * column's header as data-label, shown before the value. The row's title (class "lead"), its
 * actions and a column whose header has no text get none.
 */
export function stacked(table) {
  // (a header holding a control, such as "select all", names no column)
  const heads = [...table.querySelectorAll("thead th")].map((th) => (th.querySelector("input, select, button") ? "" : th.textContent.trim()));
  table.classList.add("stacked");
  for (const row of table.querySelectorAll("tbody tr")) {
    [...row.children].forEach((cell, i) => {
      if (heads[i] && !cell.matches(".lead, .actions-cell")) cell.dataset.label = heads[i];
    });
  }
  return table;
}

/** A labelled field. control is an <input>/<select>/<textarea>; its id is set here. */
export function field(label, control, opts = {}) {
  const id = control.id || nextId("f");
  control.id = id;
  if (opts.name) control.name = opts.name;
  const hintId = opts.hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  control.setAttribute("aria-describedby", [hintId, errId].filter(Boolean).join(" "));
  return h("div", { class: `field ${opts.class || ""}`, dataset: { field: opts.name || "" } },
    h("label", { for: id }, label),
    control,
    opts.hint ? h("span", { class: "hint", id: hintId }, opts.hint) : null,
    h("span", { class: "field-error", id: errId, hidden: true }),
  );
}

export function checkbox(label, opts = {}) {
  const input = h("input", { type: "checkbox", checked: opts.checked, name: opts.name, value: opts.value });
  input.id = nextId("c");
  return { input, el: h("div", { class: "check" }, input, h("label", { for: input.id }, label)) };
}

export function select(options, value, attrs = {}) {
  return h("select", attrs, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

/** Marks the form's fields from an invalid_request; returns the messages not tied to a field. */
export function showFieldErrors(form, err, map = {}) {
  clearFieldErrors(form);
  const leftovers = [];
  let first = null;
  for (const fe of fieldErrors(err)) {
    const plain = fe.field.replace(/\[\d+\]/g, "");
    const candidates = [map[fe.field], fe.field, map[plain], plain, plain.split(".")[0]].filter(Boolean);
    let wrap = null;
    for (const c of candidates) {
      wrap = form.querySelector(`[data-field="${CSS.escape(c)}"]`);
      if (wrap) break;
    }
    if (!wrap) { leftovers.push(fe.message); continue; }
    const control = wrap.querySelector("input, select, textarea");
    const msg = wrap.querySelector(".field-error");
    if (control) control.setAttribute("aria-invalid", "true");
    if (msg) { msg.textContent = fe.message; msg.hidden = false; }
    if (!first && control) first = control;
  }
  if (first) first.focus();
  return leftovers;
}

export function clearFieldErrors(form) {
  form.querySelectorAll("[aria-invalid]").forEach((c) => c.removeAttribute("aria-invalid"));
  form.querySelectorAll(".field-error").forEach((m) => { m.textContent = ""; m.hidden = true; });
}

/** Runs fn while the button shows it is busy. */
export async function busy(button, fn) {
  const wasDisabled = button.disabled;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } finally {
    button.disabled = wasDisabled;
    button.removeAttribute("aria-busy");
  }
}

/**
 * Opens a modal <dialog>. build(close) returns {title, body, footer}. Focus goes to the first
 * field (or the dialog's first button) and back to what had it when the dialog closes.
 */
export function openDialog(build, opts = {}) {
  const opener = document.activeElement;
  const titleId = nextId("dlg");
  const dialog = h("dialog", { "aria-labelledby": titleId, class: opts.wide ? "wide" : "" });
  const close = () => dialog.close();
  const { title, body, footer, initialFocus } = build(close);
  dialog.append(h("div", { class: "dialog-head" }, h("h2", { id: titleId }, title)), h("div", { class: "dialog-body" }, body));
  if (footer) dialog.append(h("div", { class: "dialog-foot" }, footer));
  dialog.addEventListener("close", () => {
    // "close" arrives as a task after the dialog has closed, and by then the browser may have
    // put focus back on the opener and the person moved on (opened the row's menu again, say):
    // take focus back only if it is nowhere useful.
    const active = document.activeElement;
    const adrift = !active || active === document.body || dialog.contains(active);
    dialog.remove();
    if (!adrift) return;
    if (opener && opener.isConnected && typeof opener.focus === "function") opener.focus();
    else document.getElementById("main")?.focus();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  const target = initialFocus || dialog.querySelector(".dialog-body input, .dialog-body select, .dialog-body textarea") || dialog.querySelector(".dialog-foot button");
  if (target) target.focus();
  return dialog;
}

/** A yes/no dialog. Resolves true when confirmed. */
export function confirmDialog({ title, message, confirmLabel, danger }) {
  return new Promise((resolve) => {
    let answer = false;
    const dlg = openDialog((close) => {
      const cancel = h("button", { type: "button", onclick: close }, t("common.cancel"));
      const ok = h("button", { type: "button", class: danger ? "danger" : "primary", onclick: () => { answer = true; close(); } }, confirmLabel);
      return { title, body: h("p", null, message), footer: [cancel, ok], initialFocus: cancel };
    });
    dlg.addEventListener("close", () => resolve(answer));
  });
}

/** Saves a Blob as a file through a temporary link. */
export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(url); a.remove(); }, 1000);
}

/** RFC 4180 CSV with a BOM; cells that a spreadsheet would run as a formula are neutralised. */
export function toCsv(header, rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header, ...rows].map((r) => r.map(cell).join(","));
  return new Blob(["\uFEFF" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
}

export function today() {
  return new Date().toISOString().slice(0, 10);
}

export function formatDate(iso, withTime = true) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(getLang(), withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" }).format(d);
}

export function initials(text) {
  const s = (text || "?").trim();
  const parts = s.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] || "?") + (parts.length > 1 && !s.includes("@") ? parts[1][0] : "")).toUpperCase();
}

export function roleLabel(role) {
  const key = `role.${role}`;
  const label = t(key);
  return label === key ? role : label;
}

export function langPicker() {
  const sel = select(LANGS.map((l) => [l, t(`lang.${l}`)]), getLang(), { class: "lang-select" });
  sel.addEventListener("change", () => setLang(sel.value));
  const id = nextId("lang");
  sel.id = id;
  return h("div", { class: "inline-field" }, h("label", { for: id }, t("common.language")), sel);
}

/**
 * The sign-in this deployment has (auth.js): the development form (a field labelled "Email" and
 * a "Sign in" button), the identity provider's "Sign in" button, or a notice that sign-in is not
 * set up. The pages render after auth.js's authReady, so the kind is known here.
 */
export function signInForm(opts = {}) {
  const config = signInConfig();
  if (config.kind === "oidc") return providerSignIn(opts);
  if (config.kind === "unconfigured") return signInUnavailable(opts);
  return devSignInForm(opts);
}

/** OIDC: one button to the provider's sign-in; after a refusal, why, and "Try again". */
function providerSignIn({ intro } = {}) {
  const problem = signInProblem();
  const submit = h("button", { type: "submit", class: "primary" }, problem ? t("common.retry") : t("auth.sign_in"));
  const errors = h("div", null, problem ? notice("error", t(problem.key, problem.vars), null) : null);
  const form = h("form", { class: "sign-in", novalidate: true, "data-sign-in": "oidc" },
    intro ? h("p", { class: "lede" }, intro) : null,
    errors,
    h("div", { class: "stack-buttons full" }, submit),
    h("p", { class: "hint muted small-text section" }, t("auth.oidc_note")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(errors);
    await busy(submit, async () => {
      try {
        announce(t("auth.oidc_redirecting"));
        await startSignIn();
      } catch (err) {
        errors.appendChild(notice("error", t(err && err.key ? err.key : "auth.oidc_failed")));
      }
    });
  });
  return form;
}

/** No sign-in configured on this deployment: say so (the rest of the page still works). */
function signInUnavailable() {
  return h("div", { class: "sign-in", "data-sign-in": "unconfigured" },
    h("div", { class: "notice warning" },
      h("strong", { class: "notice-title" }, t("auth.unconfigured_title")),
      h("p", null, t("auth.unconfigured_body"))),
  );
}

/** The development sign-in form: a field labelled "Email" and a "Sign in" button. */
function devSignInForm({ onSignedIn, email = "", intro } = {}) {
  const emailInput = h("input", { type: "email", autocomplete: "email", required: true, value: email, spellcheck: "false" });
  const nameInput = h("input", { type: "text", autocomplete: "name" });
  const submit = h("button", { type: "submit", class: "primary" }, t("auth.sign_in"));
  const errors = h("div");
  const form = h("form", { class: "sign-in", novalidate: true },
    intro ? h("p", { class: "lede" }, intro) : null,
    errors,
    field(t("auth.email"), emailInput, { name: "email" }),
    field(t("auth.name"), nameInput, { name: "name", hint: t("auth.name_hint") }),
    h("div", { class: "stack-buttons full" }, submit),
    h("p", { class: "hint muted small-text section" }, t("auth.dev_note")),
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(errors);
    clearFieldErrors(form);
    const value = emailInput.value.trim();
    if (!value) {
      showFieldErrors(form, { problem: { errors: [{ field: "email", code: "email_required" }] } });
      return;
    }
    await busy(submit, async () => {
      try {
        const session = await devSignIn(value, nameInput.value.trim());
        announce(t("auth.signed_in_as", { email: session.email }));
        onSignedIn && onSignedIn(session);
      } catch (err) {
        const left = showFieldErrors(form, err);
        if (left.length || !fieldErrors(err).length) errors.appendChild(errorNotice(err));
      }
    });
  });
  return form;
}

/** The top bar: brand, optional extra controls, the language picker and who is signed in. */
export function topbar(extra) {
  const session = getSession();
  return h("header", { class: "topbar" },
    h("a", { class: "brand", href: "/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "U"), h("span", { class: "brand-name" }, "Usher")),
    extra || null,
    h("div", { class: "spacer" }),
    h("div", { class: "topbar-group" },
      langPicker(),
      session ? h("span", { class: "who", title: session.email }, session.email) : null,
      session ? h("button", { type: "button", class: "small", onclick: () => signOutEverywhere() }, t("auth.sign_out")) : null,
    ),
  );
}

/** Takes a fragment parameter (e.g. token) and removes the fragment from the address bar at once. */
export function takeFragmentParam(name) {
  return takeFragmentParams([name])[name];
}

/**
 * Takes several fragment parameters at once ({name: value or null}: an invitation's #token=, a
 * join link's #join=) and removes the fragment from the address bar at once.
 */
export function takeFragmentParams(names) {
  const raw = location.hash.startsWith("#") ? location.hash.slice(1) : "";
  const params = new URLSearchParams(raw);
  const values = Object.fromEntries(names.map((n) => [n, params.get(n)]));
  if (raw) history.replaceState(null, "", location.pathname + location.search);
  // Another link opened in this tab while the page shows (only the fragment differs, so the
  // browser does not load the page again): start over with it.
  window.addEventListener("hashchange", () => location.reload(), { once: true });
  return values;
}

/** Copies text to the clipboard; says whether it worked (and says so aloud). */
export async function copyText(text, button) {
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch {
    // no clipboard (an insecure origin, a refusal): select the text so it can be copied by hand
    const input = button.closest(".copy-field")?.querySelector("input");
    if (input) { input.focus(); input.select(); }
  }
  announce(done ? t("dirset.copied") : t("dirset.copy_by_hand"));
  return done;
}

/** A read-only value with a Copy button beside it (opts: testid, copyLabel, hint). */
export function copyField(label, value, opts = {}) {
  const input = h("input", { type: "text", readonly: true, value, spellcheck: "false", class: "mono", "data-testid": opts.testid || null });
  const button = h("button", { type: "button", class: "small", "aria-label": opts.copyLabel || t("dirset.copy_named", { what: label }) }, t("dirset.copy"));
  button.addEventListener("click", async () => {
    if (await copyText(value, button)) {
      button.textContent = t("dirset.copied_short");
      setTimeout(() => { button.textContent = t("dirset.copy"); }, 2000);
    }
  });
  const id = nextId("copy");
  input.id = id;
  const hintId = opts.hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field copy-field" },
    h("label", { for: id }, label),
    h("div", { class: "copy-row" }, input, button),
    opts.hint ? h("span", { class: "hint", id: hintId }, opts.hint) : null);
}

/** Replaces the page (top bar and main) but keeps the aria-live region, and keeps focus sane. */
export function renderPage(mainNode, topExtra) {
  const active = document.activeElement;
  const hadFocus = active && active !== document.body;
  document.body.dataset.langFocus = active && active.classList && active.classList.contains("lang-select") ? "1" : "";
  const status = document.getElementById("status") || h("div", { id: "status", class: "sr-only", role: "status", "aria-live": "polite" });
  clear(document.body).append(h("a", { class: "skip-link", href: "#main" }, t("common.skip")), topbar(topExtra), mainNode, status);
  if (hadFocus && document.activeElement === document.body) {
    const wasLang = document.body.dataset.langFocus === "1";
    const lang = document.querySelector(".lang-select");
    if (wasLang && lang) lang.focus();
    else mainNode.focus({ preventScroll: true });
  }
}

/**
 * A row's actions as a menu button (⋯): items [{label, onSelect, danger}]. Arrow keys move,
 * Escape closes and gives focus back to the button; choosing an item closes the menu first,
 * so a dialog it opens returns focus to the button.
 */
export function actionsMenu(label, items) {
  if (!items.length) return null;
  const id = nextId("menu");
  const button = h("button", { type: "button", class: "small ghost menu-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": id, "aria-label": label, title: label },
    h("span", { "aria-hidden": "true" }, "⋯"));
  const menu = h("div", { class: "menu", role: "menu", id, "aria-label": label, hidden: true });
  const entries = items.map((it) => {
    const b = h("button", { type: "button", role: "menuitem", tabindex: "-1", class: it.danger ? "danger-text" : null }, it.label);
    b.addEventListener("click", () => { close(true); it.onSelect(button); });
    return b;
  });
  menu.append(...entries);
  const wrap = h("div", { class: "menu-wrap" }, button, menu);
  const outside = (e) => { if (!wrap.contains(e.target)) close(false); };
  // The menu floats (position: fixed) beside its button. A scroll or a resize (the person's, or
  // the page's own: a focus, scroll anchoring, a phone's toolbar) moves it along with the button;
  // only a button scrolled out of sight closes it.
  function place() {
    const r = button.getBoundingClientRect();
    if (r.bottom < 0 || r.top > window.innerHeight) { close(false); return; }
    const height = menu.offsetHeight;
    const below = r.bottom + 4 + height < window.innerHeight;
    menu.style.top = `${below ? r.bottom + 4 : Math.max(8, r.top - 4 - height)}px`;
    menu.style.left = `${Math.max(8, r.right - menu.offsetWidth)}px`;
  }
  const onScroll = (e) => { if (!menu.contains(e.target)) place(); };
  function open() {
    menu.hidden = false;
    place();
    button.setAttribute("aria-expanded", "true");
    entries[0].focus({ preventScroll: true });
    document.addEventListener("pointerdown", outside, true);
    window.addEventListener("scroll", onScroll, true);
    window.addEventListener("resize", onScroll);
  }
  function close(focusButton) {
    if (menu.hidden) return;
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    document.removeEventListener("pointerdown", outside, true);
    window.removeEventListener("scroll", onScroll, true);
    window.removeEventListener("resize", onScroll);
    if (focusButton) button.focus();
  }
  button.addEventListener("click", () => (menu.hidden ? open() : close(true)));
  button.addEventListener("keydown", (e) => {
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && menu.hidden) { e.preventDefault(); open(); }
  });
  menu.addEventListener("keydown", (e) => {
    const i = entries.indexOf(document.activeElement);
    const go = (n) => { e.preventDefault(); entries[(n + entries.length) % entries.length].focus(); };
    if (e.key === "ArrowDown") go(i + 1);
    else if (e.key === "ArrowUp") go(i - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(entries.length - 1);
    else if (e.key === "Escape") { e.preventDefault(); close(true); }
    else if (e.key === "Tab") close(false);
  });
  return wrap;
}

const ICONS = {
  check: [["path", { d: "M5 12.5l4.5 4.5L19 7.5" }]],
  x: [["path", { d: "M7 7l10 10M17 7L7 17" }]],
  clock: [["circle", { cx: "12", cy: "12", r: "8.5" }], ["path", { d: "M12 7.5V12l3 2" }]],
  refresh: [["path", { d: "M19 8.5A7.5 7.5 0 1 0 19.5 14" }], ["path", { d: "M19.5 4v4.5H15" }]],
  question: [["path", { d: "M9.2 9a3 3 0 1 1 4.3 2.7c-.9.5-1.5 1.1-1.5 2.1v.7" }], ["path", { d: "M12 17.5h.01" }]],
  alert: [["path", { d: "M12 7v6.5" }], ["path", { d: "M12 17h.01" }]],
  mail: [["rect", { x: "3", y: "5.5", width: "18", height: "13", rx: "2" }], ["path", { d: "M3.5 7l8.5 6 8.5-6" }]],
};

/** A small line icon (inline SVG, so nothing to fetch and nothing inline for the CSP to refuse). */
export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "24", height: "24", fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" })) svg.setAttribute(k, v);
  for (const [tag, attrs] of ICONS[name] || ICONS.alert) {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.appendChild(el);
  }
  return svg;
}
