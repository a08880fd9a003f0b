// Roles, workspaces, the audit log, and the signed-in person's own invitations.
import { t, has } from "./i18n.js";
import { api } from "./api.js";
import {
  h, clear, loading, announce, busy, errorNotice, emptyState, field, checkbox, openDialog, confirmDialog,
  showFieldErrors, clearFieldErrors, formatDate, roleLabel, notice, stacked, breakable,
} from "./ui.js";

const PERMISSIONS = ["invitations.create", "invitations.read", "invitations.resend", "invitations.revoke", "members.read",
  "members.update", "members.remove", "members.export", "roles.manage", "audit.read", "directory.manage"];

function pageHead(title, lede, actions) {
  return h("div", { class: "page-head" }, h("div", null, h("h1", null, title), lede ? h("p", null, lede) : null), actions ? h("div", { class: "actions" }, actions) : null);
}

// ------------------------------------------------------------------- roles
export async function rolesPage(content, ctx) {
  const out = h("div");
  const host = h("div");
  const create = ctx.can("roles.manage") ? h("button", { type: "button", class: "primary", onclick: () => roleDialog(ctx, null, refresh) }, t("roles.new")) : null;
  content.append(pageHead(t("roles.title"), t("roles.lede"), create), out, host);

  async function refresh() {
    await ctx.refreshTenant().catch(() => {});
    draw();
  }

  function draw() {
    clear(host);
    const rows = ctx.roles.map((r) => {
      const actions = [];
      if (!r.builtin && ctx.can("roles.manage")) {
        actions.push(h("button", { type: "button", class: "small", onclick: () => roleDialog(ctx, r, refresh) }, t("common.edit")));
        const del = h("button", { type: "button", class: "small" }, t("common.delete"));
        del.addEventListener("click", async () => {
          const ok = await confirmDialog({ title: t("roles.delete_title"), message: t("roles.delete_body", { name: r.name }), confirmLabel: t("common.delete"), danger: true });
          if (!ok) return;
          clear(out);
          try {
            await api("DELETE", `/v1/tenants/${ctx.tenantId}/roles/${encodeURIComponent(r.name)}`);
            announce(t("roles.deleted", { name: r.name }));
            out.append(notice("success", t("roles.deleted", { name: r.name })));
            await refresh();
          } catch (err) { out.append(errorNotice(err)); }
        });
        actions.push(del);
      }
      return h("tr", { "data-role": r.name },
        h("td", { class: "lead" }, h("div", { class: "name role-tag" }, roleLabel(r.name)), r.description ? h("div", { class: "sub muted small-text" }, r.description) : null),
        h("td", null, r.builtin ? h("span", { class: "badge expired" }, t("roles.builtin")) : h("span", { class: "badge pending" }, t("roles.custom"))),
        h("td", null, r.permissions.length ? r.permissions.map((p) => h("span", { class: "chip" }, p)) : h("span", { class: "muted" }, t("roles.no_permissions"))),
        h("td", null, String(r.members)),
        h("td", { class: "actions-cell" }, h("div", { class: "row-actions" }, actions)));
    });
    host.append(h("div", { class: "table-wrap" }, stacked(h("table", { "aria-label": t("roles.title") },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("roles.col_name")), h("th", { scope: "col" }, t("roles.col_kind")),
        h("th", { scope: "col" }, t("roles.col_permissions")), h("th", { scope: "col" }, t("roles.col_members")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
      h("tbody", null, rows)))));
  }
  draw();
}

function roleDialog(ctx, role, refresh) {
  openDialog((close) => {
    const name = h("input", { type: "text", value: role ? role.name : "", disabled: !!role, spellcheck: "false", pattern: "[a-z][a-z0-9_-]{0,31}" });
    const desc = h("textarea", { rows: "2", maxlength: "500", value: role?.description || "" });
    const boxes = PERMISSIONS.map((p) => checkbox(p, { checked: role ? role.permissions.includes(p) : false, value: p }));
    const err = h("div");
    const save = h("button", { type: "submit", class: "primary", form: "role-edit" }, role ? t("common.save") : t("roles.create"));
    const form = h("form", { id: "role-edit", novalidate: true }, err,
      field(t("roles.col_name"), name, { name: "name", hint: t("roles.name_hint") }),
      field(t("roles.description"), desc, { name: "description", hint: t("common.optional") }),
      h("fieldset", { "data-field": "permissions" }, h("legend", null, t("roles.col_permissions")), h("div", { class: "check-list" }, boxes.map((b) => b.el)), h("span", { class: "field-error", hidden: true })));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(save, async () => {
        clear(err);
        clearFieldErrors(form);
        const n = name.value.trim().toLowerCase();
        if (!n) { showFieldErrors(form, { problem: { errors: [{ field: "name", code: "required", message: t("field.required") }] } }); return; }
        const body = { permissions: boxes.filter((b) => b.input.checked).map((b) => b.input.value) };
        if (desc.value.trim()) body.description = desc.value.trim();
        try {
          await api("PUT", `/v1/tenants/${ctx.tenantId}/roles/${encodeURIComponent(n)}`, { body });
          close();
          announce(t("roles.saved", { name: n }));
          await refresh();
        } catch (e) {
          const left = showFieldErrors(form, e);
          if (e.code !== "invalid_request" || left.length) err.append(errorNotice(e));
        }
      });
    });
    return { title: role ? t("roles.edit_title", { name: role.name }) : t("roles.new"), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), save] };
  }, { wide: true });
}

