// Directory settings (needs directory.manage): where the identity provider connects (the SCIM
// base URL and its tokens, each shown once), what provisioning does (stage or invite, the group
// → role map and the default role), and the upload of the employee list (CSV or XLSX).
import { t, has } from "./i18n.js";
import { api } from "./api.js";
import {
  h, clear, loading, announce, busy, errorNotice, notice, emptyState, field, select, roleLabel, nextId, stacked,
  confirmDialog, formatDate, showFieldErrors, clearFieldErrors, copyField,
} from "./ui.js";
import { grantableRoles } from "./forms.js";

const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function section(id, title, lede, ...body) {
  return h("section", { class: "card", "aria-labelledby": id },
    h("h2", { id }, title), lede ? h("p", { class: "muted" }, lede) : null, ...body);
}

export async function directorySettingsPage(content, ctx) {
  const base = `${location.origin}/scim/v2`;
  const tokensHost = h("div");
  const settingsHost = h("div", null, loading());
  content.append(
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("dirset.title")), h("p", null, t("dirset.lede")))),
    h("div", { class: "settings-stack" },
      section("dirset-scim", t("dirset.scim_title"), t("dirset.scim_lede"),
        copyField(t("dirset.base_url"), base, { testid: "scim-base-url", hint: t("dirset.base_url_hint") }),
        tokensHost),
      section("dirset-prov", t("dirset.prov_title"), t("dirset.prov_lede"), settingsHost),
      section("dirset-upload", t("dirset.upload_title"), t("dirset.upload_lede"), uploadForm(ctx))),
  );
  tokensPart(ctx, tokensHost);
  settingsPart(ctx, settingsHost);
}

