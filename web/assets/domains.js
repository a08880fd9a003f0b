// Domains (needs directory.manage): the tenant's email domains, each proven with a DNS TXT record
// (its name and value shown with Copy buttons, "Verify" looks it up), and for a verified one who
// may join with an address there: nobody, by asking (an admin approves), or at once, with a role.
// A domain whose record has been missing for a while is lapsed: joining stops until it is back.
import { t } from "./i18n.js";
import { api } from "./api.js";
import {
  h, clear, loading, announce, busy, errorNotice, notice, emptyState, field, select, roleLabel, nextId,
  confirmDialog, formatDate, showFieldErrors, clearFieldErrors, copyField,
} from "./ui.js";

// what a role given by joining may not carry (the API refuses it: 400 on join_role)
const NOT_FOR_JOINING = (p) => p.startsWith("invitations.") || ["members.update", "members.remove", "roles.manage"].includes(p);
const BADGE = { pending: "pending", verified: "active", lapsed: "revoked" };

export async function domainsPage(content, ctx) {
  let domains = null;
  const results = new Map(); // domain → the last Verify's answer, shown in its card
  const out = h("div", { tabindex: "-1", class: "result-out" });
  const listHost = h("div", null, loading());

  const input = h("input", { type: "text", spellcheck: "false", autocomplete: "off", autocapitalize: "off", placeholder: "acme.com" });
  const add = h("button", { type: "submit", class: "primary" }, t("dom.add"));
  // the field and its button on one row (the button beside the box, not beside the hint)
  input.id = nextId("domain");
  input.setAttribute("aria-describedby", `${input.id}-hint ${input.id}-err`);
  const form = h("form", { class: "domain-add", novalidate: true, "aria-label": t("dom.add") },
    h("div", { class: "field", "data-field": "domain" },
      h("label", { for: input.id }, t("dom.domain")),
      h("div", { class: "copy-row" }, input, add),
      h("span", { class: "hint", id: `${input.id}-hint` }, t("dom.domain_hint")),
      h("span", { class: "field-error", id: `${input.id}-err`, hidden: true })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clear(out);
    clearFieldErrors(form);
    const domain = input.value.trim().replace(/^@/, "").toLowerCase();
    if (!domain) {
      showFieldErrors(form, { problem: { errors: [{ field: "domain", code: "required" }] } });
      return;
    }
    busy(add, async () => {
      try {
        const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/domains`, { body: { domain } });
        input.value = "";
        const text = t("dom.added", { domain: data.domain });
        out.append(notice("success", text));
        announce(text);
        await reload();
        listHost.querySelector(`[data-domain="${CSS.escape(data.domain)}"] h3`)?.focus();
      } catch (err) {
        if (err.code === "consumer_domain" || err.code === "domain_taken") {
          showFieldErrors(form, { problem: { errors: [{ field: "domain", code: err.code }] } });
          announce(t(`field.${err.code}`));
          return;
        }
        const left = showFieldErrors(form, err);
        if (left.length || err.code !== "invalid_request") out.append(errorNotice(err));
      }
    });
  });

  async function reload() {
    try {
      const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/domains`);
      domains = data.data;
    } catch (err) {
      domains = [];
      out.append(errorNotice(err));
    }
    draw();
  }

  function draw() {
    clear(listHost);
    if (!domains.length) {
      listHost.append(h("div", { class: "table-wrap" }, emptyState(t("dom.none"), t("dom.none_hint"))));
      return;
    }
    listHost.append(h("div", { class: "settings-stack" }, domains.map((d) => card(d))));
  }

  function replace(d) {
    const i = domains.findIndex((x) => x.domain === d.domain);
    if (i >= 0) domains[i] = d;
    const old = listHost.querySelector(`[data-domain="${CSS.escape(d.domain)}"]`);
    const fresh = card(d);
    if (old) old.replaceWith(fresh);
    return fresh;
  }

  function card(d) {
    const headId = nextId("dom");
    const resultHost = h("div", { class: "verify-result" }, results.get(d.domain) || null);
    const verify = h("button", { type: "button", class: d.status === "verified" ? "small" : "small primary", "aria-label": t(d.status === "verified" ? "dom.check_again_named" : "dom.verify_named", { domain: d.domain }) },
      d.status === "verified" ? t("dom.check_again") : t("dom.verify"));
    verify.addEventListener("click", () => busy(verify, async () => {
      clear(resultHost);
      let node;
      try {
        const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/domains/${encodeURIComponent(d.domain)}/verify`);
        node = data.status === "verified"
          ? notice("success", t("dom.verified_now", { domain: data.domain }))
          : notice("warning", data.check_reason ? t("dom.not_yet_reason", { reason: data.check_reason }) : t("dom.not_yet"));
        node.setAttribute("tabindex", "-1");
        results.set(d.domain, node);
        announce(node.textContent);
        replace(data);
        node.focus();
      } catch (err) {
        node = errorNotice(err);
        results.set(d.domain, node);
        resultHost.append(node);
      }
    }));
    const remove = h("button", { type: "button", class: "small", "aria-label": t("dom.remove_named", { domain: d.domain }) }, t("dom.remove"));
    remove.addEventListener("click", async () => {
      const ok = await confirmDialog({ title: t("dom.remove_title", { domain: d.domain }), message: t("dom.remove_body", { domain: d.domain, tenant: ctx.tenant.name }), confirmLabel: t("dom.remove"), danger: true });
      if (!ok) return;
      clear(out);
      try {
        await api("DELETE", `/v1/tenants/${ctx.tenantId}/domains/${encodeURIComponent(d.domain)}`);
        results.delete(d.domain);
        const text = t("dom.removed", { domain: d.domain });
        out.append(notice("success", text));
        announce(text);
        await reload();
        out.focus();
      } catch (err) {
        out.append(errorNotice(err));
        out.focus();
      }
    });

    let state = null;
    if (d.status === "verified") {
      state = h("p", { class: "muted small-text" }, t("dom.verified_on", { date: formatDate(d.verified_at) }),
        d.last_checked_at ? ` ${t("dom.last_checked", { date: formatDate(d.last_checked_at) })}` : "");
    } else if (d.status === "lapsed") {
      state = notice("warning", t("dom.lapsed", { date: formatDate(d.missing_since || d.last_checked_at) }));
    } else {
      state = h("p", { class: "muted" }, t("dom.pending_lede"));
    }
    const record = h("div", { class: "txt-record" },
      h("p", { class: "small-text" }, h("strong", null, t("dom.record_type")), " ", h("span", { class: "mono" }, "TXT")),
      copyField(t("dom.record_name"), d.verification.name, { testid: "txt-name", copyLabel: t("dom.copy_name", { domain: d.domain }) }),
      copyField(t("dom.record_value"), d.verification.value, { testid: "txt-value", copyLabel: t("dom.copy_value", { domain: d.domain }),
        hint: d.status === "verified" ? t("dom.keep_record") : null }));

    return h("section", { class: "card domain-card", "aria-labelledby": headId, "data-domain": d.domain, "data-status": d.status },
      h("div", { class: "domain-head" },
        h("h3", { id: headId, tabindex: "-1", class: "mono" }, d.domain),
        h("span", { class: `badge ${BADGE[d.status] || "expired"}` }, t(`dom.status_${d.status}`))),
      state,
      record,
      resultHost,
      h("div", { class: "stack-buttons" }, verify, remove),
      h("hr", { class: "divider" }),
      policyForm(d));
  }

  function policyForm(d) {
    const editable = d.status === "verified";
    const roles = ctx.roles.filter((r) => r.name !== "owner" && !r.permissions.some(NOT_FOR_JOINING)).map((r) => r.name);
    if (d.join_role && !roles.includes(d.join_role)) roles.unshift(d.join_role);
    const name = nextId("join");
    const radios = ["off", "request", "auto"].map((m) => {
      const input = h("input", { type: "radio", name, value: m, checked: (d.join || "off") === m, disabled: !editable });
      input.id = nextId("j");
      input.setAttribute("aria-describedby", `${input.id}-hint`);
      return h("div", { class: "check radio" }, input,
        h("div", null, h("label", { for: input.id }, t(`dom.join_${m}`)), h("div", { class: "hint muted small-text", id: `${input.id}-hint` }, t(`dom.join_${m}_hint`, { domain: d.domain }))));
    });
    const fallback = roles.includes("member") ? "member" : roles[0];
    const role = select(roles.map((r) => [r, roleLabel(r)]), d.join_role || fallback, { disabled: !editable });
    const save = h("button", { type: "submit", class: "primary", disabled: !editable }, t("dom.save_policy"));
    const said = h("div", { class: "policy-said" });
    const form = h("form", { novalidate: true, class: "join-policy" },
      h("fieldset", { "data-field": "join" },
        h("legend", null, t("dom.policy_title", { domain: d.domain })),
        editable ? null : h("p", { class: "hint muted small-text" }, t(d.status === "lapsed" ? "dom.policy_lapsed" : "dom.policy_locked")),
        h("div", { class: "radio-list" }, radios),
        h("span", { class: "field-error", hidden: true })),
      field(t("dom.join_role"), role, { name: "join_role", hint: t("dom.join_role_hint") }),
      said,
      h("div", { class: "stack-buttons" }, save));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!editable) return;
      clear(said);
      clearFieldErrors(form);
      const chosen = form.querySelector(`input[name="${name}"]:checked`);
      const join = chosen ? chosen.value : "off";
      const body = { join, join_role: join === "off" ? null : role.value || null };
      busy(save, async () => {
        try {
          const { data } = await api("PATCH", `/v1/tenants/${ctx.tenantId}/domains/${encodeURIComponent(d.domain)}`, { body });
          const text = t(`dom.policy_saved_${data.join}`, { domain: data.domain, role: roleLabel(data.join_role || "") });
          const fresh = replace(data);
          fresh.querySelector(".policy-said")?.append(notice("success", text));
          announce(text);
        } catch (err) {
          const left = showFieldErrors(form, err);
          if (left.length || err.code !== "invalid_request") said.append(errorNotice(err));
        }
      });
    });
    return form;
  }

  content.append(
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("dom.title")), h("p", null, t("dom.lede", { tenant: ctx.tenant.name })))),
    out,
    h("section", { class: "card", "aria-labelledby": "dom-add-title" }, h("h2", { id: "dom-add-title" }, t("dom.add_title")), h("p", { class: "muted" }, t("dom.add_lede")), form),
    h("h2", { class: "section" }, t("dom.list_title")),
    listHost);
  await reload();
}
