// People: members and invitations in one list, license usage, search, filters, paging, row
// actions (resend, revoke, change role, edit, delete) and the export.
import { t } from "./i18n.js";
import { api, getSession, keysUnavailable } from "./api.js";
import {
  h, clear, loading, announce, busy, errorNotice, notice, emptyState, field, select, openDialog, confirmDialog,
  showFieldErrors, clearFieldErrors, formatDate, initials, roleLabel, downloadBlob, today, actionsMenu, stacked, breakable,
} from "./ui.js";
import { roleSelect, workspacesControl, profileInputs, readProfile, localeSelect, notificationsInputs, recordOwnerInput } from "./forms.js";

const PAGE = 25;
const filters = { q: "", role: "", status: "all" };

function personName(x) {
  const p = x.profile || {};
  const full = [p.first_name, p.last_name].filter(Boolean).join(" ");
  return x.name || full || x.username || "";
}

function usageCard(ctx) {
  const s = ctx.tenant.seats;
  const used = s.members + s.pending;
  const pct = (n) => (s.limit ? Math.min(100, (n / s.limit) * 100) : 0);
  const memberBar = h("span");
  memberBar.style.width = `${pct(s.members)}%`;
  const pendingBar = h("span", { class: "pending-part" });
  pendingBar.style.width = `${pct(s.pending)}%`;
  const roles = Object.entries(ctx.tenant.roles || {});
  return h("section", { class: "card usage", "aria-labelledby": "usage-title" },
    h("div", null,
      h("h2", { id: "usage-title", class: "muted small-text" }, t("people.usage")),
      h("div", { class: "big", "data-testid": "seat-usage" }, s.limit === null ? t("people.seats_unlimited", { used }) : t("people.seats_used", { used, limit: s.limit })),
      s.limit !== null ? h("div", { class: "meter meter-row", role: "img", "aria-label": t("people.seats_aria", { members: s.members, pending: s.pending, available: s.available }) }, memberBar, pendingBar) : null,
      h("p", { class: "small-text muted section" }, t("people.seats_detail", { members: s.members, pending: s.pending, available: s.available === null ? "∞" : s.available }))),
    h("div", null,
      h("h3", { class: "muted small-text" }, t("people.by_role")),
      roles.length
        ? h("ul", { class: "role-usage", "aria-label": t("people.by_role") }, roles.map(([r, n]) =>
          h("li", { class: "stat" }, h("div", { class: "k" }, roleLabel(r)), h("div", { class: "v" }, String(n)))))
        : h("p", { class: "muted" }, "—")),
  );
}

function statusBadge(kind, status) {
  const key = kind === "member" ? "status.member" : status === "pending" ? "status.pending_activation" : `status.${status}`;
  return h("span", { class: `badge ${kind === "member" ? "member" : status}` }, t(key));
}

