// Invite from the directory: the seed's assistant over the company's employee list. (1) pick a
// company (skipped with one company or none), (2) people who are not users yet, filtered by
// title, department and company, sorted, with a selection kept across filters, (3) a role per
// person and "Change role" for all of them, (4) review, (5) send and the two reports. Steps 4
// and 5 are the bulk invite's own (bulk.js), sent rows {directory_person_id, role}.
import { t } from "./i18n.js";
import { api } from "./api.js";
import { h, clear, loading, announce, busy, errorNotice, notice, emptyState, field, select, roleLabel, nextId, stacked, breakable } from "./ui.js";
import { grantableRoles, defaultRole } from "./forms.js";
import { reviewRows, sendRows, resultLists } from "./bulk.js";

const PAGE = 100;
const MAX_ROWS = 1000; // a bulk call's rows
const SORTS = ["name", "title", "department", "company"];
const states = new Map(); // per tenant: a language switch or a visit to another page keeps the work

function fresh() {
  return {
    step: "company", companies: null, company: "", filters: { q: "", title: "", department: "", company: "" }, sort: "name",
    people: [], cursor: null, loaded: false, seen: { title: new Set(), department: new Set(), company: new Set() },
    selected: new Map(), roles: new Map(), review: null, result: null, sent: [],
  };
}

function stateFor(ctx) {
  if (!states.has(ctx.tenantId)) states.set(ctx.tenantId, fresh());
  return states.get(ctx.tenantId);
}

/** A person's name for people: first and last, else the address, else their id. */
export function personName(p) {
  return [p.first_name, p.last_name].filter(Boolean).join(" ") || p.email || p.id;
}

const collator = () => new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

