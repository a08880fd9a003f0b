// The invitee's landing page, /accept#token=...: reads the token from the fragment, removes it
// from the address bar, looks the invitation up (public), and lets the invitee sign in and
// accept or decline. With the identity provider's sign-in, the person comes back here from the
// provider (auth.js handles the answer); the token waits in this tab's sessionStorage meanwhile.
// A join link, /accept#join=..., lands here too: the same sign-in, then the person joins the
// tenant (POST /v1/join-links/redeem) or, for a link that needs approval, asks to.
import { t, onLangChange, applyDocument } from "./i18n.js";
import { api, getSession, problemText } from "./api.js";
import { authReady, switchAccount } from "./auth.js";
import {
  h, clear, announce, loading, notice, errorNotice, signInForm, formatDate, roleLabel,
  busy, openDialog, field, initials, takeFragmentParams, renderPage, icon,
} from "./ui.js";

const STORE = "usher.invite";
const JOIN_STORE = "usher.join";
// An email-change link is {ACCEPT_URL}#email_token=...: hand the token to /confirm-email
// through this tab's sessionStorage (never through a URL).
const emailToken = new URLSearchParams(location.hash.slice(1)).get("email_token");
if (emailToken) {
  sessionStorage.setItem("usher.email_token", emailToken);
  history.replaceState(null, "", location.pathname);
  location.replace("/confirm-email");
}
// The token lives in memory (and this tab's sessionStorage, so a reload keeps working); it is
// never put back into a URL. One link at a time: the one opened last (an invitation's #token= or
// a join link's #join=) replaces the other.
const fragment = takeFragmentParams(["token", "join"]);
let token = null;
let joinToken = null;
if (fragment.join) {
  joinToken = fragment.join;
  sessionStorage.setItem(JOIN_STORE, joinToken);
  sessionStorage.removeItem(STORE);
} else if (fragment.token) {
  token = fragment.token;
  sessionStorage.setItem(STORE, token);
  sessionStorage.removeItem(JOIN_STORE);
} else {
  joinToken = sessionStorage.getItem(JOIN_STORE);
  if (!joinToken) token = sessionStorage.getItem(STORE);
}

const state = { view: "loading", info: null, error: null, accepted: null, notice: null, join: null, redeemed: null };

function done(view, extra = {}) {
  Object.assign(state, { view, ...extra });
  if (["accepted", "declined_done"].includes(view)) sessionStorage.removeItem(STORE);
  if (["join_joined", "join_requested", "join_member"].includes(view)) sessionStorage.removeItem(JOIN_STORE);
  render();
}

/** Looks up whichever link this tab holds. */
function start() {
  return joinToken ? lookupJoin() : lookup();
}

async function lookup() {
  if (!token) return done("unknown");
  try {
    const { data } = await api("POST", "/v1/invitations/lookup", { body: { token }, auth: false });
    state.info = data;
    if (data.status === "pending") return done("pending");
    if (data.status === "expired") return done(data.replaced ? "replaced" : "expired");
    if (data.status === "revoked") return done("revoked");
    if (data.status === "accepted") return done("used");
    if (data.status === "declined") return done("declined");
    return done("unknown");
  } catch (err) {
    if (err.code === "not_found" || err.code === "invalid_request") return done("unknown");
    return done("error", { error: err });
  }
}

function goneView(code) {
  return { invitation_expired: state.info?.replaced ? "replaced" : "expired", invitation_revoked: "revoked", invitation_used: "used", invitation_declined: "declined" }[code];
}

async function accept(button) {
  await busy(button, async () => {
    try {
      const { data } = await api("POST", "/v1/invitations/accept", { body: { token } });
      sessionStorage.setItem("usher.tenant", data.tenant_id);
      announce(t("accept.joined", { tenant: data.tenant_name }));
      done("accepted", { accepted: data });
    } catch (err) {
      handleActionError(err);
    }
  });
}

function handleActionError(err) {
  if (err.code === "email_mismatch") return done("mismatch");
  if (err.code === "invitation_expired") {
    // A replaced link and an expired one answer the same code: ask lookup which it is.
    return lookup();
  }
  const view = goneView(err.code);
  if (view) return done(view);
  if (err.code === "not_found") return done("unknown");
  if (err.code === "unauthenticated") return done("pending", { notice: notice("warning", t("auth.session_expired")) });
  state.notice = errorNotice(err);
  render();
}

