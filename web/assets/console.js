// The admin console at /: sign-in, the caller's tenants (GET /v1/me/tenants) with a switcher,
// and the pages of a tenant (hash routes: #/people, #/invite, #/bulk, #/directory, #/join-links,
// #/join-requests, #/roles, #/workspaces, #/audit, #/directory-settings, #/domains, #/me); "Leave
// this tenant" (DELETE /v1/me/tenants/{id}) in the "You" section. Without a tenant: the tenants
// the person may join with their address's verified domain.
import { t, onLangChange, applyDocument } from "./i18n.js";
import { api, getSession } from "./api.js";
import { authReady, signInConfig } from "./auth.js";
import {
  h, clear, loading, errorNotice, signInForm, renderPage, select, field, nextId, openDialog, busy, notice, announce,
  showFieldErrors, clearFieldErrors,
} from "./ui.js";

// The pages of a tenant load after sign-in, when one is first drawn: the sign-in page needs
// only this module, i18n, api, auth and ui (about half the console's script).
const pages = {
  people: () => import("./people.js").then((m) => m.peoplePage),
  invite: () => import("./invite.js").then((m) => m.invitePage),
  bulk: () => import("./bulk.js").then((m) => m.bulkPage),
  directory: () => import("./directory.js").then((m) => m.directoryPage),
  "directory-settings": () => import("./directory-settings.js").then((m) => m.directorySettingsPage),
  "join-links": () => import("./joining.js").then((m) => m.joinLinksPage),
  "join-requests": () => import("./joining.js").then((m) => m.joinRequestsPage),
  domains: () => import("./domains.js").then((m) => m.domainsPage),
  roles: () => import("./admin.js").then((m) => m.rolesPage),
  workspaces: () => import("./admin.js").then((m) => m.workspacesPage),
  audit: () => import("./admin.js").then((m) => m.auditPage),
  me: () => import("./admin.js").then((m) => m.myInvitationsPage),
};

const ALL = ["invitations.create", "invitations.read", "invitations.resend", "invitations.revoke", "members.read",
  "members.update", "members.remove", "members.export", "roles.manage", "audit.read", "directory.manage"];
const BUILTIN = { owner: ALL, admin: ALL, member: ["members.read"], viewer: ["members.read"] };

const ROUTES = [
  { id: "people", label: "nav.people", perm: "members.read" },
  { id: "invite", label: "nav.invite", perm: "invitations.create" },
  { id: "bulk", label: "nav.bulk", perm: "invitations.create" },
  { id: "directory", label: "nav.directory", perm: "invitations.create" },
  { id: "join-links", label: "nav.join_links", perm: "invitations.create" },
  { id: "join-requests", label: "nav.join_requests", perm: "invitations.create" },
  { id: "roles", label: "nav.roles" },
  { id: "workspaces", label: "nav.workspaces" },
  { id: "audit", label: "nav.audit", perm: "audit.read" },
  { id: "directory-settings", label: "nav.directory_settings", perm: "directory.manage" },
  { id: "domains", label: "nav.domains", perm: "directory.manage" },
];

/** What every page gets: the tenant, the caller's permissions, the roles and workspaces. */
export const ctx = {
  tenants: null,
  tenantId: null,
  tenant: null,
  myRole: null,
  perms: new Set(),
  roles: [],
  workspaces: [],
  loadError: null,
  flash: null, // a message for the next page drawn (e.g. "You left Acme."), shown once
  can(p) { return this.perms.has(p); },
  navigate(route) { location.hash = `#/${route}`; },
  async refreshTenant() {
    const [tenant, roles, workspaces] = await Promise.all([
      api("GET", `/v1/tenants/${this.tenantId}/settings`),
      api("GET", `/v1/tenants/${this.tenantId}/roles`),
      api("GET", `/v1/tenants/${this.tenantId}/workspaces`),
    ]);
    this.tenant = tenant.data;
    this.roles = roles.data.data;
    this.workspaces = workspaces.data.data;
    const mine = this.roles.find((r) => r.name === this.myRole);
    this.perms = new Set(BUILTIN[this.myRole] || (mine ? mine.permissions : []));
  },
};

