// How people sign in on this deployment, and the OIDC sign-in itself.
//
// GET /config.json (once per page load) names the kind: "development" (the Email field and
// POST /dev/sign-in of `usher serve`; also what an older server without /config.json gets),
// "oidc" (the identity provider's sign-in: the authorization code flow with PKCE, S256), or
// "unconfigured" (a deployment whose sign-in is not set up: the pages say so).
//
// The OIDC flow: "Sign in" keeps a random code_verifier, state and nonce in this tab's
// sessionStorage (never localStorage, cookies or a URL) and goes to the provider with the
// verifier's SHA-256 as code_challenge. The provider sends the person back to the page that
// started it (/, /accept or /confirm-email) with ?code=...&state=...; this module takes the
// query out of the address bar as soon as it loads (before any page renders), checks state,
// exchanges the code (with the verifier) at the token endpoint and keeps only the ID token, as
// the session api.js reads (the API expects the ID token: its aud is the client id). When the ID
// token carries no email (providers with library defaults put only `sub` there), the access token
// goes once to POST /v1/me/userinfo, with the ID token as Bearer: the server asks the provider's
// userinfo endpoint itself and keeps the email for that subject (the page never reports an email).
// Then the access and refresh tokens are dropped. The pages wait for `authReady` before their
// first render.
import { t } from "./i18n.js";
import { decodeJwt, getSession, saveSession, signOut } from "./api.js";

// One sign-in under way in this tab: {verifier, state, nonce, redirect_uri, return_to}.
const PENDING = "usher.oidc";
// Set by "Use another account": the next sign-in asks the provider to show its login again
// (prompt=login), or it would hand back the account it still has a session for.
const FRESH_LOGIN = "usher.oidc.fresh";

const DEVELOPMENT = Object.freeze({ kind: "development" });
const UNCONFIGURED = Object.freeze({ kind: "unconfigured" });

let configPromise = null;
let current = null;
// Why the last sign-in did not complete: {key, vars} (a string of i18n.js), shown by the
// sign-in form in the person's language; null when there is nothing to say.
let problem = null;

