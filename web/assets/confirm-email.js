// /confirm-email#email_token=...: a member confirms the new address an admin asked for (the
// token waits in this tab's sessionStorage while the person signs in at the identity provider).
import { t, onLangChange, applyDocument } from "./i18n.js";
import { api, getSession } from "./api.js";
import { authReady, switchAccount } from "./auth.js";
import { h, announce, errorNotice, signInForm, busy, takeFragmentParam, renderPage, icon } from "./ui.js";

const STORE = "usher.email_token";
let token = takeFragmentParam("email_token");
if (token) sessionStorage.setItem(STORE, token);
else token = sessionStorage.getItem(STORE);

const state = { view: token ? "ready" : "unknown", member: null, notice: null };

function done(view, extra = {}) {
  Object.assign(state, { view, ...extra });
  if (view === "confirmed") sessionStorage.removeItem(STORE);
  render();
}

async function confirm(button) {
  await busy(button, async () => {
    try {
      const { data } = await api("POST", "/v1/email-changes/confirm", { body: { token } });
      announce(t("confirm.done_title"));
      done("confirmed", { member: data });
    } catch (err) {
      if (err.code === "link_expired") return done("expired");
      if (err.code === "not_found" || (err.code === "invalid_request" && err.problem.errors.some((e) => e.field === "token"))) return done("unknown");
      if (err.code === "forbidden") return done("wrong_person");
      state.notice = errorNotice(err);
      render();
    }
  });
}

function card(name, kind, title, body, actions) {
  return h("section", { class: "card card-narrow", "aria-labelledby": "state-title" },
    name ? h("div", { class: `state-icon ${kind}`, "aria-hidden": "true" }, icon(name)) : null,
    h("h1", { id: "state-title" }, title),
    ...(Array.isArray(body) ? body : [body]).map((b) => (typeof b === "string" ? h("p", { class: "lede" }, b) : b)),
    actions ? h("div", { class: "stack-buttons section" }, actions) : null,
  );
}

function view() {
  const session = getSession();
  switch (state.view) {
    case "ready": {
      if (!session) {
        return card("mail", "info", t("confirm.title"), [t("confirm.intro"), h("hr", { class: "divider" }),
          signInForm({ intro: t("confirm.sign_in_intro"), onSignedIn: render })]);
      }
      const btn = h("button", { type: "button", class: "primary" }, t("confirm.confirm"));
      btn.addEventListener("click", () => confirm(btn));
      return card("mail", "info", t("confirm.title"), [t("confirm.intro"), state.notice,
        h("p", { class: "small-text muted" }, t("auth.signed_in_as", { email: session.email }), " ",
          h("button", { type: "button", class: "link", onclick: switchAccount }, t("auth.use_another")))], btn);
    }
    case "confirmed":
      return card("check", "ok", t("confirm.done_title"), t("confirm.done_body", { email: state.member.email }),
        h("a", { class: "button primary", href: "/" }, t("accept.open_console")));
    case "expired":
      return card("clock", "warn", t("confirm.expired_title"), t("confirm.expired_body"));
    case "wrong_person":
      return card("alert", "warn", t("confirm.wrong_title"), t("confirm.wrong_body", { email: session ? session.email : "—" }),
        h("button", { type: "button", class: "primary", onclick: () => { switchAccount(); state.view = "ready"; render(); } }, t("auth.sign_in_other")));
    case "unknown":
    default:
      return card("question", "bad", t("confirm.unknown_title"), t("confirm.unknown_body"));
  }
}

function render() {
  applyDocument(t("confirm.doc_title"));
  renderPage(h("main", { id: "main", tabindex: "-1", class: "center-page" }, view()));
}

window.addEventListener("usher:session", () => {
  if (state.view === "wrong_person") state.view = "ready";
  state.notice = null;
  render();
});
onLangChange(render);
await authReady;
render();
