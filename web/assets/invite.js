// "Invite people": one invitation with every field of seed 004 (POST /v1/tenants/{t}/invitations).
import { t } from "./i18n.js";
import { api } from "./api.js";
import { h, clear, field, announce, busy, errorNotice, notice, showFieldErrors, clearFieldErrors, roleLabel } from "./ui.js";
import { roleSelect, workspacesControl, profileInputs, readProfile, localeSelect, notificationsInputs, recordOwnerInput } from "./forms.js";
import { getLang } from "./i18n.js";

export function invitePage(content, ctx) {
  const email = h("input", { type: "email", autocomplete: "off", spellcheck: "false", required: true });
  const profile = profileInputs();
  const role = roleSelect(ctx);
  const ws = workspacesControl(ctx, []);
  const locale = localeSelect(getLang());
  const days = h("input", { type: "number", min: "1", max: "30", step: "1", inputmode: "numeric", placeholder: String(ctx.tenant.invitation_ttl_days) });
  const message = h("textarea", { maxlength: "1000", rows: "3" });
  const notes = notificationsInputs();
  const owner = recordOwnerInput(false);
  const submit = h("button", { type: "submit", class: "primary" }, t("invite.send"));
  const out = h("div", { "aria-live": "polite" });

  const form = h("form", { class: "card", novalidate: true },
    out,
    h("h2", null, t("invite.who")),
    field(t("invite.email"), email, { name: "email" }),
    profile.el,
    h("hr", { class: "divider" }),
    h("h2", null, t("invite.access")),
    h("div", { class: "grid-2" },
      field(t("form.role"), role, { name: "role" }),
      field(t("form.locale"), locale, { name: "locale", hint: t("form.locale_hint") })),
    ws.el,
    h("hr", { class: "divider" }),
    h("h2", null, t("invite.email_section")),
    field(t("invite.message"), message, { name: "message", hint: t("common.optional") }),
    field(t("invite.expiry_days"), days, { name: "expires_in_days", hint: t("invite.expiry_hint", { days: ctx.tenant.invitation_ttl_days }) }),
    notes.el,
    owner.el,
    h("div", { class: "stack-buttons section" }, submit, h("a", { class: "button", href: "#/bulk" }, t("invite.many"))),
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clear(out);
    clearFieldErrors(form);
    const body = { email: email.value.trim(), role: role.value, locale: locale.value };
    if (!body.email) {
      // the API would say "not a valid email address: it is empty"
      showFieldErrors(form, { problem: { errors: [{ field: "email", code: "email_required" }] } });
      announce(t("form.fix_fields"));
      return;
    }
    const p = readProfile(profile.inputs);
    if (Object.keys(p).length) body.profile = p;
    const w = ws.read();
    if (w.length) body.workspaces = w;
    if (days.value.trim()) body.expires_in_days = Number(days.value);
    if (message.value.trim()) body.message = message.value.trim();
    body.notifications = notes.read();
    if (body.notifications.weekly_summary && w.length) body.notifications.weekly_summary_workspaces = w;
    body.record_owner = owner.input.checked;
    await busy(submit, async () => {
      try {
        const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/invitations`, { body });
        const text = t("invite.sent", { email: data.email, role: roleLabel(data.role) });
        out.append(notice("success", text, h("span", null, " ", h("a", { href: "#/people" }, t("invite.see_people")))));
        announce(text);
        form.reset(); // every field back to its default: the least-privileged role, the API's notifications
        email.focus();
      } catch (err) {
        const left = showFieldErrors(form, err);
        if (err.code !== "invalid_request" || left.length) out.append(errorNotice(err));
        else announce(t("form.fix_fields"));
      }
    });
  });

  content.append(
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("invite.title")), h("p", null, t("invite.lede", { tenant: ctx.tenant.name })))),
    form,
  );
}