function route() {
  const m = location.hash.match(/^#\/([a-z-]+)/);
  return m ? m[1] : "people";
}

async function loadTenants() {
  const all = [];
  let cursor = null;
  do {
    const { data } = await api("GET", `/v1/me/tenants?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    all.push(...data.data);
    cursor = data.next_cursor;
  } while (cursor);
  return all;
}

async function selectTenant(id) {
  ctx.tenantId = id;
  sessionStorage.setItem("usher.tenant", id);
  const mt = ctx.tenants.find((x) => x.tenant_id === id);
  ctx.myRole = mt ? mt.role : null;
  ctx.tenant = null;
  ctx.loadError = null;
  render();
  // Opening a tenant is signing in to it: the people list's "last login" (one a minute at most,
  // server-side). Never in the way: a failure here changes nothing the person sees.
  try {
    await api("POST", `/v1/me/tenants/${encodeURIComponent(id)}/sign-in`, { idempotent: false });
  } catch { /* the list still loads */ }
  try {
    await ctx.refreshTenant();
  } catch (err) {
    ctx.loadError = err;
  }
  render();
}

async function start() {
  ctx.tenants = null;
  ctx.loadError = null;
  render();
  if (!getSession()) return;
  try {
    ctx.tenants = await loadTenants();
  } catch (err) {
    ctx.loadError = err;
    ctx.tenants = [];
    render();
    return;
  }
  const wanted = sessionStorage.getItem("usher.tenant");
  if (wanted && !ctx.tenants.some((x) => x.tenant_id === wanted)) {
    // just joined (the accept page set it): the index of tenants may lag a moment behind
    await new Promise((r) => setTimeout(r, 1200));
    try { ctx.tenants = await loadTenants(); } catch { /* keep the first answer */ }
  }
  const first = ctx.tenants.find((x) => x.tenant_id === wanted) || ctx.tenants[0];
  if (first) await selectTenant(first.tenant_id);
  else render();
}

function tenantSwitcher() {
  if (!ctx.tenants || ctx.tenants.length === 0) return null;
  if (ctx.tenants.length === 1) {
    return h("span", { class: "topbar-group" }, h("span", { class: "muted", "aria-hidden": "true" }, "/"), h("strong", { "data-testid": "tenant-name" }, ctx.tenants[0].tenant_name));
  }
  const id = nextId("tenant");
  const sel = select(ctx.tenants.map((x) => [x.tenant_id, x.tenant_name]), ctx.tenantId, { id, "data-testid": "tenant-switcher" });
  sel.addEventListener("change", () => selectTenant(sel.value));
  return h("div", { class: "inline-field" }, h("label", { for: id }, t("console.tenant")), sel);
}

/** The current tenant's name (its settings once loaded, else the list's entry, else its id). */
function tenantName() {
  const mt = ctx.tenants && ctx.tenants.find((x) => x.tenant_id === ctx.tenantId);
  return (ctx.tenant && ctx.tenant.name) || (mt && mt.tenant_name) || ctx.tenantId;
}

/**
 * "Leave this tenant": a confirmation saying what leaving means, then DELETE /v1/me/tenants/{id}.
 * The last owner is refused (409 invalid_state): the dialog stays open and says why.
 */
function leaveDialog() {
  const id = ctx.tenantId;
  const name = tenantName();
  openDialog((close) => {
    const err = h("div");
    const cancel = h("button", { type: "button", onclick: close }, t("common.cancel"));
    const leave = h("button", { type: "button", class: "danger" }, t("leave.confirm"));
    leave.addEventListener("click", async () => {
      let refused = false;
      await busy(leave, async () => {
        clear(err);
        try {
          await api("DELETE", `/v1/me/tenants/${encodeURIComponent(id)}`);
        } catch (e) {
          // not_found: no longer a member already (left in another tab, or removed meanwhile)
          if (e.code !== "not_found") {
            err.append(e.code === "invalid_state" ? notice("error", t("leave.last_owner", { tenant: name })) : errorNotice(e));
            refused = e.code === "invalid_state";
            return;
          }
        }
        close();
        afterLeaving(id, name);
      });
      if (refused) {
        // asking again would get the same answer: only Cancel is left
        leave.disabled = true;
        cancel.focus();
      }
    });
    return { title: t("leave.title", { tenant: name }), body: [h("p", null, t("leave.body", { tenant: name })), err], footer: [cancel, leave], initialFocus: cancel };
  });
}

/** Drops the tenant left from the switcher and opens the next one (or the "no tenant" page). */
function afterLeaving(id, name) {
  const i = ctx.tenants.findIndex((x) => x.tenant_id === id);
  if (i >= 0) ctx.tenants.splice(i, 1);
  const message = t("leave.done", { tenant: name });
  announce(message);
  ctx.flash = message;
  history.replaceState(null, "", `${location.pathname}${location.search}#/people`);
  const next = ctx.tenants[i] || ctx.tenants[i - 1] || ctx.tenants[0];
  if (next) {
    selectTenant(next.tenant_id);
    return;
  }
  sessionStorage.removeItem("usher.tenant");
  ctx.tenantId = null;
  ctx.tenant = null;
  ctx.myRole = null;
  ctx.perms = new Set();
  render();
}

/** The flash message as a notice, once. */
function takeFlash() {
  const message = ctx.flash;
  ctx.flash = null;
  return message ? notice("success", message) : null;
}

function sidenav(current) {
  const items = ROUTES.filter((r) => !r.perm || ctx.can(r.perm)).map((r) =>
    h("li", null, h("a", { href: `#/${r.id}`, "aria-current": r.id === current ? "page" : null }, t(r.label))));
  return h("nav", { class: "sidenav", "aria-label": t("console.nav_label") },
    h("div", { class: "nav-section" }, ctx.tenant ? ctx.tenant.name : t("console.tenant")),
    h("ul", null, items),
    h("div", { class: "nav-section" }, t("console.you")),
    h("ul", null,
      h("li", null, h("a", { href: "#/me", "aria-current": current === "me" ? "page" : null }, t("nav.my_invitations"))),
      ctx.tenantId ? h("li", null, h("button", { type: "button", class: "nav-action danger-text", onclick: leaveDialog }, t("leave.open"))) : null),
  );
}

function noTenants() {
  // No tenant yet: the person's own invitations, and (for the odd case of an index lagging
  // behind a join) a way to open a tenant by id.
  const input = h("input", { type: "text", spellcheck: "false", placeholder: "ten_…" });
  const form = h("form", { class: "section" },
    field(t("console.open_by_id"), input, { hint: t("console.open_by_id_hint") }),
    h("button", { type: "submit" }, t("console.open")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const id = input.value.trim();
    if (!id) return;
    ctx.tenants.push({ tenant_id: id, tenant_name: id, role: "member" });
    selectTenant(id);
  });
  const mine = h("div");
  pages.me().then((page) => page(mine, ctx)).catch((err) => clear(mine).append(errorNotice(err)));
  // tenants the person may join with their address's verified domain, and their requests waiting
  const joinable = h("div");
  import("./joining.js").then((m) => m.joinableSection(joinable, () => start())).catch(() => {});
  return h("div", { class: "content" },
    takeFlash(),
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("console.no_tenants_title")), h("p", null, t("console.no_tenants_body")))),
    joinable,
    signInConfig().kind === "development" ? createTenantForm() : null,
    mine, form);
}

