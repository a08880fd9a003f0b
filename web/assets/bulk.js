// Bulk invite: paste addresses or CSV, or upload CSV/XLSX; set a role per row or for the
// selected rows; review (a dry run: "Invitations to send" and "Invitation errors"); send; then
// download a report of each list (CSV made here from the API's per-row results). The review,
// the send and the two lists with their reports are exported for the invite from the directory.
import { t, has } from "./i18n.js";
import { api, fieldMessage } from "./api.js";
import {
  h, clear, field, select, announce, busy, errorNotice, notice, emptyState, roleLabel, toCsv, downloadBlob, today, nextId, stacked, breakable,
} from "./ui.js";
import { grantableRoles, defaultRole } from "./forms.js";
import { parseCsv, parseXlsx, rowsFromTable } from "./sheet.js";

const MAX_ROWS = 1000;
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const states = new Map(); // per tenant, so a language switch or a page change keeps the work

function stateFor(ctx) {
  if (!states.has(ctx.tenantId)) states.set(ctx.tenantId, { step: "input", rows: [], warnings: [], defaultRole: null, text: "", review: null, result: null });
  return states.get(ctx.tenantId);
}

// The label of a row's field, from the field error's path (invitations[3].profile.phone).
const FIELD_LABELS = { expires_in_days: "invite.expiry_days", message: "invite.message" };
function fieldLabel(path) {
  const name = path.split(".").pop();
  const key = FIELD_LABELS[name] || `form.${name}`;
  return has(key) ? t(key) : name;
}

/**
 * What is wrong with a row, in the person's words and language: its field errors (the field
 * named, except the address, which the row shows beside it), or its code's sentence. sent is
 * the row as it was sent (for the role it named).
 */