function declineDialog() {
  openDialog((close) => {
    const reason = h("textarea", { maxlength: "500", rows: "3" });
    const err = h("div");
    const confirm = h("button", { type: "button", class: "danger" }, t("accept.decline_confirm"));
    confirm.addEventListener("click", () => busy(confirm, async () => {
      clear(err);
      try {
        const body = { token };
        if (reason.value.trim()) body.reason = reason.value.trim();
        await api("POST", "/v1/invitations/decline", { body });
        close();
        announce(t("accept.declined_title"));
        done("declined_done");
      } catch (e) {
        if (["email_mismatch", "invitation_expired", "invitation_revoked", "invitation_used", "invitation_declined", "not_found"].includes(e.code)) {
          close();
          handleActionError(e);
        } else err.appendChild(errorNotice(e));
      }
    }));
    return {
      title: t("accept.decline_title", { tenant: state.info.tenant_name }),
      body: [h("p", { class: "lede" }, t("accept.decline_body")), err, field(t("accept.decline_reason"), reason, { hint: t("common.optional") })],
      footer: [h("button", { type: "button", onclick: close }, t("common.cancel")), confirm],
    };
  });
}

async function askRenewal(button, out) {
  await busy(button, async () => {
    clear(out);
    try {
      await api("POST", "/v1/invitations/renewal-request", { body: { token }, auth: false });
      announce(t("accept.renewal_sent", { inviter: state.info?.inviter_name || t("accept.someone") }));
      done("renewal_sent");
    } catch (err) {
      if (err.code === "rate_limited") out.appendChild(notice("info", t("accept.renewal_already")));
      else out.appendChild(errorNotice(err));
    }
  });
}

function facts(info) {
  return h("dl", { class: "facts" },
    h("dt", null, t("accept.invited_by")), h("dd", null, info.inviter_name || t("accept.someone")),
    h("dt", null, t("accept.role")), h("dd", { class: "role-tag" }, roleLabel(info.role)),
    h("dt", null, t("accept.sent_to")), h("dd", { class: "mono" }, info.email),
    h("dt", null, info.status === "pending" ? t("accept.expires") : t("accept.expired_on")), h("dd", null, formatDate(info.expires_at)),
  );
}

function stateCard(name, kind, title, body, actions) {
  return h("section", { class: "card card-narrow", "aria-labelledby": "state-title" },
    h("div", { class: `state-icon ${kind}`, "aria-hidden": "true" }, icon(name)),
    h("h1", { id: "state-title" }, title),
    ...(Array.isArray(body) ? body : [body]).map((b) => (typeof b === "string" ? h("p", { class: "lede" }, b) : b)),
    actions ? h("div", { class: "stack-buttons section" }, actions) : null,
  );
}

function signedInLine(session) {
  return h("p", { class: "small-text muted" },
    t("auth.signed_in_as", { email: session.email }), " ",
    h("button", { type: "button", class: "link", onclick: () => { switchAccount(); } }, t("auth.use_another")),
  );
}

function pendingCard() {
  const info = state.info;
  const session = getSession();
  const card = h("section", { class: "card card-narrow", "aria-labelledby": "state-title" },
    h("div", { class: "card-head" },
      h("div", { class: "avatar", "aria-hidden": "true" }, initials(info.tenant_name)),
      h("div", null,
        h("h1", { id: "state-title" }, t("accept.title", { tenant: info.tenant_name })),
        h("p", { class: "lede", "data-testid": "invite-summary" }, t("accept.summary", { inviter: info.inviter_name || t("accept.someone"), tenant: info.tenant_name, role: roleLabel(info.role) })),
      ),
    ),
    facts(info),
    state.notice,
  );
  if (!session) {
    card.append(h("hr", { class: "divider" }), h("h2", null, t("accept.sign_in_title")),
      signInForm({ intro: t("accept.sign_in_intro", { email: info.email }), onSignedIn: () => { state.notice = null; render(); } }));
  } else {
    const acceptBtn = h("button", { type: "button", class: "primary" }, t("accept.accept"));
    acceptBtn.addEventListener("click", () => accept(acceptBtn));
    const [local, domain] = info.email.split("@");
    const mine = session.email.toLowerCase();
    const looksOther = domain && (!mine.endsWith(`@${domain.toLowerCase()}`) || mine[0] !== local[0].toLowerCase());
    // (Element.append writes a null as the text "null": only what is there goes in)
    card.append(h("hr", { class: "divider" }), signedInLine(session));
    if (looksOther && !state.notice) card.append(notice("warning", t("accept.looks_other", { email: session.email, invited: info.email })));
    card.append(h("div", { class: "stack-buttons full" }, acceptBtn, h("button", { type: "button", onclick: declineDialog }, t("accept.decline"))));
  }
  return card;
}

// ------------------------------------------------------------------- join links (#join=)

async function lookupJoin() {
  try {
    const { data } = await api("POST", "/v1/join-links/lookup", { body: { token: joinToken }, auth: false });
    state.join = data;
    const views = { active: "join", used_up: "join_used_up", disabled: "join_disabled", expired: "join_expired" };
    return done(views[data.status] || "unknown_link");
  } catch (err) {
    if (err.code === "not_found" || err.code === "invalid_request") return done("unknown_link");
    return done("error", { error: err });
  }
}