function httpUrl(value) {
  if (typeof value !== "string" || !value) return false;
  try {
    const u = new URL(value);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function normalise(signIn) {
  if (!signIn || typeof signIn !== "object" || signIn.kind === "development") return DEVELOPMENT;
  if (signIn.kind === "oidc") {
    const { client_id: clientId, authorization_endpoint: authz, token_endpoint: token } = signIn;
    if (typeof clientId !== "string" || !clientId || !httpUrl(authz) || !httpUrl(token)) return UNCONFIGURED;
    return Object.freeze({
      kind: "oidc",
      client_id: clientId,
      authorization_endpoint: authz,
      token_endpoint: token,
      scope: typeof signIn.scope === "string" && signIn.scope ? signIn.scope : "openid email profile",
      logout_url: httpUrl(signIn.logout_url) ? signIn.logout_url : null,
    });
  }
  return UNCONFIGURED;
}

async function loadConfig() {
  let config = DEVELOPMENT;
  try {
    const res = await fetch("/config.json", { headers: { accept: "application/json" }, credentials: "omit", cache: "no-store" });
    // 404 from a server that predates /config.json: the development sign-in, as before
    if (res.ok) config = normalise((await res.json())?.sign_in);
  } catch {
    config = DEVELOPMENT;
  }
  current = config;
  return config;
}

/** The deployment's sign-in ({kind, ...}); fetched once per page load. Never rejects. */
export function siteConfig() {
  if (!configPromise) configPromise = loadConfig();
  return configPromise;
}

/** The sign-in kind once siteConfig() has answered (the pages render after authReady). */
export function signInConfig() {
  return current || DEVELOPMENT;
}

/** Why the sign-in that just came back did not complete ({key, vars}), or null. */
export function signInProblem() {
  return problem;
}

// ---------------------------------------------------------------- the provider's answer

// Runs when the module loads, before any page renders: a query carrying the provider's answer
// leaves the address bar (and so the history and any later Referer) at once.
function takeCallback() {
  const q = new URLSearchParams(location.search);
  if (!((q.has("code") && q.has("state")) || q.has("error"))) return null;
  history.replaceState(history.state, "", location.pathname + location.hash);
  return { code: q.get("code"), state: q.get("state"), error: q.get("error") };
}

const callback = takeCallback();

function readPending() {
  try {
    const p = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    return p && typeof p === "object" ? p : null;
  } catch {
    return null;
  }
}

// An error code from a URL or a provider: shown only when it looks like one (no free text
// from the query reaches the page).
function errorCode(value) {
  return typeof value === "string" && /^[a-z0-9_.-]{1,60}$/i.test(value) ? value : "";
}

function showFinishing() {
  const main = document.getElementById("main");
  if (!main) return;
  const spinner = document.createElement("span");
  spinner.className = "spinner";
  spinner.setAttribute("aria-hidden", "true");
  const box = document.createElement("div");
  box.className = "loading";
  box.setAttribute("role", "status");
  box.append(spinner, t("auth.oidc_finishing"));
  main.replaceChildren(box);
}

async function completeSignIn(config, cb) {
  const pending = readPending();
  // the verifier, state and nonce serve once, whatever the outcome
  sessionStorage.removeItem(PENDING);
  if (cb.error) {
    problem = cb.error === "access_denied"
      ? { key: "auth.oidc_denied" }
      : { key: "auth.oidc_refused", vars: { code: errorCode(cb.error) || "error" } };
    return;
  }
  if (!pending || typeof pending.state !== "string" || !pending.state || cb.state !== pending.state) {
    // not the sign-in this tab started (an old or forged link): the code is not exchanged
    problem = { key: "auth.oidc_state" };
    return;
  }
  if (config.kind !== "oidc") {
    problem = { key: "auth.oidc_failed" };
    return;
  }
  showFinishing();
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: config.client_id,
    code: cb.code,
    redirect_uri: pending.redirect_uri,
    code_verifier: pending.verifier,
  });
  let res;
  try {
    res = await fetch(config.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form.toString(),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    });
  } catch {
    problem = (await reachable(config.token_endpoint))
      ? { key: "auth.oidc_cors", vars: { origin: location.origin, client: config.client_id } }
      : { key: "auth.oidc_network" };
    return;
  }
  let body = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok || !body || typeof body.id_token !== "string") {
    problem = { key: "auth.oidc_exchange", vars: { code: errorCode(body && body.error) || `HTTP ${res.status}` } };
    return;
  }
  const claims = decodeJwt(body.id_token);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (typeof pending.nonce !== "string" || !pending.nonce || claims.nonce !== pending.nonce || !audiences.includes(config.client_id)) {
    problem = { key: "auth.oidc_unverified" };
    return;
  }
  // No email in the ID token: the server asks the provider's userinfo with the access token.
  let known = null;
  if (!claims.email) {
    known = await keepUserinfo(body.id_token, body.access_token);
    if (!known) return;
  }
  // Only the ID token is kept (what the API expects as Bearer); body's access and refresh
  // tokens go no further than this function.
  saveSession(body.id_token, known ? { email: known.email || "", name: known.name || "" } : null);
  problem = null;
  // back to the console page the person was on (#/bulk, ...): a route, never anything else
  const back = typeof pending.return_to === "string" ? pending.return_to : "";
  const hash = back.includes("#") ? back.slice(back.indexOf("#")) : "";
  if (back.split("#")[0] === location.pathname && /^#\/[a-z-]+$/.test(hash)) {
    history.replaceState(history.state, "", location.pathname + hash);
  }
  window.dispatchEvent(new CustomEvent("usher:session"));
}

// Whether the provider answers at all (a request the browser sends without CORS and whose answer
// the page cannot read): a fetch that failed with CORS fails, but this one succeeds.
async function reachable(url) {
  try {
    await fetch(url, { method: "GET", mode: "no-cors", credentials: "omit", cache: "no-store", referrerPolicy: "no-referrer" });
    return true;
  } catch {
    return false;
  }
}