// ------------------------------------------------------------------- SCIM tokens
function tokensPart(ctx, host) {
  let tokens = null;
  let created = null; // the token just made: shown here once, never again
  const out = h("div");

  async function reload() {
    try {
      const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/scim-tokens`);
      tokens = data.data;
    } catch (err) {
      tokens = [];
      out.append(errorNotice(err));
    }
  }

  function draw(focus) {
    const name = h("input", { type: "text", maxlength: "100", autocomplete: "off", placeholder: t("dirset.token_name_placeholder") });
    const create = h("button", { type: "submit", class: "primary" }, t("dirset.create_token"));
    const form = h("form", { class: "filters token-form", novalidate: true, "aria-label": t("dirset.create_token") },
      field(t("dirset.token_name"), name, { name: "name", class: "grow", hint: t("common.optional") }),
      h("div", { class: "field" }, create));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      busy(create, async () => {
        clear(out);
        clearFieldErrors(form);
        try {
          const body = name.value.trim() ? { name: name.value.trim() } : {};
          const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/scim-tokens`, { body });
          created = data;
          await reload();
          draw("created");
          announce(t("dirset.token_created"));
        } catch (err) {
          const left = showFieldErrors(form, err);
          if (left.length || err.code !== "invalid_request") out.append(errorNotice(err));
        }
      });
    });

    let shown = null;
    if (created) {
      const done = h("button", { type: "button" }, t("dirset.token_done"));
      done.addEventListener("click", () => { created = null; draw("form"); });
      shown = h("div", { class: "notice success token-once", role: "region", "aria-labelledby": "token-once-title", "data-testid": "token-once" },
        h("strong", { class: "notice-title", id: "token-once-title", tabindex: "-1" }, t("dirset.token_once_title", { name: created.name })),
        h("p", null, t("dirset.token_once_body")),
        copyField(t("dirset.token_value"), created.token, { testid: "new-token", copyLabel: t("dirset.copy_token") }),
        done);
    }

    const list = tokens === null ? loading() : !tokens.length
      ? h("div", { class: "table-wrap" }, emptyState(t("dirset.no_tokens"), t("dirset.no_tokens_hint")))
      : h("div", { class: "table-wrap" }, stacked(h("table", { "aria-labelledby": "dirset-tokens" },
        h("thead", null, h("tr", null, h("th", { scope: "col" }, t("dirset.token_name")), h("th", { scope: "col" }, t("dirset.token_hint")),
          h("th", { scope: "col" }, t("dirset.token_created_at")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
        h("tbody", null, tokens.map((tk) => {
          const revoke = h("button", { type: "button", class: "small", "aria-label": t("dirset.revoke_named", { name: tk.name }) }, t("dirset.revoke"));
          revoke.addEventListener("click", async () => {
            const ok = await confirmDialog({ title: t("dirset.revoke_title", { name: tk.name }), message: t("dirset.revoke_body"), confirmLabel: t("dirset.revoke"), danger: true });
            if (!ok) return;
            clear(out);
            try {
              await api("DELETE", `/v1/tenants/${ctx.tenantId}/scim-tokens/${encodeURIComponent(tk.id)}`);
              if (created && created.id === tk.id) created = null;
              await reload();
              draw("list");
              out.append(notice("success", t("dirset.revoked", { name: tk.name })));
              announce(t("dirset.revoked", { name: tk.name }));
            } catch (err) { out.append(errorNotice(err)); }
          });
          return h("tr", { "data-token": tk.id },
            h("td", { class: "lead" }, tk.name),
            h("td", { class: "mono" }, `${tk.hint}…`),
            h("td", null, formatDate(tk.created_at)),
            h("td", { class: "actions-cell" }, h("div", { class: "row-actions" }, revoke)));
        })))));

    clear(host).append(
      h("h3", { id: "dirset-tokens" }, t("dirset.tokens_title")),
      out, shown, form, list);
    if (focus === "created") host.querySelector("#token-once-title")?.focus();
    else if (focus === "form") name.focus();
    else if (focus === "list") (host.querySelector("tbody button") || name).focus();
  }

  draw();
  reload().then(() => draw());
}

// ------------------------------------------------------------------- provisioning settings
async function settingsPart(ctx, host) {
  let settings;
  try {
    ({ data: settings } = await api("GET", `/v1/tenants/${ctx.tenantId}/directory/settings`));
  } catch (err) {
    clear(host).append(errorNotice(err));
    return;
  }
  // provisioning never makes owners: every grantable role but owner
  const roles = grantableRoles(ctx).filter((r) => r !== "owner");
  const roleOptions = (value) => (roles.includes(value) || !value ? roles : [value, ...roles]).map((r) => [r, roleLabel(r)]);
  const groups = Object.entries(settings.group_roles || {}).map(([group, role]) => ({ group, role }));
  const out = h("div");

  const modeName = nextId("mode");
  const mode = ["stage", "invite"].map((m) => {
    const input = h("input", { type: "radio", name: modeName, value: m, checked: settings.provisioning === m });
    input.id = nextId("m");
    const hintId = `${input.id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    return h("div", { class: "check radio" }, input,
      h("div", null, h("label", { for: input.id }, t(`dirset.mode_${m}`)), h("div", { class: "hint muted small-text", id: hintId }, t(`dirset.mode_${m}_hint`))));
  });
  const defaultRole = select(roleOptions(settings.default_role), settings.default_role);
  const mapHost = h("div");
  const save = h("button", { type: "submit", class: "primary" }, t("common.save"));
  const form = h("form", { novalidate: true },
    h("fieldset", { "data-field": "provisioning" }, h("legend", null, t("dirset.mode")), h("div", { class: "radio-list" }, mode), h("span", { class: "field-error", hidden: true })),
    field(t("dirset.default_role"), defaultRole, { name: "default_role", hint: t("dirset.default_role_hint") }),
    mapHost, out,
    h("div", { class: "stack-buttons" }, save));

  function drawMap(focusRow) {
    const rows = groups.map((g, i) => {
      const name = h("input", { type: "text", value: g.group, maxlength: "256", spellcheck: "false", autocomplete: "off", "aria-label": t("dirset.group_n", { n: i + 1 }) });
      name.addEventListener("input", () => { g.group = name.value; });
      const role = select(roleOptions(g.role), g.role, { "aria-label": t("dirset.group_role_n", { n: i + 1 }) });
      role.addEventListener("change", () => { g.role = role.value; });
      const remove = h("button", { type: "button", class: "small ghost", "aria-label": t("dirset.remove_group_n", { n: i + 1 }) }, t("dir.remove"));
      remove.addEventListener("click", () => {
        groups.splice(i, 1);
        drawMap(Math.min(i, groups.length - 1));
      });
      return h("li", { class: "group-row", "data-field": `group_roles.${g.group.trim()}` }, name, role, remove, h("span", { class: "field-error", hidden: true }));
    });
    const add = h("button", { type: "button", class: "small" }, t("dirset.add_group"));
    add.addEventListener("click", () => {
      groups.push({ group: "", role: roles.includes("member") ? "member" : roles[0] });
      drawMap(groups.length - 1);
    });
    clear(mapHost).append(h("fieldset", { "data-field": "group_roles" },
      h("legend", null, t("dirset.group_map")),
      h("p", { class: "hint muted small-text" }, t("dirset.group_map_hint")),
      rows.length ? h("ul", { class: "group-map" }, rows) : h("p", { class: "muted" }, t("dirset.no_groups")),
      h("span", { class: "field-error", hidden: true }),
      add));
    if (focusRow === undefined) return;
    const target = focusRow >= 0 ? mapHost.querySelectorAll(".group-row input")[focusRow] : add;
    (target || add).focus();
  }
  drawMap();

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(save, async () => {
      clear(out);
      clearFieldErrors(form);
      const map = {};
      for (const g of groups) if (g.group.trim()) map[g.group.trim()] = g.role;
      const chosen = form.querySelector(`input[name="${modeName}"]:checked`);
      const body = { provisioning: chosen ? chosen.value : settings.provisioning, default_role: defaultRole.value, group_roles: map };
      try {
        const { data } = await api("PATCH", `/v1/tenants/${ctx.tenantId}/directory/settings`, { body });
        settings = data;
        groups.splice(0, groups.length, ...Object.entries(data.group_roles || {}).map(([group, role]) => ({ group, role })));
        drawMap();
        out.append(notice("success", t("dirset.saved")));
        announce(t("dirset.saved"));
      } catch (err) {
        const left = showFieldErrors(form, err);
        if (left.length || err.code !== "invalid_request") out.append(errorNotice(err));
      }
    });
  });
  clear(host).append(form);
}

// ------------------------------------------------------------------- the employee list upload
function uploadForm(ctx) {
  const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv," + XLSX_TYPE });
  const submit = h("button", { type: "submit", class: "primary" }, t("dirset.upload"));
  const out = h("div", { class: "upload-out" });
  const form = h("form", { novalidate: true },
    h("div", { class: "dropzone" }, field(t("dirset.upload_label"), file, { name: "file", hint: t("dirset.upload_hint") })),
    h("div", { class: "stack-buttons section" }, submit),
    out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(submit, async () => {
      clear(out);
      const f = file.files[0];
      if (!f) { out.append(notice("warning", t("dirset.choose_file"))); file.focus(); return; }
      const isXlsx = /\.xlsx$/i.test(f.name) || f.type === XLSX_TYPE;
      try {
        const { data } = await api("PUT", `/v1/tenants/${ctx.tenantId}/directory`, { rawBody: f, contentType: isXlsx ? XLSX_TYPE : "text/csv" });
        out.append(uploadResult(data, f.name));
        announce(t("dirset.upload_done", { name: f.name, added: data.added ?? 0, updated: data.updated ?? 0, deactivated: data.deactivated ?? 0 }));
        out.querySelector("h3")?.focus();
      } catch (err) { out.append(errorNotice(err)); }
    });
  });
  return form;
}

/**
 * An upload's counts (added, updated, unchanged, deactivated, rows in error), the columns it
 * ignored, and its rows in error, each with its row number and why (in the person's language
 * for the codes the API documents; its own message otherwise).
 */
function uploadResult(data, name) {
  const errors = Array.isArray(data.errors) ? data.errors : [];
  const errorCount = data.error_count ?? errors.length;
  const say = (e) => {
    if (typeof e === "string") return e;
    const key = `dirset.upload_code.${e.code}`;
    const what = has(key) ? t(key) : e.message || e.code || "";
    return e.row !== undefined ? t("dirset.row_problem", { n: e.row, problem: what }) : what;
  };
  const warnings = Array.isArray(data.warnings) && data.warnings.length
    ? notice("warning", t("bulk.unknown_columns", { cols: data.warnings.join(", ") }))
    : null;
  const counts = [["added", data.added], ["updated", data.updated], ["unchanged", data.unchanged], ["deactivated", data.deactivated], ["errors", errorCount]]
    .filter(([k, n]) => n !== undefined || k !== "unchanged");
  return h("div", { class: "upload-result", "data-testid": "upload-result" },
    h("h3", { tabindex: "-1" }, t("dirset.upload_result", { name })),
    h("dl", { class: "counts" }, counts.map(([k, n]) =>
      h("div", { class: "stat", "data-count": k }, h("dt", null, t(`dirset.count_${k}`)), h("dd", null, String(n ?? 0))))),
    warnings,
    errorCount
      ? notice("warning", t("dirset.upload_errors", { n: errorCount }), h("ul", null, errors.map((e) => h("li", null, say(e)))))
      : null);
}