async function redeem(button) {
  await busy(button, async () => {
    try {
      const { data } = await api("POST", "/v1/join-links/redeem", { body: { token: joinToken } });
      if (data.outcome === "joined") {
        sessionStorage.setItem("usher.tenant", data.tenant_id);
        announce(t("accept.joined", { tenant: data.tenant_name }));
        done("join_joined", { redeemed: data, notice: null });
      } else {
        announce(t("join.requested_title", { tenant: data.tenant_name }));
        done("join_requested", { redeemed: data, notice: null });
      }
    } catch (err) {
      handleJoinError(err);
    }
  });
}

function handleJoinError(err) {
  const views = {
    already_member: "join_member", domain_not_allowed: "join_domain", seat_limit_reached: "join_seats", already_invited: "join_invited",
    link_used_up: "join_used_up", link_disabled: "join_disabled", link_expired: "join_expired", not_found: "unknown_link",
  };
  if (err.code === "already_member" && state.join) sessionStorage.setItem("usher.tenant", state.join.tenant_id);
  if (views[err.code]) return done(views[err.code], { notice: null });
  if (err.code === "unauthenticated") return done("join", { notice: notice("warning", t("auth.session_expired")) });
  state.notice = errorNotice(err);
  render();
}

/** "@acme.com, @acme.fr" */
function domainList(domains) {
  return domains.map((d) => `@${d}`).join(", ");
}

function joinFacts(info) {
  return h("dl", { class: "facts", "data-testid": "join-facts" },
    h("dt", null, t("accept.role")), h("dd", { class: "role-tag" }, roleLabel(info.role)),
    h("dt", null, t("join.uses_left")), h("dd", null, String(info.remaining)),
    h("dt", null, info.status === "expired" ? t("accept.expired_on") : t("accept.expires")), h("dd", null, formatDate(info.expires_at)),
    h("dt", null, t("join.approval")), h("dd", null, info.approval ? t("join.approval_yes") : t("join.approval_no")),
    info.allowed_domains.length ? [h("dt", null, t("join.for_addresses")), h("dd", null, domainList(info.allowed_domains))] : null,
  );
}

function joinCard() {
  const info = state.join;
  const session = getSession();
  const vars = { tenant: info.tenant_name, role: roleLabel(info.role) };
  const card = h("section", { class: "card card-narrow", "aria-labelledby": "state-title" },
    h("div", { class: "card-head" },
      h("div", { class: "avatar", "aria-hidden": "true" }, initials(info.tenant_name)),
      h("div", null,
        h("h1", { id: "state-title" }, t("accept.title", { tenant: info.tenant_name })),
        h("p", { class: "lede", "data-testid": "join-summary" }, t(info.approval ? "join.summary_approval" : "join.summary", vars)),
      ),
    ),
    joinFacts(info),
    state.notice,
  );
  if (!session) {
    const intro = info.allowed_domains.length ? t("join.sign_in_intro_domains", { domains: domainList(info.allowed_domains) }) : t("join.sign_in_intro");
    card.append(h("hr", { class: "divider" }), h("h2", null, t("join.sign_in_title")),
      signInForm({ intro, onSignedIn: () => { state.notice = null; render(); } }));
  } else {
    const join = h("button", { type: "button", class: "primary" }, info.approval ? t("join.ask") : t("join.join", { tenant: info.tenant_name }));
    join.addEventListener("click", () => redeem(join));
    card.append(h("hr", { class: "divider" }), signedInLine(session), h("div", { class: "stack-buttons full" }, join));
  }
  return card;
}

function openConsole() {
  return h("a", { class: "button primary", href: "/" }, t("accept.open_console"));
}