// ------------------------------------------------------------------- workspaces
export async function workspacesPage(content, ctx) {
  const out = h("div");
  const host = h("div");
  const manage = ctx.can("roles.manage");
  const create = manage ? h("button", { type: "button", class: "primary", onclick: () => workspaceDialog(ctx, null, refresh) }, t("ws.new")) : null;
  content.append(pageHead(t("ws.title"), t("ws.lede"), create), out, host);

  async function refresh() {
    await ctx.refreshTenant().catch(() => {});
    draw();
  }
  function draw() {
    clear(host);
    if (!ctx.workspaces.length) {
      host.append(h("div", { class: "table-wrap" }, emptyState(t("ws.none"), t("ws.none_hint"))));
      return;
    }
    host.append(h("div", { class: "table-wrap" }, stacked(h("table", { "aria-label": t("ws.title") },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("ws.col_name")), h("th", { scope: "col" }, t("ws.col_id")), h("th", { scope: "col" }, t("ws.col_default")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
      h("tbody", null, ctx.workspaces.map((w) => {
        const actions = [];
        if (manage) {
          actions.push(h("button", { type: "button", class: "small", onclick: () => workspaceDialog(ctx, w, refresh) }, t("ws.rename")));
          const del = h("button", { type: "button", class: "small" }, t("common.delete"));
          del.addEventListener("click", async () => {
            const ok = await confirmDialog({ title: t("ws.delete_title"), message: t("ws.delete_body", { name: w.name }), confirmLabel: t("common.delete"), danger: true });
            if (!ok) return;
            clear(out);
            try {
              await api("DELETE", `/v1/tenants/${ctx.tenantId}/workspaces/${encodeURIComponent(w.id)}`);
              announce(t("ws.deleted", { name: w.name }));
              out.append(notice("success", t("ws.deleted", { name: w.name })));
              await refresh();
            } catch (err) { out.append(errorNotice(err)); }
          });
          actions.push(del);
        }
        return h("tr", { "data-workspace": w.id }, h("td", { class: "name lead" }, w.name), h("td", { class: "mono" }, w.id),
          h("td", null, w.default ? h("span", { class: "badge member" }, t("ws.default")) : h("span", { class: "muted" }, "—")),
          h("td", { class: "actions-cell" }, h("div", { class: "row-actions" }, actions)));
      }))))));
  }
  draw();
}

function workspaceDialog(ctx, w, refresh) {
  openDialog((close) => {
    const id = h("input", { type: "text", value: w ? w.id : "", disabled: !!w, spellcheck: "false" });
    const name = h("input", { type: "text", value: w ? w.name : "", maxlength: "100" });
    const def = checkbox(t("ws.default_label"), { checked: w ? w.default : false });
    const err = h("div");
    const save = h("button", { type: "submit", class: "primary", form: "ws-edit" }, w ? t("common.save") : t("ws.create"));
    const form = h("form", { id: "ws-edit", novalidate: true }, err,
      field(t("ws.col_id"), id, { name: "workspaceId", hint: t("ws.id_hint") }),
      field(t("ws.col_name"), name, { name: "name" }),
      h("div", { "data-field": "default" }, def.el));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(save, async () => {
        clear(err);
        clearFieldErrors(form);
        const wid = id.value.trim();
        if (!wid) { showFieldErrors(form, { problem: { errors: [{ field: "workspaceId", code: "required", message: t("field.required") }] } }); return; }
        const body = { default: def.input.checked };
        if (name.value.trim()) body.name = name.value.trim();
        try {
          await api("PUT", `/v1/tenants/${ctx.tenantId}/workspaces/${encodeURIComponent(wid)}`, { body });
          close();
          announce(t("ws.saved", { name: body.name || wid }));
          await refresh();
        } catch (e) {
          const left = showFieldErrors(form, e);
          if (e.code !== "invalid_request" || left.length) err.append(errorNotice(e));
        }
      });
    });
    return { title: w ? t("ws.rename_title", { name: w.name }) : t("ws.new"), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), save] };
  });
}

// ------------------------------------------------------------------- audit
function detailLabel(key) {
  const k = `audit.d.${key}`;
  if (has(k)) return t(k);
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A detail's value in words, or null when it says nothing (null, "", [], {}). */
function detailValue(key, v, nameOf) {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "boolean") return t(v ? "audit.yes" : "audit.no");
  if (Array.isArray(v)) {
    const items = v.map((x) => detailValue(key, x, nameOf)).filter((x) => x !== null);
    return items.length ? items.join(", ") : null;
  }
  if (typeof v === "object") {
    if ("from" in v && "to" in v) return `${detailValue(key, v.from, nameOf) ?? "—"} → ${detailValue(key, v.to, nameOf) ?? "—"}`;
    const parts = Object.entries(v).map(([k, x]) => [k, detailValue(k, x, nameOf)]).filter(([, x]) => x !== null);
    return parts.length ? parts.map(([k, x]) => `${detailLabel(k)}: ${x}`).join(", ") : null;
  }
  return key === "role" ? roleLabel(String(v)) : nameOf(String(v));
}