export async function peoplePage(content, ctx) {
  const state = { items: [], sources: [], loading: false, error: null };
  const session = getSession();
  const tableHost = h("div");
  const exportOut = h("div");

  // ----------------------------------------------------------------- header and filters
  const exportCsv = h("button", { type: "button" }, t("people.export_csv"));
  const exportXlsx = h("button", { type: "button" }, t("people.export_xlsx"));
  exportCsv.addEventListener("click", () => doExport(ctx, "csv", exportCsv, exportOut));
  exportXlsx.addEventListener("click", () => doExport(ctx, "xlsx", exportXlsx, exportOut));
  const head = h("div", { class: "page-head" },
    h("div", null, h("h1", null, t("people.title")), h("p", null, t("people.lede", { tenant: ctx.tenant.name }))),
    h("div", { class: "actions" },
      ctx.can("members.export") ? [exportCsv, exportXlsx] : null,
      ctx.can("invitations.create") ? h("a", { class: "button primary", href: "#/invite" }, t("nav.invite")) : null));

  const q = h("input", { type: "search", value: filters.q, placeholder: t("people.search_placeholder"), autocomplete: "off" });
  const role = select([["", t("people.all_roles")], ...ctx.roles.map((r) => [r.name, roleLabel(r.name)])], filters.role);
  const statusOpts = [["all", t("people.status_all")], ["member", t("status.member")]];
  if (ctx.can("invitations.read")) {
    statusOpts.push(["pending", t("status.pending_activation")], ["expired", t("status.expired")], ["declined", t("status.declined")], ["revoked", t("status.revoked")]);
  }
  const status = select(statusOpts, filters.status);
  const filterBar = h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
    field(t("people.search"), q, { class: "grow" }),
    field(t("form.role"), role),
    field(t("people.status"), status));
  let timer = null;
  q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { filters.q = q.value.trim(); reload(); }, 250); });
  role.addEventListener("change", () => { filters.role = role.value; reload(); });
  status.addEventListener("change", () => { filters.status = status.value; reload(); });

  content.append(head, exportOut, usageCard(ctx), filterBar, tableHost);

  // ----------------------------------------------------------------- loading
  let seq = 0;
  // Sources of rows, each with its own cursor: the members, then invitations by status ("all"
  // shows members and the invitations still waiting: pending and expired).
  function sources() {
    const out = [];
    if (filters.status === "all" || filters.status === "member") out.push({ kind: "member" });
    if (ctx.can("invitations.read")) {
      const statuses = filters.status === "all" ? ["pending", "expired"] : filters.status === "member" ? [] : [filters.status];
      for (const st of statuses) out.push({ kind: "invitation", status: st });
    }
    return out.map((x) => ({ ...x, cursor: undefined }));
  }

  async function reload() {
    state.items = [];
    state.sources = sources();
    state.error = null;
    seq++;
    await more(seq);
  }

  async function more(mySeq = seq) {
    state.loading = true;
    draw();
    const got = state.sources.map(() => []);
    const jobs = state.sources.map((src, n) => {
      if (src.cursor === null) return null;
      const p = new URLSearchParams({ limit: PAGE });
      if (filters.role) p.set("role", filters.role);
      if (src.cursor) p.set("cursor", src.cursor);
      if (src.kind === "member") {
        if (filters.q) p.set("q", filters.q);
        return api("GET", `/v1/tenants/${ctx.tenantId}/members?${p}`).then(({ data }) => {
          if (mySeq !== seq) return;
          got[n] = data.data.map((m) => ({ kind: "member", m }));
          src.cursor = data.next_cursor;
          ctx.tenant.seats = data.seats;
          ctx.tenant.roles = data.roles;
        });
      }
      p.set("status", src.status);
      if (filters.q) p.set("email", filters.q);
      return api("GET", `/v1/tenants/${ctx.tenantId}/invitations?${p}`).then(({ data }) => {
        if (mySeq !== seq) return;
        got[n] = data.data.map((i) => ({ kind: "invitation", i }));
        src.cursor = data.next_cursor;
      });
    }).filter(Boolean);
    try {
      await Promise.all(jobs);
    } catch (err) {
      if (mySeq === seq) state.error = err;
    }
    if (mySeq !== seq) return;
    state.items.push(...got.flat());
    state.loading = false;
    draw();
    const usage = content.querySelector(".usage");
    if (usage) usage.replaceWith(usageCard(ctx));
  }

  // ----------------------------------------------------------------- table
  function draw() {
    clear(tableHost);
    if (state.error) {
      // (a notice about the provider's keys carries its own "Try again")
      tableHost.append(errorNotice(state.error));
      if (!keysUnavailable(state.error)) tableHost.append(h("button", { type: "button", onclick: reload }, t("common.retry")));
      return;
    }
    if (!state.items.length) {
      tableHost.append(h("div", { class: "table-wrap" }, state.loading ? h("div", { class: "empty" }, loading()) :
        emptyState(filters.q || filters.role || filters.status !== "all" ? t("people.none_match") : t("people.none"), t("people.none_hint"))));
      return;
    }
    const rows = state.items.map((it) => (it.kind === "member" ? memberRow(it.m) : invitationRow(it.i)));
    const hasMore = state.sources.some((x) => x.cursor);
    const loadMore = h("button", { type: "button", class: "small", disabled: state.loading }, state.loading ? t("common.loading") : t("common.load_more"));
    loadMore.addEventListener("click", () => more());
    tableHost.append(h("div", { class: "table-wrap" },
      stacked(h("table", { "aria-label": t("people.title") },
        h("thead", null, h("tr", null,
          h("th", { scope: "col", class: "col-person" }, t("people.col_person")), h("th", { scope: "col" }, t("form.role")),
          h("th", { scope: "col" }, t("form.workspaces")), h("th", { scope: "col" }, t("people.status")),
          h("th", { scope: "col" }, t("people.col_last_login")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
        h("tbody", null, rows))),
      h("div", { class: "table-foot" },
        h("span", { role: "status" }, t("people.showing", { n: state.items.length })),
        hasMore ? loadMore : null)));
  }

  function personCell(name, email, extra) {
    return h("td", { class: "lead" }, h("div", { class: "person" },
      h("div", { class: "avatar sm", "aria-hidden": "true" }, initials(name || email)),
      h("div", null, h("div", { class: "name" }, breakable(name || email)), name ? h("div", { class: "sub" }, breakable(email)) : null, extra || null)));
  }

  function wsCell(list) {
    return h("td", null, list && list.length ? list.map((w) => h("span", { class: "chip" }, w)) : h("span", { class: "muted" }, "—"));
  }

  function memberRow(m) {
    const isMe = session && m.email === session.email.toLowerCase();
    const items = [];
    if (ctx.can("members.update")) {
      items.push({ label: t("people.change_role"), onSelect: () => changeRoleDialog(ctx, { kind: "member", x: m }, reload) });
      items.push({ label: t("people.edit"), onSelect: () => editMemberDialog(ctx, m, reload, isMe) });
    }
    if (ctx.can("members.remove") && !isMe) {
      items.push({ label: t("people.delete"), danger: true, onSelect: () => deleteMemberDialog(ctx, m, reload) });
    }
    const actions = actionsMenu(t("people.actions_for", { email: m.email }), items);
    const pendingEmail = m.pending_email ? h("div", { class: "sub" }, t("people.email_change_pending", { email: m.pending_email.email })) : null;
    return h("tr", { "data-email": m.email, "data-kind": "member" },
      personCell(personName(m), m.email, pendingEmail),
      h("td", { class: "role-tag" }, roleLabel(m.role)),
      wsCell(m.workspaces),
      h("td", null, statusBadge("member")),
      h("td", { class: "nowrap" }, m.last_login_at ? formatDate(m.last_login_at) : h("span", { class: "muted" }, t("people.never"))),
      h("td", { class: "actions-cell menu-cell" }, actions));
  }

  function invitationRow(i) {
    const items = [];
    if ((i.status === "pending" || i.status === "expired") && ctx.can("invitations.resend")) {
      items.push({ label: t("people.resend"), onSelect: async () => {
        try {
          await api("POST", `/v1/tenants/${ctx.tenantId}/invitations/${i.id}/resend`);
          announce(t("people.resent", { email: i.email }));
          await reload();
          flash(notice("success", t("people.resent", { email: i.email })));
        } catch (err) { flash(errorNotice(err)); }
      } });
    }
    if (i.status === "pending" && ctx.can("invitations.create")) {
      items.push({ label: t("people.change_role"), onSelect: () => changeRoleDialog(ctx, { kind: "invitation", x: i }, reload) });
      items.push({ label: t("people.edit"), onSelect: () => editInvitationDialog(ctx, i, reload) });
    }
    if (i.status === "pending" && ctx.can("invitations.revoke")) {
      items.push({ label: t("people.revoke"), danger: true, onSelect: async () => {
        const ok = await confirmDialog({ title: t("people.revoke_title"), message: t("people.revoke_body", { email: i.email }), confirmLabel: t("people.revoke"), danger: true });
        if (!ok) return;
        try {
          await api("DELETE", `/v1/tenants/${ctx.tenantId}/invitations/${i.id}`);
          announce(t("people.revoked", { email: i.email }));
          await reload();
          flash(notice("success", t("people.revoked", { email: i.email })));
        } catch (err) { flash(errorNotice(err)); }
      } });
    }
    const actions = actionsMenu(t("people.actions_for", { email: i.email }), items);
    const sub = [];
    if (i.status === "pending") sub.push(t("people.expires", { date: formatDate(i.expires_at, false) }));
    if (i.delivery && i.delivery.status === "failed") sub.push(t("people.delivery_failed"));
    if (i.delivery && i.delivery.status === "bounced") sub.push(t("people.delivery_bounced"));
    if (i.delivery && i.delivery.status === "complained") sub.push(t("people.delivery_complained"));
    if (i.renewal_requested_at) sub.push(t("people.renewal_requested"));
    return h("tr", { "data-email": i.email, "data-kind": "invitation" },
      personCell(personName(i), i.email),
      h("td", { class: "role-tag" }, roleLabel(i.role)),
      wsCell(i.workspaces),
      h("td", null, statusBadge("invitation", i.status), sub.length ? h("div", { class: "sub muted small-text" }, sub.join(" · ")) : null),
      h("td", null, h("span", { class: "muted" }, "—")),
      h("td", { class: "actions-cell menu-cell" }, actions));
  }

  function flash(node) {
    clear(exportOut).append(node);
  }

  tableHost.append(loading());
  await reload();
}

// ------------------------------------------------------------------- export
async function doExport(ctx, format, button, out) {
  await busy(button, async () => {
    clear(out);
    try {
      const res = await api("GET", `/v1/tenants/${ctx.tenantId}/members/export?format=${format}&include=invitations`, { blob: true, accept: "*/*" });
      if (res.status === 202) {
        const job = JSON.parse(await res.blob.text());
        out.append(notice("info", t("people.export_queued")));
        const url = await pollExport(ctx, job.id);
        clear(out).append(notice("success", t("people.export_ready"), h("span", null, " ", h("a", { href: url, download: "" }, t("people.export_download")))));
        return;
      }
      const cd = res.headers.get("content-disposition") || "";
      const m = cd.match(/filename="?([^";]+)"?/);
      const name = m ? m[1] : `members-${ctx.tenantId}-${today()}.${format}`;
      downloadBlob(res.blob, name);
      announce(t("people.export_done", { name }));
    } catch (err) {
      out.append(errorNotice(err));
    }
  });
}

async function pollExport(ctx, id) {
  for (let i = 0; i < 120; i++) {
    const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/exports/${id}`);
    if (data.status === "ready" && data.url) return data.url;
    if (data.status === "failed") throw Object.assign(new Error("failed"), { problem: { code: "export_failed", detail: data.error || "" } });
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw Object.assign(new Error("timeout"), { problem: { code: "export_failed", detail: "" } });
}

// ------------------------------------------------------------------- dialogs
function changeRoleDialog(ctx, target, reload) {
  const x = target.x;
  openDialog((close) => {
    const sel = roleSelect(ctx, x.role);
    const err = h("div");
    const save = h("button", { type: "submit", class: "primary", form: "role-form" }, t("common.save"));
    const form = h("form", { id: "role-form" }, err, h("p", { class: "lede" }, t("people.change_role_body", { email: x.email })), field(t("form.role"), sel, { name: "role" }));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(save, async () => {
        clear(err);
        if (sel.value === x.role) { close(); return; }
        const path = target.kind === "member" ? `/v1/tenants/${ctx.tenantId}/members/${x.user_id}` : `/v1/tenants/${ctx.tenantId}/invitations/${x.id}`;
        try {
          await api("PATCH", path, { body: { role: sel.value } });
          close();
          announce(t("people.role_changed", { email: x.email, role: roleLabel(sel.value) }));
          await ctx.refreshTenant().catch(() => {});
          reload();
        } catch (e) { err.append(errorNotice(e)); }
      });
    });
    return { title: t("people.change_role_title"), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), save] };
  });
}

function settingsParts(ctx, x) {
  const profile = profileInputs(x.profile || {});
  const role = roleSelect(ctx, x.role);
  const ws = workspacesControl(ctx, x.workspaces || []);
  const notes = notificationsInputs(x.notifications || {});
  const owner = recordOwnerInput(x.record_owner);
  return { profile, role, ws, notes, owner };
}

function patchFrom(x, parts) {
  const body = {};
  const p = readProfile(parts.profile.inputs, x.profile || {});
  if (Object.keys(p).length) body.profile = p;
  if (parts.role.value !== x.role) body.role = parts.role.value;
  const w = parts.ws.read();
  if (JSON.stringify([...w].sort()) !== JSON.stringify([...(x.workspaces || [])].sort())) body.workspaces = w;
  const n = parts.notes.read();
  const before = x.notifications || {};
  const nd = {};
  for (const k of Object.keys(n)) if (n[k] !== before[k]) nd[k] = n[k];
  if (nd.weekly_summary && w.length) nd.weekly_summary_workspaces = w;
  if (Object.keys(nd).length) body.notifications = nd;
  if (parts.owner.input.checked !== !!x.record_owner) body.record_owner = parts.owner.input.checked;
  return body;
}

function editMemberDialog(ctx, m, reload, isMe) {
  openDialog((close) => {
    const parts = settingsParts(ctx, m);
    const email = h("input", { type: "email", value: m.email, disabled: isMe, spellcheck: "false" });
    const err = h("div");
    const save = h("button", { type: "submit", class: "primary", form: "edit-member" }, t("common.save"));
    const form = h("form", { id: "edit-member", novalidate: true }, err,
      parts.profile.el,
      field(t("form.email"), email, { name: "email", hint: isMe ? t("people.email_self_hint") : t("people.email_change_hint") }),
      field(t("form.role"), parts.role, { name: "role" }),
      parts.ws.el, parts.notes.el, parts.owner.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(save, async () => {
        clear(err);
        clearFieldErrors(form);
        const body = patchFrom(m, parts);
        const newEmail = email.value.trim().toLowerCase();
        if (!isMe && newEmail && newEmail !== m.email) body.email = newEmail;
        if (!Object.keys(body).length) { close(); return; }
        try {
          const { data } = await api("PATCH", `/v1/tenants/${ctx.tenantId}/members/${m.user_id}`, { body });
          close();
          announce(data.pending_email ? t("people.email_change_sent", { email: data.pending_email.email }) : t("people.saved", { email: m.email }));
          await ctx.refreshTenant().catch(() => {});
          reload();
        } catch (e) {
          const left = showFieldErrors(form, e);
          if (e.code !== "invalid_request" || left.length) err.append(errorNotice(e));
        }
      });
    });
    return { title: t("people.edit_member_title", { email: m.email }), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), save] };
  }, { wide: true });
}

function editInvitationDialog(ctx, i, reload) {
  openDialog((close) => {
    const parts = settingsParts(ctx, i);
    const locale = localeSelect(i.locale);
    const err = h("div");
    const save = h("button", { type: "submit", class: "primary", form: "edit-invitation" }, t("common.save"));
    const form = h("form", { id: "edit-invitation", novalidate: true }, err,
      h("p", { class: "hint muted small-text" }, t("people.edit_invitation_hint")),
      parts.profile.el,
      h("div", { class: "grid-2" }, field(t("form.role"), parts.role, { name: "role" }), field(t("form.locale"), locale, { name: "locale" })),
      parts.ws.el, parts.notes.el, parts.owner.el);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(save, async () => {
        clear(err);
        clearFieldErrors(form);
        const body = patchFrom(i, parts);
        if (locale.value !== i.locale) body.locale = locale.value;
        if (!Object.keys(body).length) { close(); return; }
        try {
          await api("PATCH", `/v1/tenants/${ctx.tenantId}/invitations/${i.id}`, { body });
          close();
          announce(t("people.saved", { email: i.email }));
          reload();
        } catch (e) {
          const left = showFieldErrors(form, e);
          if (e.code !== "invalid_request" || left.length) err.append(errorNotice(e));
        }
      });
    });
    return { title: t("people.edit_invitation_title", { email: i.email }), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), save] };
  }, { wide: true });
}

/** Delete a member: the admin must type the member's email; the button stays disabled until it matches. */
function deleteMemberDialog(ctx, m, reload) {
  openDialog((close) => {
    const input = h("input", { type: "email", autocomplete: "off", spellcheck: "false" });
    const err = h("div");
    const del = h("button", { type: "submit", class: "danger", form: "delete-member", disabled: true }, t("people.delete_confirm"));
    const matches = () => input.value.trim().toLowerCase() === m.email.toLowerCase();
    input.addEventListener("input", () => { del.disabled = !matches(); });
    const form = h("form", { id: "delete-member", novalidate: true }, err,
      h("p", null, t("people.delete_body", { name: personName(m) || m.email })),
      h("p", null, t("people.delete_type"), " ", h("strong", { class: "mono" }, m.email)),
      field(t("people.delete_label"), input, { name: "confirm_email" }));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!matches()) return;
      busy(del, async () => {
        clear(err);
        try {
          await api("DELETE", `/v1/tenants/${ctx.tenantId}/members/${m.user_id}`, { body: { confirm_email: input.value.trim() } });
          close();
          announce(t("people.deleted", { email: m.email }));
          await ctx.refreshTenant().catch(() => {});
          reload();
        } catch (e) {
          err.append(errorNotice(e));
        }
      }).then(() => { del.disabled = !matches(); });
    });
    return { title: t("people.delete_title"), body: form, footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), del], initialFocus: input };
  });
}