function joinView() {
  const info = state.join;
  const tenant = info ? info.tenant_name : "";
  const session = getSession();
  switch (state.view) {
    case "join": return joinCard();
    case "join_used_up": return stateCard("x", "bad", t("join.used_up_title"), t("join.used_up_body", { tenant }));
    case "join_disabled": return stateCard("x", "bad", t("join.disabled_title"), t("join.disabled_body", { tenant }));
    case "join_expired": return stateCard("clock", "warn", t("join.expired_title"), t("join.expired_body", { tenant, date: info ? formatDate(info.expires_at) : "" }));
    case "join_member": return stateCard("check", "info", t("join.member_title", { tenant }), t("join.member_body"), openConsole());
    case "join_domain": {
      const again = h("button", { type: "button", class: "primary", onclick: () => { switchAccount(); } }, t("auth.sign_in_other"));
      const email = session ? session.email : "—";
      const body = info && info.allowed_domains.length
        ? t("join.domain_body_link", { email, domains: domainList(info.allowed_domains) })
        : t("join.domain_body_tenant", { email, tenant });
      return stateCard("alert", "warn", t("join.domain_title"), [h("p", { class: "lede", "data-testid": "domain-text" }, body)], again);
    }
    case "join_seats": {
      const retry = h("button", { type: "button", class: "primary", onclick: () => done("join", { notice: null }) }, t("common.retry"));
      return stateCard("alert", "warn", t("join.seats_title", { tenant }), t("join.seats_body", { tenant }), retry);
    }
    case "join_invited": return stateCard("mail", "info", t("join.invited_title", { tenant }), t("join.invited_body", { email: session ? session.email : "" }));
    case "join_joined": {
      const r = state.redeemed;
      return stateCard("check", "ok", t("accept.joined", { tenant: r.tenant_name }),
        t("accept.joined_body", { role: roleLabel(r.member ? r.member.role : info.role) }), openConsole());
    }
    case "join_requested": {
      const r = state.redeemed;
      return stateCard("clock", "info", t("join.requested_title", { tenant: r.tenant_name }), t("join.requested_body", { tenant: r.tenant_name }), openConsole());
    }
    default: return stateCard("question", "bad", t("join.unknown_title"), t("join.unknown_body"));
  }
}

function view() {
  const session = getSession();
  switch (state.view) {
    case "loading": return h("div", { class: "card card-narrow" }, loading(t(joinToken ? "join.loading" : "accept.loading")));
    case "pending": return pendingCard();
    case "expired": {
      const out = h("div");
      const ask = h("button", { type: "button", class: "primary" }, t("accept.ask_new_link"));
      ask.addEventListener("click", () => askRenewal(ask, out));
      return stateCard("clock", "warn", t("accept.expired_title"),
        [t("accept.expired_body", { tenant: state.info.tenant_name, inviter: state.info.inviter_name || t("accept.someone") }), facts(state.info), out], ask);
    }
    case "renewal_sent": return stateCard("check", "ok", t("accept.renewal_sent_title"), t("accept.renewal_sent", { inviter: state.info?.inviter_name || t("accept.someone") }));
    case "replaced": return stateCard("refresh", "info", t("accept.replaced_title"), t("accept.replaced_body", { tenant: state.info?.tenant_name || "" }));
    case "revoked": return stateCard("x", "bad", t("accept.revoked_title"), t("accept.revoked_body", { tenant: state.info?.tenant_name || "", inviter: state.info?.inviter_name || t("accept.someone") }));
    case "used": return stateCard("check", "info", t("accept.used_title"), t("accept.used_body"), h("a", { class: "button primary", href: "/" }, t("accept.open_console")));
    case "declined": return stateCard("x", "bad", t("accept.declined_state_title"), t("accept.declined_state_body", { tenant: state.info?.tenant_name || "" }));
    case "declined_done": return stateCard("check", "ok", t("accept.declined_title"), t("accept.declined_body", { tenant: state.info?.tenant_name || "" }));
    case "unknown": return stateCard("question", "bad", t("accept.unknown_title"), t("accept.unknown_body"));
    case "mismatch": {
      const again = h("button", { type: "button", class: "primary", onclick: () => { switchAccount(); state.view = "pending"; render(); } }, t("auth.sign_in_other"));
      return stateCard("alert", "warn", t("accept.mismatch_title"),
        [h("p", { class: "lede", "data-testid": "mismatch-text" }, t("accept.mismatch_body", { email: session ? session.email : "—", invited: state.info?.email || "" }))], again);
    }
    case "accepted": {
      const a = state.accepted;
      return stateCard("check", "ok", t("accept.joined", { tenant: a.tenant_name }),
        t("accept.joined_body", { role: roleLabel(a.member.role) }), h("a", { class: "button primary", href: "/" }, t("accept.open_console")));
    }
    default: {
      if (state.view.startsWith("join") || state.view === "unknown_link") return joinView();
      const retry = h("button", { type: "button", class: "primary", onclick: () => { state.view = "loading"; render(); start(); } }, t("common.retry"));
      return stateCard("alert", "bad", t("common.error_title"), problemText(state.error), retry);
    }
  }
}

function render() {
  applyDocument(t(joinToken ? "join.doc_title" : "accept.doc_title"));
  renderPage(h("main", { id: "main", tabindex: "-1", class: "center-page" }, view()));
}

window.addEventListener("usher:session", () => {
  if (["pending", "mismatch"].includes(state.view)) state.view = "pending";
  // signed in, out or as someone else: the link's own card again, with nothing said before
  if (["join", "join_domain"].includes(state.view)) Object.assign(state, { view: "join", notice: null });
  render();
});
onLangChange(render);
if (!emailToken) {
  await authReady;
  render();
  start();
}