/**
 * Development only (`usher serve`, whose sign-in is the Email field): locally the developer is
 * also the SaaS backend, so the empty console offers what that backend would do, a tenant owned
 * by the signed-in person (POST /dev/tenants). Deployed, tenants come from the host's backend.
 */
function createTenantForm() {
  const name = h("input", { type: "text", autocomplete: "organization", required: true, maxlength: "200" });
  const err = h("div");
  const submit = h("button", { type: "submit", class: "primary" }, t("dev_tenant.create"));
  const form = h("form", { class: "section card dev-tenant", "aria-labelledby": "dev-tenant-title", novalidate: true },
    h("h2", { id: "dev-tenant-title" }, t("dev_tenant.title")),
    h("p", { class: "muted" }, t("dev_tenant.body")),
    field(t("dev_tenant.name"), name, { name: "name" }),
    err, submit);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clear(err);
    clearFieldErrors(form);
    busy(submit, async () => {
      try {
        const { data } = await api("POST", "/dev/tenants", { body: { name: name.value.trim() }, idempotent: false });
        sessionStorage.setItem("usher.tenant", data.id);
        announce(t("dev_tenant.created", { tenant: data.name }));
        await start();
      } catch (e) {
        // a field's problem shows under the field; anything else above the button
        const left = showFieldErrors(form, e);
        if (left.length || !(e.problem && e.problem.errors && e.problem.errors.length)) err.append(errorNotice(e));
      }
    });
  });
  return form;
}