function rowMessage(r, sent) {
  if (r.code === "invalid_request" && (r.errors || []).length) {
    return r.errors.map((e) => {
      if (/(^|\.)email$/.test(e.field)) return r.email ? fieldMessage(e) : t("field.email_required");
      return t("bulk.field_problem", { field: fieldLabel(e.field), problem: fieldMessage(e) });
    }).join(" ");
  }
  if (r.code === "unknown_role" && sent && sent.role) return t("bulk.code.unknown_role_named", { role: sent.role });
  const key = `bulk.code.${r.code}`;
  if (has(key)) return t(key);
  const text = r.message || r.code || "";
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function payloadRow(r) {
  const out = { email: r.email, role: r.role };
  if (Object.keys(r.profile || {}).length) out.profile = r.profile;
  if ((r.workspaces || []).length) out.workspaces = r.workspaces;
  for (const k of ["locale", "expires_in_days", "message"]) if (r[k] !== undefined && r[k] !== "") out[k] = r[k];
  return out;
}

function fullName(r) {
  const p = r.profile || {};
  return [p.first_name, p.last_name].filter(Boolean).join(" ");
}

export function bulkPage(content, ctx) {
  const st = stateFor(ctx);
  const roles = grantableRoles(ctx);
  if (!roles.includes(st.defaultRole)) st.defaultRole = defaultRole(ctx);
  const host = h("div");
  content.append(
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("bulk.title")), h("p", null, t("bulk.lede")))),
    steps(st.step),
    host,
  );
  draw();

  function steps(step) {
    const order = ["input", "review", "done"];
    return h("ol", { class: "steps", "aria-label": t("bulk.steps") }, order.map((s, i) =>
      h("li", { "aria-current": s === step ? "step" : null }, h("span", { class: "n", "aria-hidden": "true" }, String(i + 1)), t(`bulk.step_${s}`))));
  }

  function go(step) {
    st.step = step;
    content.querySelector(".steps").replaceWith(steps(step));
    draw();
    const heading = host.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function draw() {
    clear(host);
    if (st.step === "input") host.append(inputStep());
    else if (st.step === "review") host.append(resultStep(st.review, true));
    else host.append(resultStep(st.result, false));
  }

  // --------------------------------------------------------------- step 1: rows
  function inputStep() {
    const out = h("div", { "aria-live": "polite" });
    const text = h("textarea", { rows: "6", spellcheck: "false", value: st.text, placeholder: "ada@example.com\ngrace@example.com" });
    text.addEventListener("input", () => { st.text = text.value; });
    const file = h("input", { type: "file", accept: ".csv,.xlsx,text/csv," + XLSX_TYPE });
    const defaultRole = select(roles.map((r) => [r, roleLabel(r)]), st.defaultRole);
    defaultRole.addEventListener("change", () => { st.defaultRole = defaultRole.value; });
    const add = h("button", { type: "button" }, t("bulk.add_rows"));

    const addRows = (parsed, source) => {
      const fresh = parsed.rows.map((r) => ({ ...r, role: r.role || st.defaultRole, selected: false }));
      st.rows.push(...fresh);
      st.warnings.push(...parsed.warnings);
      draw();
      const msg = t("bulk.rows_added", { n: fresh.length, source });
      announce(msg);
      host.querySelector(".bulk-out")?.append(notice(fresh.length ? "success" : "warning", fresh.length ? msg : t("bulk.no_rows")));
    };
    add.addEventListener("click", () => {
      clear(out);
      if (!text.value.trim()) { out.append(notice("warning", t("bulk.nothing_pasted"))); text.focus(); return; }
      addRows(rowsFromTable(parseCsv(text.value)), t("bulk.source_paste"));
      st.text = "";
      host.querySelector("textarea").value = "";
    });
    file.addEventListener("change", async () => {
      clear(out);
      const f = file.files[0];
      if (!f) return;
      try {
        const isXlsx = /\.xlsx$/i.test(f.name) || f.type === XLSX_TYPE;
        const table = isXlsx ? await parseXlsx(await f.arrayBuffer()) : parseCsv(await f.text());
        addRows(rowsFromTable(table), f.name);
      } catch {
        out.append(notice("error", t("bulk.unreadable", { name: f.name })));
      }
    });

    const warn = st.warnings.length
      ? notice("warning", t("bulk.unknown_columns", { cols: [...new Set(st.warnings.flat())].join(", ") }))
      : null;

    return h("div", null,
      h("section", { class: "card", "aria-labelledby": "bulk-add" },
        h("h2", { id: "bulk-add" }, t("bulk.add_title")),
        h("div", { class: "bulk-out" }, out),
        field(t("bulk.paste_label"), text, { hint: t("bulk.paste_hint") }),
        h("div", { class: "filters" },
          field(t("bulk.default_role"), defaultRole),
          h("div", { class: "field" }, add)),
        h("hr", { class: "divider" }),
        h("div", { class: "dropzone" }, field(t("bulk.upload_label"), file, { hint: t("bulk.upload_hint") }))),
      warn ? h("div", { class: "section" }, warn) : null,
      h("section", { class: "section", "aria-labelledby": "bulk-rows" }, rowsTable()));
  }

  function rowsTable() {
    const title = h("h2", { id: "bulk-rows" }, t("bulk.rows_title"), h("span", { class: "count-pill" }, String(st.rows.length)));
    if (!st.rows.length) return h("div", null, h("div", { class: "list-head" }, title), h("div", { class: "table-wrap" }, emptyState(t("bulk.no_rows_yet"), t("bulk.no_rows_hint"))));
    const all = h("input", { type: "checkbox", "aria-label": t("bulk.select_all"), checked: st.rows.every((r) => r.selected) });
    all.addEventListener("change", () => { st.rows.forEach((r) => { r.selected = all.checked; }); draw(); });
    const bulkRole = select(roles.map((r) => [r, roleLabel(r)]), st.defaultRole);
    const apply = h("button", { type: "button", class: "small" }, t("bulk.apply_role"));
    const remove = h("button", { type: "button", class: "small" }, t("bulk.remove_selected"));
    const clearAll = h("button", { type: "button", class: "small ghost" }, t("bulk.clear_rows"));
    const selected = st.rows.filter((r) => r.selected).length;
    apply.disabled = remove.disabled = selected === 0;
    apply.addEventListener("click", () => {
      const n = st.rows.filter((r) => r.selected).length;
      st.rows.forEach((r) => { if (r.selected) r.role = bulkRole.value; });
      draw();
      announce(t("bulk.role_applied", { n, role: roleLabel(bulkRole.value) }));
    });
    remove.addEventListener("click", () => { st.rows = st.rows.filter((r) => !r.selected); draw(); });
    clearAll.addEventListener("click", () => { st.rows = []; st.warnings = []; draw(); });
    const review = h("button", { type: "button", class: "primary" }, t("bulk.review"));
    const out = h("div");
    review.addEventListener("click", () => busy(review, async () => {
      clear(out);
      if (st.rows.length > MAX_ROWS) { out.append(notice("error", t("bulk.too_many", { max: MAX_ROWS }))); return; }
      try {
        st.lastRows = st.rows.map((r) => ({ ...r }));
        st.review = await reviewRows(ctx, st.rows.map(payloadRow));
        go("review");
      } catch (err) { out.append(errorNotice(err)); }
    }));

    const body = st.rows.map((r, i) => {
      const box = h("input", { type: "checkbox", checked: r.selected, "aria-label": t("bulk.select_row", { n: i + 1, email: r.email || "—" }) });
      box.addEventListener("change", () => { r.selected = box.checked; draw(); });
      const names = roles.includes(r.role) ? roles : [r.role, ...roles];
      const rs = select(names.map((n) => [n, roleLabel(n)]), r.role, { "aria-label": t("bulk.role_for_row", { n: i + 1, email: r.email || "—" }) });
      rs.addEventListener("change", () => { r.role = rs.value; });
      return h("tr", null,
        h("td", { class: "select-cell" }, box), h("td", { class: "muted" }, String(i + 1)),
        h("td", { class: "mono lead" }, r.email ? breakable(r.email) : h("span", { class: "muted" }, t("bulk.no_email"))),
        h("td", null, fullName(r) || h("span", { class: "muted" }, "—")),
        h("td", null, rs));
    });
    const selId = nextId("bulkrole");
    bulkRole.id = selId;
    return h("div", null,
      h("div", { class: "list-head" }, title, h("div", { class: "actions" }, clearAll)),
      h("div", { class: "table-wrap" },
        h("div", { class: "bulk-toolbar" },
          h("div", { class: "field" }, h("label", { for: selId }, t("bulk.role_for_selected", { n: selected })), bulkRole),
          apply, remove),
        stacked(h("table", { "aria-labelledby": "bulk-rows" },
          h("thead", null, h("tr", null, h("th", { scope: "col" }, h("label", { class: "select-all" }, h("span", { class: "select-all-text" }, t("bulk.select_all")), all)), h("th", { scope: "col" }, "#"), h("th", { scope: "col" }, t("form.email")),
            h("th", { scope: "col" }, t("bulk.col_name")), h("th", { scope: "col" }, t("form.role")))),
          h("tbody", null, body)))),
      out,
      h("div", { class: "stack-buttons section" }, review));
  }

  // --------------------------------------------------------------- steps 2 and 3: the two lists
  function resultStep(report, isReview) {
    return resultLists(ctx, {
      report, isReview, sent: st.lastRows || [],
      back: () => go("input"),
      // Rows the review found in error are sent too: each row is judged again, so the report
      // stays row-for-row with what the person reviewed.
      send: async () => {
        st.lastRows = st.rows.map((r) => ({ ...r }));
        st.result = await sendRows(ctx, st.rows.map(payloadRow));
        st.rows = [];
        st.warnings = [];
        st.defaultRole = defaultRole(ctx); // the role chosen was for this batch: the next starts at least privilege
        go("done");
      },
      again: () => { st.result = null; st.review = null; go("input"); },
    });
  }
}

