// Joining without an invitation email (needs invitations.create): the tenant's join links (made
// here, the link shown once, listed with their uses, disabled with a confirmation) and the join
// requests that links needing approval file (approved or denied one by one). Also what a
// signed-in person without a tenant may join with their address's verified domain
// (GET /v1/me/joinable-tenants) and their own requests waiting for an answer.
import { t } from "./i18n.js";
import { api } from "./api.js";
import {
  h, clear, loading, announce, busy, errorNotice, notice, emptyState, field, checkbox, select, roleLabel, stacked,
  confirmDialog, formatDate, showFieldErrors, clearFieldErrors, copyField, breakable,
} from "./ui.js";
import { grantableRoles, defaultRole } from "./forms.js";

function pageHead(title, lede) {
  return h("div", { class: "page-head" }, h("div", null, h("h1", null, title), lede ? h("p", null, lede) : null));
}

const LINK_BADGE = { active: "active", expired: "expired", disabled: "revoked", used_up: "declined" };
const REQUEST_BADGE = { pending: "pending", approved: "accepted", denied: "revoked" };

/** "acme.com, acme.fr" from what was typed (commas, semicolons, spaces; a leading @ dropped). */
function readDomains(text) {
  return text.split(/[\s,;]+/).map((d) => d.trim().replace(/^@/, "").toLowerCase()).filter(Boolean);
}