let renderSeq = 0;
function render() {
  applyDocument(t("console.doc_title"));
  const seq = ++renderSeq;
  const session = getSession();
  if (!session) {
    renderPage(h("main", { id: "main", tabindex: "-1", class: "center-page" },
      h("section", { class: "card card-narrow", "aria-labelledby": "signin-title" },
        h("div", { class: "card-head" }, h("div", { class: "avatar", "aria-hidden": "true" }, "U"),
          h("div", null, h("h1", { id: "signin-title" }, t("console.sign_in_title")), h("p", { class: "lede" }, t("console.sign_in_body")))),
        signInForm({ onSignedIn: start }))));
    return;
  }
  if (ctx.tenants === null) {
    renderPage(h("main", { id: "main", tabindex: "-1", class: "center-page" }, loading(t("console.loading_tenants"))));
    return;
  }
  if (ctx.tenants.length === 0) {
    renderPage(h("main", { id: "main", tabindex: "-1" }, ctx.loadError ? h("div", { class: "content" }, errorNotice(ctx.loadError)) : noTenants()));
    return;
  }
  const current = route();
  const content = h("div", { class: "content" });
  renderPage(h("div", { class: "shell" }, sidenav(current), h("main", { id: "main", tabindex: "-1" }, content)), tenantSwitcher());
  if (ctx.loadError) {
    content.append(...[takeFlash(), errorNotice(ctx.loadError)].filter(Boolean));
    return;
  }
  if (!ctx.tenant) {
    content.append(loading());
    return;
  }
  const flash = takeFlash();
  if (flash) content.append(flash);
  if (current === "me") {
    pages.me().then((page) => (seq === renderSeq ? page(content, ctx) : null)).catch((err) => clear(content).append(errorNotice(err)));
    return;
  }
  const r = ROUTES.find((x) => x.id === current) || ROUTES[0];
  if (r.perm && !ctx.can(r.perm)) {
    // a page of its own, with its title as the page's heading (axe: page-has-heading-one)
    content.append(h("div", { class: "page-head" }, h("div", null, h("h1", null, t("console.no_access_title")), h("p", null, t("console.no_access_body")))));
    return;
  }
  pages[r.id]().then((page) => (seq === renderSeq ? page(content, ctx) : null)).catch((err) => {
    if (seq !== renderSeq) return;
    clear(content).append(errorNotice(err));
  });
}

window.addEventListener("hashchange", render);
window.addEventListener("usher:session", () => {
  if (!getSession()) {
    ctx.tenants = null;
    ctx.tenantId = null;
    render();
  }
});
onLangChange(render);
await authReady;
start();