/** The review of rows (a dry run: nothing written, nothing sent): the API's per-row answer. */
export async function reviewRows(ctx, invitations) {
  const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/invitations`, { body: { invitations, dry_run: true } });
  announce(t("bulk.reviewed", { ok: data.summary.would_invite ?? 0, errors: data.summary.errors }));
  return data;
}

/** Sends rows as one bulk call; the per-row answer. */
export async function sendRows(ctx, invitations) {
  const { data } = await api("POST", `/v1/tenants/${ctx.tenantId}/invitations`, { body: { invitations } });
  announce(sentSummary(data.summary.invited ?? 0, data.summary.errors));
  return data;
}

/** Who a result row is about, for people: its address, else the name of the row as sent. */
function rowWho(r, sent) {
  if (r.email) return breakable(r.email);
  const name = sent ? fullName(sent) : "";
  return name || "—";
}

/**
 * The two lists of a bulk call ("Invitations to send" or "Invitations sent", and "Invitation
 * errors"), each with its report to download, and the step's buttons. Shared by the bulk invite
 * and the invite from the directory. opts: report (the API's answer), isReview, sent (the rows
 * as sent, in order: {role, email?, profile?}), back() and send() (async; throws an ApiError)
 * on the review, again() and againLabel after the send; who(result, sent) and whoLabel for the
 * errors list's second column (default: the address).
 */
export function resultLists(ctx, opts) {
  const { report, isReview } = opts;
  const sentRow = (result) => (opts.sent || [])[result.row - 1];
  const ok = report.results.filter((r) => r.outcome !== "error");
  const bad = report.results.filter((r) => r.outcome === "error");
  const out = h("div");
  const okTitle = isReview ? t("bulk.to_send") : t("bulk.sent");
  const badTitle = t("bulk.errors");
  const okSection = h("section", { class: "card", "aria-labelledby": "list-ok", "data-testid": "list-ok" },
    h("div", { class: "list-head" }, h("h2", { id: "list-ok" }, okTitle, h("span", { class: "count-pill" }, String(ok.length))),
      ok.length ? h("button", { type: "button", class: "small", onclick: () => downloadOk(ok, isReview) }, t("bulk.download")) : null),
    ok.length ? h("div", { class: "table-wrap" }, stacked(h("table", { "aria-labelledby": "list-ok" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("bulk.col_row")), h("th", { scope: "col" }, t("form.email")), h("th", { scope: "col" }, t("form.role")))),
      h("tbody", null, ok.map((r) => h("tr", null, h("td", { class: "muted" }, String(r.row)), h("td", { class: "email-cell lead" }, breakable(r.email)), h("td", { class: "role-tag" }, roleLabel(r.invitation?.role || sentRow(r)?.role || ""))))))))
      : emptyState(t("bulk.none_to_send")));
  const badSection = h("section", { class: "card", "aria-labelledby": "list-bad", "data-testid": "list-bad" },
    h("div", { class: "list-head" }, h("h2", { id: "list-bad" }, badTitle, h("span", { class: "count-pill" }, String(bad.length))),
      bad.length ? h("button", { type: "button", class: "small", onclick: () => downloadBad(bad, sentRow) }, t("bulk.download")) : null),
    bad.length ? h("div", { class: "table-wrap" }, stacked(h("table", { "aria-labelledby": "list-bad" },
      h("thead", null, h("tr", null, h("th", { scope: "col" }, t("bulk.col_row")), h("th", { scope: "col" }, opts.whoLabel || t("form.email")), h("th", { scope: "col" }, t("bulk.col_problem")))),
      h("tbody", null, bad.map((r) => h("tr", null, h("td", { class: "muted" }, String(r.row)), h("td", { class: "email-cell lead" }, (opts.who || rowWho)(r, sentRow(r))), h("td", null, rowMessage(r, sentRow(r)))))))))
      : emptyState(t("bulk.no_errors")));

  const buttons = [];
  if (isReview) {
    const back = h("button", { type: "button", onclick: () => opts.back() }, t("bulk.back"));
    const send = h("button", { type: "button", class: "primary", disabled: ok.length === 0 }, t("bulk.send"));
    send.addEventListener("click", () => busy(send, async () => {
      clear(out);
      try {
        await opts.send();
      } catch (err) { out.append(errorNotice(err)); }
    }));
    buttons.push(back, send);
  } else {
    buttons.push(h("button", { type: "button", class: "primary", onclick: () => opts.again() }, opts.againLabel || t("bulk.again")),
      h("a", { class: "button", href: "#/people" }, t("invite.see_people")));
  }
  const summary = isReview
    ? notice("info", t("bulk.review_summary", { ready: t("bulk.ready", { n: ok.length }), skipped: t("bulk.skipped", { n: bad.length }) }))
    : notice(bad.length ? "warning" : "success", sentSummary(ok.length, bad.length));
  const warnings = (report.warnings || []).length ? notice("warning", report.warnings.join(" ")) : null;
  return h("div", null,
    h("h2", { class: "sr-only" }, isReview ? t("bulk.step_review") : t("bulk.step_done")),
    summary, warnings, out,
    h("div", { class: "result-lists" }, okSection, badSection),
    h("div", { class: "stack-buttons section" }, buttons));
}

function downloadOk(rows, isReview) {
  const blob = toCsv(["row", "email", "role", "first_name", "last_name", "workspaces", "outcome", "invitation_id", "expires_at"],
    rows.map((r) => [r.row, r.email, r.invitation?.role, r.invitation?.profile?.first_name, r.invitation?.profile?.last_name,
      (r.invitation?.workspaces || []).join(";"), r.outcome, isReview ? "" : r.invitation?.id, r.invitation?.expires_at]));
  downloadBlob(blob, `${isReview ? "invitations-to-send" : "invitations-sent"}-${today()}.csv`);
}

/** The errors report: each row's address (or, with none on file, the name it was sent with). */
function downloadBad(rows, sentRow) {
  const blob = toCsv(["row", "email", "name", "role", "code", "message"],
    rows.map((r) => [r.row, r.email, sentRow(r) ? fullName(sentRow(r)) : "", sentRow(r)?.role || "", r.code, rowMessage(r, sentRow(r))]));
  downloadBlob(blob, `invitation-errors-${today()}.csv`);
}

/** "2 invitations sent; 1 row with an error." — each count with its own plural. */
function sentSummary(sent, failed) {
  return t("bulk.sent_summary", { sent: t("bulk.sent_count", { n: sent }), failed: t("bulk.failed_count", { n: failed }) });
}