export function directoryPage(content, ctx) {
  const st = stateFor(ctx);
  const roles = grantableRoles(ctx);
  const host = h("div");
  content.append(
    h("div", { class: "page-head" }, h("div", null, h("h1", null, t("dir.title")), h("p", null, t("dir.lede")))),
    h("div", { class: "steps-host" }),
    host,
  );
  start();

  async function start() {
    if (st.companies === null) {
      host.append(loading());
      try {
        const { data } = await api("GET", `/v1/tenants/${ctx.tenantId}/directory/companies`);
        st.companies = data.data.filter((c) => c.name);
      } catch (err) {
        clear(host).append(errorNotice(err));
        return;
      }
      // one company (or none): nothing to choose
      if (st.step === "company" && st.companies.length <= 1) st.step = "people";
    }
    draw();
  }

  /** The steps shown: the company step only when there is a choice to make. */
  function order() {
    const all = ["company", "people", "roles", "review", "done"];
    return st.companies && st.companies.length > 1 ? all : all.slice(1);
  }

  function steps() {
    return h("ol", { class: "steps", "aria-label": t("bulk.steps") }, order().map((s, i) =>
      h("li", { "aria-current": s === st.step ? "step" : null }, h("span", { class: "n", "aria-hidden": "true" }, String(i + 1)), t(`dir.step_${s}`))));
  }

  /** Moves to a step and puts focus on its heading, so a screen reader hears where it is. */
  function go(step) {
    st.step = step;
    draw();
    const heading = host.querySelector("h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  function draw() {
    const stepsHost = content.querySelector(".steps-host");
    clear(stepsHost).append(steps());
    clear(host);
    if (st.step === "company") host.append(companyStep());
    else if (st.step === "people") host.append(peopleStep());
    else if (st.step === "roles") host.append(rolesStep());
    else if (st.step === "review") host.append(resultStep(st.review, true));
    else host.append(resultStep(st.result, false));
  }

  // --------------------------------------------------------------- 1: company
  function companyStep() {
    const name = nextId("company");
    const choices = [["", t("dir.all_companies"), st.companies.reduce((n, c) => n + c.active, 0)], ...st.companies.map((c) => [c.name, c.name, c.active])];
    const radios = choices.map(([value, label, n]) => {
      const input = h("input", { type: "radio", name, value, checked: value === st.company });
      input.id = nextId("co");
      return h("div", { class: "check radio" }, input, h("label", { for: input.id }, label, " ", h("span", { class: "muted" }, t("dir.company_people", { n }))));
    });
    const next = h("button", { type: "submit", class: "primary" }, t("dir.next"));
    const form = h("form", { class: "card", "aria-labelledby": "dir-company" },
      h("h2", { id: "dir-company" }, t("dir.company_title")),
      h("fieldset", null, h("legend", null, t("dir.company_legend")), h("div", { class: "radio-list" }, radios)),
      h("div", { class: "stack-buttons" }, next));
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const chosen = form.querySelector("input[type=radio]:checked");
      const company = chosen ? chosen.value : "";
      if (company !== st.company || !st.loaded) {
        st.company = company;
        st.filters.company = company;
        st.loaded = false;
      }
      go("people");
    });
    return form;
  }

  // --------------------------------------------------------------- 2: people not yet users
  function query(cursor) {
    const p = new URLSearchParams({ status: "not_invited", limit: String(PAGE) });
    for (const k of ["company", "title", "department", "q"]) if (st.filters[k]) p.set(k, st.filters[k]);
    if (cursor) p.set("cursor", cursor);
    return `/v1/tenants/${ctx.tenantId}/directory/people?${p}`;
  }

  /**
   * Loads people: the first page (or the next one). A page holds only the people who are not
   * users yet among those the server read, so it may be short, or empty, with more to come:
   * pages are read until one holds someone or the list ends (the server's next_cursor).
   */
  async function load(more, current = () => true) {
    let cursor = more ? st.cursor : null;
    const found = [];
    let reads = 0;
    do {
      const { data } = await api("GET", query(cursor));
      found.push(...data.data);
      cursor = data.next_cursor || null;
      reads += 1;
    } while (cursor && found.length === 0 && reads < 20);
    if (!current()) return; // an answer to filters changed since
    st.people = more ? [...st.people, ...found] : found;
    st.cursor = cursor;
    st.loaded = true;
    for (const p of found) for (const k of ["title", "department", "company"]) if (p[k]) st.seen[k].add(p[k]);
  }

  function sorted(people) {
    const c = collator();
    // by family name, then given name (and the address, for people with no name on file)
    const byName = (p) => `${p.last_name || ""} ${p.first_name || ""} ${p.email || ""}`.trim();
    const key = (p) => (st.sort === "name" ? byName(p) : p[st.sort] || "");
    return [...people].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      if (!ka !== !kb) return ka ? -1 : 1; // the blanks last
      return c.compare(ka, kb) || c.compare(byName(a), byName(b));
    });
  }

  function peopleStep() {
    const wrap = h("section", { "aria-labelledby": "dir-people" });
    const title = h("h2", { id: "dir-people" }, t("dir.people_title"));
    const count = h("p", { class: "selected-count", role: "status", "data-testid": "selected-count" }, t("dir.selected_count", { n: st.selected.size }));
    const listHost = h("div");
    const out = h("div");

    // a filter's choices: the values seen so far in this directory (more appear as people load)
    const facets = {};
    const options = (key, all) => {
      const values = [...st.seen[key]];
      if (st.filters[key] && !values.includes(st.filters[key])) values.push(st.filters[key]);
      values.sort(collator().compare);
      return [["", all], ...values.map((v) => [v, v])];
    };
    const facet = (key, label, all) => {
      const s = select(options(key, all), st.filters[key]);
      facets[key] = { s, all };
      s.addEventListener("change", () => { st.filters[key] = s.value; refresh(); });
      return field(label, s, { name: key });
    };
    function updateFacets() {
      for (const [key, { s, all }] of Object.entries(facets)) {
        s.replaceChildren(...options(key, all).map(([v, label]) => h("option", { value: v }, label)));
        s.value = st.filters[key];
      }
    }
    const q = h("input", { type: "search", value: st.filters.q, placeholder: t("people.search_placeholder"), autocomplete: "off" });
    let timer = null;
    q.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => { st.filters.q = q.value.trim(); refresh(); }, 250); });
    const sort = select(SORTS.map((s) => [s, t(`dir.sort_${s}`)]), st.sort);
    sort.addEventListener("change", () => { st.sort = sort.value; drawList(); });
    const filters = h("form", { class: "filters", role: "search", "aria-label": t("dir.filters"), onsubmit: (e) => e.preventDefault() },
      field(t("people.search"), q, { class: "grow", name: "q" }),
      facet("title", t("dir.col_title"), t("dir.all_titles")),
      facet("department", t("dir.col_department"), t("dir.all_departments")),
      st.companies.length > 1 ? facet("company", t("form.company"), t("dir.all_companies")) : null,
      field(t("dir.sort"), sort, { name: "sort" }));

    /** Loads again with the filters changed; the selection stays as it is, and so does focus. */
    let seq = 0;
    async function refresh() {
      const mine = ++seq;
      clear(out);
      clear(listHost).append(loading());
      try {
        await load(false, () => mine === seq);
      } catch (err) {
        if (mine !== seq) return;
        clear(listHost);
        out.append(errorNotice(err));
        return;
      }
      if (mine !== seq) return; // a newer filter's answer is on its way
      updateFacets();
      drawList();
      announce(t("dir.shown", { n: st.people.length }));
    }

    function drawList() {
      clear(listHost);
      if (!st.people.length) {
        const filtered = st.filters.q || st.filters.title || st.filters.department || (st.filters.company && st.filters.company !== st.company);
        listHost.append(h("div", { class: "table-wrap" }, emptyState(filtered ? t("people.none_match") : t("dir.none"), filtered ? null : t("dir.none_hint"))));
        return;
      }
      const rows = sorted(st.people);
      const all = h("input", { type: "checkbox", "aria-label": t("dir.select_shown"), checked: rows.every((p) => st.selected.has(p.id)) });
      all.addEventListener("change", () => {
        for (const p of rows) {
          if (all.checked) select1(p);
          else st.selected.delete(p.id);
        }
        drawList();
        listHost.querySelector("thead input[type=checkbox]")?.focus();
        updateCount();
      });
      const body = rows.map((p) => {
        const box = h("input", { type: "checkbox", checked: st.selected.has(p.id), "aria-label": t("dir.select_person", { name: personName(p) }) });
        box.addEventListener("change", () => {
          if (box.checked) select1(p);
          else st.selected.delete(p.id);
          all.checked = rows.every((x) => st.selected.has(x.id));
          updateCount();
        });
        return h("tr", { "data-person": p.id },
          h("td", { class: "select-cell" }, box),
          h("td", { class: "lead" }, h("div", { class: "person" }, h("div", null,
            h("div", { class: "name" }, personName(p)),
            h("div", { class: "sub email-cell" }, p.email ? breakable(p.email) : t("dir.no_email"))))),
          h("td", null, p.title || h("span", { class: "muted" }, "—")),
          h("td", null, p.department || h("span", { class: "muted" }, "—")),
          h("td", null, p.company || h("span", { class: "muted" }, "—")));
      });
      const more = st.cursor ? h("button", { type: "button", class: "small" }, t("common.load_more")) : null;
      if (more) {
        more.addEventListener("click", () => busy(more, async () => {
          const before = st.people.length;
          try { await load(true); } catch (err) { out.append(errorNotice(err)); return; }
          drawList();
          // focus the first person just loaded (their box), or the list's end
          const next = listHost.querySelectorAll("tbody input[type=checkbox]")[before];
          (next || listHost.querySelector("thead input"))?.focus();
          announce(t("dir.shown", { n: st.people.length }));
        }));
      }
      listHost.append(h("div", { class: "table-wrap" },
        stacked(h("table", { "aria-labelledby": "dir-people" },
          h("thead", null, h("tr", null,
            h("th", { scope: "col" }, h("label", { class: "select-all" }, h("span", { class: "select-all-text" }, t("dir.select_shown")), all)),
            h("th", { scope: "col", class: "col-person" }, t("people.col_person")), h("th", { scope: "col" }, t("dir.col_title")),
            h("th", { scope: "col" }, t("dir.col_department")), h("th", { scope: "col" }, t("form.company")))),
          h("tbody", null, body))),
        h("div", { class: "table-foot" }, h("span", null, t("dir.shown", { n: st.people.length })), more)));
    }

    function select1(p) {
      st.selected.set(p.id, p);
      if (!st.roles.has(p.id)) st.roles.set(p.id, defaultRole(ctx));
    }

    const clearSel = h("button", { type: "button", class: "small ghost" }, t("dir.clear_selection"));
    clearSel.addEventListener("click", () => { st.selected.clear(); drawList(); updateCount(); count.focus(); });
    const next = h("button", { type: "button", class: "primary" }, t("dir.next"));
    next.addEventListener("click", () => {
      clear(out);
      if (!st.selected.size) { out.append(notice("warning", t("dir.select_someone"))); return; }
      if (st.selected.size > MAX_ROWS) { out.append(notice("error", t("bulk.too_many", { max: MAX_ROWS }))); return; }
      go("roles");
    });
    const back = st.companies.length > 1 ? h("button", { type: "button", onclick: () => go("company") }, t("dir.back")) : null;
    function updateCount() {
      count.textContent = t("dir.selected_count", { n: st.selected.size });
      clearSel.disabled = st.selected.size === 0;
    }
    count.setAttribute("tabindex", "-1");
    updateCount();

    wrap.append(
      h("div", { class: "list-head" }, title, h("div", { class: "actions" }, count, clearSel)),
      filters, out, listHost,
      h("div", { class: "stack-buttons section" }, back, next));
    if (st.loaded) drawList();
    else {
      listHost.append(loading());
      load(false).then(() => { updateFacets(); drawList(); }, (err) => { clear(listHost); out.append(errorNotice(err)); });
    }
    return wrap;
  }

  // --------------------------------------------------------------- 3: roles
  function rolesStep() {
    const people = sorted([...st.selected.values()]);
    const bulkRole = select(roles.map((r) => [r, roleLabel(r)]), defaultRole(ctx));
    bulkRole.id = nextId("dirrole");
    const apply = h("button", { type: "button" }, t("dir.change_role"));
    apply.addEventListener("click", () => {
      for (const p of people) st.roles.set(p.id, bulkRole.value);
      for (const s of host.querySelectorAll("select[data-person]")) s.value = bulkRole.value;
      announce(t("bulk.role_applied", { n: people.length, role: roleLabel(bulkRole.value) }));
    });
    const body = people.map((p) => {
      const role = st.roles.get(p.id) || defaultRole(ctx);
      const names = roles.includes(role) ? roles : [role, ...roles];
      const rs = select(names.map((n) => [n, roleLabel(n)]), role, { "aria-label": t("dir.role_for", { name: personName(p) }), "data-person": p.id });
      rs.addEventListener("change", () => st.roles.set(p.id, rs.value));
      const remove = h("button", { type: "button", class: "small ghost", "aria-label": t("dir.remove_person", { name: personName(p) }) }, t("dir.remove"));
      remove.addEventListener("click", () => {
        st.selected.delete(p.id);
        if (!st.selected.size) { go("people"); return; }
        const row = remove.closest("tr");
        const nextRow = row.nextElementSibling || row.previousElementSibling;
        draw();
        // focus stays in the list: the role of the row that took this one's place
        const target = nextRow && host.querySelector(`select[data-person="${CSS.escape(nextRow.dataset.person)}"]`);
        (target || host.querySelector("h2")).focus();
        announce(t("dir.removed", { name: personName(p) }));
      });
      return h("tr", { "data-person": p.id },
        h("td", { class: "lead" }, h("div", { class: "name" }, personName(p)), h("div", { class: "sub muted small-text email-cell" }, p.email ? breakable(p.email) : t("dir.no_email"))),
        h("td", null, p.title || h("span", { class: "muted" }, "—")),
        h("td", null, rs),
        h("td", { class: "actions-cell" }, remove));
    });
    const out = h("div");
    const back = h("button", { type: "button", onclick: () => go("people") }, t("dir.back"));
    const review = h("button", { type: "button", class: "primary" }, t("bulk.review"));
    review.addEventListener("click", () => busy(review, async () => {
      clear(out);
      const sent = people.map((p) => ({ id: p.id, role: st.roles.get(p.id) || defaultRole(ctx), email: p.email || "", profile: { first_name: p.first_name, last_name: p.last_name } }));
      try {
        st.review = await reviewRows(ctx, sent.map((r) => ({ directory_person_id: r.id, role: r.role })));
        st.sent = sent;
        go("review");
      } catch (err) { out.append(errorNotice(err)); }
    }));
    return h("section", { "aria-labelledby": "dir-roles" },
      h("div", { class: "list-head" }, h("h2", { id: "dir-roles" }, t("dir.roles_title"), h("span", { class: "count-pill" }, String(people.length)))),
      h("div", { class: "table-wrap" },
        h("div", { class: "bulk-toolbar" },
          h("div", { class: "field" }, h("label", { for: bulkRole.id }, t("dir.role_for_all", { n: people.length })), bulkRole),
          apply),
        stacked(h("table", { "aria-labelledby": "dir-roles" },
          h("thead", null, h("tr", null, h("th", { scope: "col", class: "col-person" }, t("people.col_person")), h("th", { scope: "col" }, t("dir.col_title")),
            h("th", { scope: "col" }, t("form.role")), h("th", { scope: "col" }, h("span", { class: "sr-only" }, t("people.col_actions"))))),
          h("tbody", null, body)))),
      out,
      h("div", { class: "stack-buttons section" }, back, review));
  }

  // --------------------------------------------------------------- 4 and 5: review, send, reports (bulk.js)
  function resultStep(report, isReview) {
    return resultLists(ctx, {
      report, isReview, sent: st.sent,
      back: () => go("roles"),
      send: async () => {
        // the rows as reviewed, in the same order, so the report matches the review row for row
        st.result = await sendRows(ctx, st.sent.map((r) => ({ directory_person_id: r.id, role: r.role })));
        st.selected.clear();
        st.loaded = false; // who is "not yet a user" has changed
        go("done");
      },
      again: () => { st.result = null; st.review = null; go("people"); },
      againLabel: t("dir.again"),
      // an error is often "no email on file": the errors list names the person, and their address
      whoLabel: t("people.col_person"),
      who: (r, sent) => [
        h("div", { class: "name" }, sent ? personName({ ...sent.profile, email: sent.email, id: r.directory_person_id || "—" }) : "—"),
        h("div", { class: "sub muted small-text" }, r.email ? breakable(r.email) : t("dir.no_email"))],
    });
  }
}