// POST /v1/me/userinfo: the server asks the provider who the access token belongs to, checks it
// is the ID token's subject and keeps the email. The answer ({email, email_verified, name}), or
// null with `problem` set.
async function keepUserinfo(idToken, accessToken) {
  if (typeof accessToken !== "string" || !accessToken) {
    problem = { key: "auth.oidc_userinfo", vars: { code: "no_access_token" } };
    return null;
  }
  let res;
  try {
    res = await fetch("/v1/me/userinfo", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${idToken}` },
      body: JSON.stringify({ access_token: accessToken }),
      credentials: "omit",
      cache: "no-store",
    });
  } catch {
    problem = { key: "auth.oidc_userinfo", vars: { code: "network" } };
    return null;
  }
  let answer = null;
  try {
    answer = await res.json();
  } catch {
    answer = null;
  }
  if (!res.ok || !answer || typeof answer !== "object") {
    problem = { key: "auth.oidc_userinfo", vars: { code: errorCode(answer && answer.code) || `HTTP ${res.status}` } };
    return null;
  }
  return answer;
}

/**
 * Resolves (never rejects) with the sign-in config once the page may render: /config.json is
 * read, and a provider's answer in the URL has been handled (signed in, or signInProblem() set).
 */
export const authReady = (async () => {
  const config = await siteConfig();
  if (callback) {
    try {
      await completeSignIn(config, callback);
    } catch {
      problem = { key: "auth.oidc_failed" };
    }
  }
  return config;
})();

// ---------------------------------------------------------------- going to the provider

function base64url(bytes) {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomValue() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

class SignInError extends Error {
  constructor(key) {
    super(key);
    this.key = key;
  }
}

/** Starts the OIDC sign-in: off to the provider's authorization endpoint (rejects with .key). */
export async function startSignIn() {
  const config = await siteConfig();
  if (config.kind !== "oidc") throw new SignInError("auth.oidc_failed");
  // crypto.subtle exists only in secure contexts (https, or http to localhost)
  if (!window.isSecureContext || !crypto.subtle) throw new SignInError("auth.oidc_insecure");
  const verifier = randomValue();
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = randomValue();
  const nonce = randomValue();
  const redirectUri = location.origin + location.pathname;
  sessionStorage.setItem(PENDING, JSON.stringify({
    verifier, state, nonce, redirect_uri: redirectUri, return_to: location.pathname + location.hash,
  }));
  const url = new URL(config.authorization_endpoint);
  const params = {
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    nonce,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  };
  if (sessionStorage.getItem(FRESH_LOGIN)) params.prompt = "login";
  sessionStorage.removeItem(FRESH_LOGIN);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  problem = null;
  location.assign(url.toString());
}

// ---------------------------------------------------------------- signing out

/**
 * Where the provider ends its session (OpenID Connect RP-Initiated Logout 1.0): the logout URL
 * with `id_token_hint` (the ID token of this session), `client_id` and
 * `post_logout_redirect_uri` (this console) unless the URL already names them, or names
 * Cognito's own `logout_uri`.
 */
export function logoutUrl(config, idToken) {
  const url = new URL(config.logout_url);
  if (idToken && !url.searchParams.has("id_token_hint")) url.searchParams.set("id_token_hint", idToken);
  if (!url.searchParams.has("client_id")) url.searchParams.set("client_id", config.client_id);
  if (!url.searchParams.has("post_logout_redirect_uri") && !url.searchParams.has("logout_uri")) {
    url.searchParams.set("post_logout_redirect_uri", `${location.origin}/`);
  }
  return url.toString();
}

/** "Sign out": ends the session here, then (OIDC with a logout URL) at the provider too. */
export function signOutEverywhere() {
  const session = getSession();
  signOut();
  const config = signInConfig();
  if (config.kind === "oidc" && config.logout_url) location.assign(logoutUrl(config, session && session.token));
}

/** "Use another account": ends the session here; the next OIDC sign-in asks for a login. */
export function switchAccount() {
  if (signInConfig().kind === "oidc") sessionStorage.setItem(FRESH_LOGIN, "1");
  signOut();
}