/**
 * An event's details as label/value pairs: the API's keys in words, empty values left out, and
 * the "<field>_changed" flags gathered into one "Changed" pair listing the fields that did.
 */
function detailsList(details, nameOf) {
  if (!details || typeof details !== "object") return null;
  const pairs = [];
  const changed = [];
  for (const [k, v] of Object.entries(details)) {
    const flag = k.match(/^(.+)_changed$/);
    if (flag) {
      if (v === true) changed.push(detailLabel(flag[1]));
      continue;
    }
    const value = detailValue(k, v, nameOf);
    if (value !== null) pairs.push([detailLabel(k), value]);
  }
  if (changed.length) pairs.push([t("audit.changed"), changed.join(", ")]);
  if (!pairs.length) return null;
  return h("dl", { class: "details" }, pairs.map(([k, v]) => [h("dt", null, k), h("dd", null, breakable(v))]));
}

export async function auditPage(content, ctx) {
  const host = h("div", null, loading());
  content.append(pageHead(t("audit.title"), t("audit.lede")), host);
  const events = [];
  let cursor;
  // Ids are hard to read: show the people's addresses where the member list knows them.
  const people = new Map();
  try {
    const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/members?limit=100`);
    for (const m of data.data) people.set(m.user_id, m.email);
  } catch { /* ids then */ }
  const shortId = (id) => (id.length > 18 ? `${id.slice(0, 4)}…${id.slice(-6)}` : id);
  // a value in the details: a person's address for their id, a short form for another id
  const readable = (v) => people.get(v) || (/^[a-z]{3}_[0-9a-f]{16,}$/.test(v) ? shortId(v) : v);
  const label = (id) => {
    if (!id) return h("span", { class: "muted" }, t("audit.system"));
    if (people.has(id)) return h("span", { title: id }, breakable(people.get(id)));
    return h("span", { class: "mono small-text", title: id }, shortId(id));
  };
  async function more() {
    try {
      const p = new URLSearchParams({ limit: 50 });
      if (cursor) p.set("cursor", cursor);
      const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/audit?${p}`);
      events.push(...data.data);
      cursor = data.next_cursor;
      draw();
    } catch (err) {
      clear(host).append(errorNotice(err));
    }
  }
  function draw() {
    clear(host);
    if (!events.length) { host.append(h("div", { class: "table-wrap" }, emptyState(t("audit.none")))); return; }
    const btn = h("button", { type: "button", class: "small" }, t("common.load_more"));
    btn.addEventListener("click", () => busy(btn, more));
    host.append(h("div", { class: "table-wrap" },
      stacked(h("table", { "aria-label": t("audit.title") },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("audit.when")), h("th", { scope: "col" }, t("audit.what")), h("th", { scope: "col" }, t("audit.who")), h("th", { scope: "col" }, t("audit.target")), h("th", { scope: "col" }, t("audit.details")))),
        h("tbody", null, events.map((e) => h("tr", null,
          h("td", { class: "lead" }, formatDate(e.at)),
          h("td", null, h("span", { class: "chip" }, e.action)),
          h("td", { class: "email-cell" }, label(e.actor)),
          h("td", { class: "email-cell" }, label(e.target)),
          h("td", { class: "small-text wide" }, detailsList(e.details, readable))))))),
      h("div", { class: "table-foot" }, h("span", null, t("audit.count", { n: events.length })), cursor ? btn : null)));
  }
  await more();
}

// ------------------------------------------------------------------- my invitations
export async function myInvitationsPage(content, ctx) {
  const host = h("div", null, loading());
  content.append(pageHead(t("me.title"), t("me.lede")), host);
  try {
    const { data } = await api("GET", "/v1/me/invitations?limit=100");
    clear(host);
    if (!data.data.length) { host.append(h("div", { class: "table-wrap" }, emptyState(t("me.none"), t("me.none_hint")))); return; }
    host.append(h("div", { class: "table-wrap" }, stacked(h("table", { "aria-label": t("me.title") },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("me.tenant")), h("th", { scope: "col" }, t("form.role")), h("th", { scope: "col" }, t("me.invited_by")), h("th", { scope: "col" }, t("me.sent")), h("th", { scope: "col" }, t("me.expires")))),
      h("tbody", null, data.data.map((i) => h("tr", null,
        h("td", { class: "name lead" }, i.tenant_name), h("td", { class: "role-tag" }, roleLabel(i.role)), h("td", { class: "email-cell" }, i.inviter_name ? breakable(i.inviter_name) : "—"),
        h("td", { class: "nowrap" }, formatDate(i.created_at)), h("td", { class: "nowrap" }, formatDate(i.expires_at)))))))),
    h("p", { class: "hint muted small-text section" }, t("me.how_to_accept")));
  } catch (err) {
    clear(host).append(errorNotice(err));
  }
  void ctx;
}