// ------------------------------------------------------------------- join links
export async function joinLinksPage(content, ctx) {
  let links = null;
  let created = null; // the link just made: its URL is shown here once, never again
  const out = h("div");
  const onceHost = h("div");
  const listHost = h("div", null, loading());

  // a join link never grants owner (the API refuses it)
  const roles = grantableRoles(ctx).filter((r) => r !== "owner");
  const start = defaultRole(ctx);
  const role = select(roles.map((r) => [r, roleLabel(r)]), roles.includes(start) ? start : roles[0]);
  const maxUses = h("input", { type: "number", min: "1", max: "1000", step: "1", inputmode: "numeric", value: "10", required: true });
  const days = h("input", { type: "number", min: "1", max: "90", step: "1", inputmode: "numeric", value: "14" });
  const domains = h("input", { type: "text", spellcheck: "false", autocomplete: "off", placeholder: "acme.com" });
  const approval = checkbox(t("jl.approval_label"));
  const create = h("button", { type: "submit", class: "primary" }, t("jl.create"));
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "jl-new" },
    h("h2", { id: "jl-new" }, t("jl.new_title")),
    h("div", { class: "grid-2" },
      field(t("form.role"), role, { name: "role" }),
      field(t("jl.max_uses"), maxUses, { name: "max_uses", hint: t("jl.max_uses_hint") })),
    h("div", { class: "grid-2" },
      field(t("jl.expires_in_days"), days, { name: "expires_in_days", hint: t("jl.expires_hint") }),
      field(t("jl.allowed_domains"), domains, { name: "allowed_domains", hint: t("jl.allowed_domains_hint") })),
    h("div", { "data-field": "approval" }, approval.el, h("p", { class: "hint muted small-text" }, t("jl.approval_hint")), h("span", { class: "field-error", hidden: true })),
    h("div", { class: "stack-buttons section" }, create));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clear(out);
    clearFieldErrors(form);
    const missing = [];
    if (!maxUses.value.trim()) missing.push({ field: "max_uses", code: "required" });
    if (!days.value.trim()) missing.push({ field: "expires_in_days", code: "required" });
    if (missing.length) {
      showFieldErrors(form, { problem: { errors: missing } });
      announce(t("form.fix_fields"));
      return;
    }
    const body = { role: role.value, max_uses: Number(maxUses.value), expires_in_days: Number(days.value), approval: approval.input.checked };
    const allowed = readDomains(domains.value);
    if (allowed.length) body.allowed_domains = allowed;
    busy(create, async () => {
      try {
        const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/join-links`, { body });
        created = data;
        drawOnce(true);
        announce(t("jl.created"));
        await reload();
      } catch (err) {
        const left = showFieldErrors(form, err);
        if (left.length || err.code !== "invalid_request") out.append(errorNotice(err));
        else announce(t("form.fix_fields"));
      }
    });
  });

  function drawOnce(focus) {
    clear(onceHost);
    if (!created) return;
    const done = h("button", { type: "button" }, t("dirset.token_done"));
    done.addEventListener("click", () => { created = null; drawOnce(); maxUses.focus(); });
    onceHost.append(h("div", { class: "notice success token-once", role: "region", "aria-labelledby": "jl-once-title", "data-testid": "join-link-once" },
      h("strong", { class: "notice-title", id: "jl-once-title", tabindex: "-1" }, t("jl.once_title", { role: roleLabel(created.role) })),
      h("p", null, t("jl.once_body")),
      copyField(t("jl.url"), created.url, { testid: "new-join-link", copyLabel: t("jl.copy_url") }),
      done));
    if (focus) onceHost.querySelector("#jl-once-title").focus();
  }

  async function reload() {
    try {
      const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/join-links`);
      links = data.data;
    } catch (err) {
      links = [];
      out.append(errorNotice(err));
    }
    drawList();
  }

  function drawList() {
    clear(listHost);
    if (!links.length) {
      listHost.append(h("div", { class: "table-wrap" }, emptyState(t("jl.none"), t("jl.none_hint"))));
      return;
    }
    listHost.append(h("div", { class: "table-wrap" }, stacked(h("table", { "aria-labelledby": "jl-list", class: "compact-actions" },
      h("thead", null, h("tr", null,
        h("th", { scope: "col" }, t("form.role")), h("th", { scope: "col" }, t("jl.col_uses")), h("th", { scope: "col" }, t("jl.col_remaining")),
        h("th", { scope: "col" }, t("me.expires")), h("th", { scope: "col" }, t("people.status")), h("th", { scope: "col" }, t("jl.col_approval")),
        h("th", { scope: "col" }, t("jl.col_domains")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
      h("tbody", null, links.map((l) => {
        let disable = null;
        if (!l.disabled) {
          disable = h("button", { type: "button", class: "small", "aria-label": t("jl.disable_named", { role: roleLabel(l.role), date: formatDate(l.created_at) }) }, t("jl.disable"));
          disable.addEventListener("click", async () => {
            const ok = await confirmDialog({ title: t("jl.disable_title"), message: t("jl.disable_body", { uses: l.uses }), confirmLabel: t("jl.disable"), danger: true });
            if (!ok) return;
            clear(out);
            try {
              await api("DELETE", `/v1/tenants/${ctx.tenantId}/join-links/${encodeURIComponent(l.id)}`);
              out.append(notice("success", t("jl.disabled")));
              announce(t("jl.disabled"));
            } catch (err) { out.append(errorNotice(err)); }
            await reload();
          });
        }
        return h("tr", { "data-link": l.id, "data-status": l.status },
          h("td", { class: "lead role-tag" }, roleLabel(l.role)),
          h("td", { class: "nowrap" }, `${l.uses} / ${l.max_uses}`),
          h("td", null, String(l.remaining)),
          h("td", { class: "nowrap" }, formatDate(l.expires_at)),
          h("td", null, h("span", { class: `badge ${LINK_BADGE[l.status] || "expired"}` }, t(`jl.status_${l.status}`))),
          h("td", null, l.approval ? t("audit.yes") : t("audit.no")),
          h("td", { class: "email-cell" }, l.allowed_domains.length ? l.allowed_domains.join(", ") : h("span", { class: "muted" }, t("jl.any_domain"))),
          h("td", { class: "actions-cell" }, h("div", { class: "row-actions" }, disable)));
      }))))));
  }

  content.append(pageHead(t("jl.title"), t("jl.lede", { tenant: ctx.tenant.name })), out, onceHost, form,
    h("h2", { id: "jl-list", class: "section" }, t("jl.list_title")), listHost);
  await reload();
}

// ------------------------------------------------------------------- join requests
const requestFilter = { status: "pending" };

export async function joinRequestsPage(content, ctx) {
  const out = h("div", { tabindex: "-1", class: "result-out" });
  const host = h("div", null, loading());
  let items = [];
  let cursor = null;
  let seq = 0;

  const status = select([["pending", t("jr.status_pending")], ["approved", t("jr.status_approved")], ["denied", t("jr.status_denied")], ["", t("jr.status_all")]], requestFilter.status);
  status.addEventListener("change", () => { requestFilter.status = status.value; clear(out); reload(); });
  const filters = h("form", { class: "filters", onsubmit: (e) => e.preventDefault(), "aria-label": t("jr.filters") }, field(t("people.status"), status));

  async function more(mySeq = seq) {
    const p = new URLSearchParams({ limit: 25 });
    if (requestFilter.status) p.set("status", requestFilter.status);
    if (cursor) p.set("cursor", cursor);
    try {
      const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/join-requests?${p}`);
      if (mySeq !== seq) return;
      items.push(...data.data);
      cursor = data.next_cursor;
      draw();
    } catch (err) {
      if (mySeq === seq) clear(host).append(errorNotice(err));
    }
  }

  async function reload() {
    items = [];
    cursor = null;
    seq++;
    clear(host).append(loading());
    await more(seq);
  }

  function say(node) {
    clear(out).append(node);
    out.focus();
  }

  async function decide(r, verb, button) {
    await busy(button, async () => {
      try {
        const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/join-requests/${encodeURIComponent(r.id)}/${verb}`);
        const after = verb === "approve" ? data.join_request : data;
        Object.assign(r, after);
        const text = verb === "approve" ? t("jr.approved", { email: r.email, role: roleLabel(r.role) }) : t("jr.denied", { email: r.email });
        say(notice("success", text));
        announce(text);
        draw();
      } catch (err) {
        if (err.code === "invalid_state") {
          say(notice("error", t("jr.already_decided", { email: r.email })));
          await reload();
        } else if (err.code === "already_member") {
          say(notice("error", t("jr.already_member", { email: r.email })));
        } else if (err.code === "seat_limit_reached") {
          say(notice("error", t("jr.no_seat", { email: r.email })));
        } else {
          say(errorNotice(err));
        }
      }
    });
  }

  function draw() {
    clear(host);
    if (!items.length) {
      host.append(h("div", { class: "table-wrap" }, emptyState(t(requestFilter.status === "pending" ? "jr.none_pending" : "jr.none"), t("jr.none_hint"))));
      return;
    }
    const loadMore = h("button", { type: "button", class: "small" }, t("common.load_more"));
    loadMore.addEventListener("click", () => busy(loadMore, () => more()));
    host.append(h("div", { class: "table-wrap" },
      stacked(h("table", { "aria-label": t("jr.title"), class: "compact-actions" },
        h("thead", null, h("tr", null,
          h("th", { scope: "col" }, t("people.col_person")), h("th", { scope: "col" }, t("form.role")), h("th", { scope: "col" }, t("jr.col_requested")),
          h("th", { scope: "col" }, t("people.status")), h("th", { scope: "col" }, t("jr.col_decided")),
          h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
        h("tbody", null, items.map((r) => {
          const actions = [];
          if (r.status === "pending") {
            const approve = h("button", { type: "button", class: "small primary", "aria-label": t("jr.approve_named", { email: r.email }) }, t("jr.approve"));
            approve.addEventListener("click", () => decide(r, "approve", approve));
            const deny = h("button", { type: "button", class: "small", "aria-label": t("jr.deny_named", { email: r.email }) }, t("jr.deny"));
            deny.addEventListener("click", () => decide(r, "deny", deny));
            actions.push(approve, deny);
          }
          return h("tr", { "data-request": r.id, "data-status": r.status },
            h("td", { class: "lead" }, h("div", { class: "person" }, h("div", null,
              r.name ? h("div", { class: "name" }, r.name) : null,
              h("div", { class: r.name ? "sub" : "name" }, breakable(r.email))))),
            h("td", { class: "role-tag" }, roleLabel(r.role)),
            h("td", { class: "nowrap" }, formatDate(r.created_at)),
            h("td", null, h("span", { class: `badge ${REQUEST_BADGE[r.status] || "expired"}` }, t(`jr.status_${r.status}`))),
            h("td", { class: "nowrap" }, r.decided_at ? formatDate(r.decided_at) : h("span", { class: "muted" }, "—")),
            h("td", { class: "actions-cell" }, h("div", { class: "row-actions" }, actions)));
        })))),
      h("div", { class: "table-foot" }, h("span", null, t("jr.count", { n: items.length })), cursor ? loadMore : null)));
  }

  content.append(pageHead(t("jr.title"), t("jr.lede", { tenant: ctx.tenant.name })), filters, out, host);
  await reload();
}

// ------------------------------------------------------------------- what a person may join
/**
 * "Organisations you can join" (GET /v1/me/joinable-tenants), each with Join or Ask to join
 * (POST /v1/me/tenants/{id}/join), and the caller's requests still waiting. Draws nothing when
 * there is nothing to offer. onJoined(tenantId) runs after joining at once.
 */
export async function joinableSection(host, onJoined) {
  let offers = [];
  let waiting = [];
  try {
    const { data } = await api("GET", "/v1/me/joinable-tenants");
    offers = data.data || [];
  } catch { /* a server without verified domains: nothing to offer */ }
  try {
    const { data } = await api("GET", "/v1/me/join-requests");
    waiting = (data.data || []).filter((r) => r.status === "pending");
  } catch { /* nothing to show */ }
  // a tenant already asked is shown as waiting, not offered again
  const asked = new Set(waiting.map((r) => r.tenant_id));
  offers = offers.filter((o) => !asked.has(o.tenant_id));
  clear(host);
  if (offers.length) {
    host.append(h("section", { class: "card section", "aria-labelledby": "joinable-title", "data-testid": "joinable" },
      h("h2", { id: "joinable-title" }, t("joinable.title")),
      h("p", { class: "muted" }, t("joinable.lede")),
      h("ul", { class: "joinable-list" }, offers.map((o) => offerItem(o, onJoined)))));
  }
  if (waiting.length) {
    host.append(h("section", { class: "card section", "aria-labelledby": "waiting-title", "data-testid": "my-join-requests" },
      h("h2", { id: "waiting-title" }, t("joinable.waiting_title")),
      h("ul", { class: "joinable-list" }, waiting.map((r) => h("li", null,
        h("div", null, h("strong", null, r.tenant_name),
          h("div", { class: "muted small-text" }, t("joinable.waiting_since", { role: roleLabel(r.role), date: formatDate(r.created_at) }))),
        h("span", { class: "badge pending" }, t("jr.status_pending")))))));
  }
}

function offerItem(o, onJoined) {
  const ask = o.join === "request";
  const button = h("button", { type: "button", class: ask ? "" : "primary", "aria-label": t(ask ? "joinable.ask_named" : "joinable.join_named", { tenant: o.tenant_name }) },
    t(ask ? "join.ask" : "joinable.join"));
  const result = h("div", { class: "joinable-result" });
  const item = h("li", { "data-tenant": o.tenant_id },
    h("div", null, h("strong", null, o.tenant_name),
      h("div", { class: "muted small-text" }, t(ask ? "joinable.why_request" : "joinable.why_auto", { domain: o.domain, role: roleLabel(o.role) }))),
    button, result);
  button.addEventListener("click", () => busy(button, async () => {
    clear(result);
    try {
      const { data } = await api("POST", `/v1/me/tenants/${encodeURIComponent(o.tenant_id)}/join`);
      if (data.outcome === "joined") {
        const text = t("accept.joined", { tenant: o.tenant_name });
        announce(text);
        sessionStorage.setItem("usher.tenant", o.tenant_id);
        result.append(notice("success", text));
        if (onJoined) onJoined(o.tenant_id);
      } else {
        const text = t("joinable.requested", { tenant: o.tenant_name });
        announce(text);
        button.remove();
        result.append(notice("success", text));
      }
    } catch (err) {
      result.append(errorNotice(err));
    }
  }));
  return item;
}
