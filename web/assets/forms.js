// Form parts shared by the invite form and the edit dialogs.
import { t } from "./i18n.js";
import { h, field, checkbox, select, nextId, roleLabel } from "./ui.js";

export const PROFILE_FIELDS = ["first_name", "last_name", "phone", "employee_number", "company"];

/** The roles the caller may offer: every role whose permissions they hold (owner only for owners). */
export function grantableRoles(ctx) {
  return ctx.roles.filter((r) => {
    if (r.name === "owner") return ctx.myRole === "owner";
    return r.permissions.every((p) => ctx.perms.has(p));
  }).map((r) => r.name);
}

/**
 * The role a new invitation starts at, and goes back to after a send: `member` when the caller
 * may grant it, else the grantable role with the fewest permissions (least privilege).
 */
export function defaultRole(ctx) {
  const names = grantableRoles(ctx);
  if (names.includes("member")) return "member";
  const weight = (n) => ctx.roles.find((r) => r.name === n).permissions.length;
  return [...names].sort((a, b) => weight(a) - weight(b))[0];
}

/** A role picker: the grantable roles (and value, the role held now, even if not grantable). */
export function roleSelect(ctx, value, attrs = {}) {
  const names = grantableRoles(ctx);
  if (value && !names.includes(value)) names.unshift(value);
  return select(names.map((n) => [n, roleLabel(n)]), value || defaultRole(ctx), attrs);
}

/** Workspaces: checkboxes when the tenant defines some, else a free text list. */
export function workspacesControl(ctx, values = []) {
  if (ctx.workspaces.length) {
    const boxes = ctx.workspaces.map((w) => checkbox(w.name === w.id ? w.id : `${w.name} (${w.id})`, { checked: values.includes(w.id), value: w.id }));
    const el = h("fieldset", { "data-field": "workspaces" },
      h("legend", null, t("form.workspaces")),
      h("div", { class: "check-list" }, boxes.map((b) => b.el)),
      h("span", { class: "hint" }, t("form.workspaces_default_hint")),
      h("span", { class: "field-error", hidden: true }));
    return { el, read: () => boxes.filter((b) => b.input.checked).map((b) => b.input.value) };
  }
  const input = h("input", { type: "text", value: values.join(", "), spellcheck: "false" });
  const el = field(t("form.workspaces"), input, { name: "workspaces", hint: t("form.workspaces_free_hint") });
  return { el, read: () => input.value.split(/[,;]/).map((s) => s.trim()).filter(Boolean) };
}

export function profileInputs(profile = {}, { compact } = {}) {
  const inputs = {};
  for (const k of PROFILE_FIELDS) {
    inputs[k] = h("input", { type: k === "phone" ? "tel" : "text", value: profile[k] || "", autocomplete: { first_name: "given-name", last_name: "family-name", phone: "tel", company: "organization" }[k] || "off" });
  }
  const f = (k) => field(t(`form.${k}`), inputs[k], { name: `profile.${k}` });
  const el = compact
    ? h("div", null, h("div", { class: "grid-2" }, f("first_name"), f("last_name")))
    : h("div", null, h("div", { class: "grid-2" }, f("first_name"), f("last_name")), h("div", { class: "grid-3" }, f("phone"), f("employee_number"), f("company")));
  return { el, inputs };
}

/** Reads profile inputs: for a new invitation, blank fields are left out; for a patch, changed ones (blank clears). */
export function readProfile(inputs, before) {
  const out = {};
  for (const [k, input] of Object.entries(inputs)) {
    const v = input.value.trim();
    if (before) {
      if (v !== (before[k] || "")) out[k] = v;
    } else if (v) out[k] = v;
  }
  return out;
}

export function localeSelect(value) {
  return select([["en", t("lang.en")], ["fr", t("lang.fr")], ["de", t("lang.de")]], value || "en");
}

export function notificationsInputs(n = {}) {
  const weekly = checkbox(t("form.notify_weekly"), { checked: n.weekly_summary ?? false });
  const messages = checkbox(t("form.notify_messages"), { checked: n.new_messages ?? true });
  const renewals = checkbox(t("form.notify_renewals"), { checked: n.renewal_requests ?? true });
  const el = h("fieldset", { "data-field": "notifications" }, h("legend", null, t("form.notifications")), weekly.el, messages.el, renewals.el,
    h("span", { class: "field-error", hidden: true }));
  return {
    el,
    read: () => ({ weekly_summary: weekly.input.checked, new_messages: messages.input.checked, renewal_requests: renewals.input.checked }),
  };
}

export function recordOwnerInput(value) {
  const c = checkbox(t("form.record_owner"), { checked: !!value });
  return { el: h("div", { "data-field": "record_owner" }, c.el, h("p", { class: "hint muted small-text" }, t("form.record_owner_hint"))), input: c.input };
}

export { nextId };
