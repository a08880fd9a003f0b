// The HTTP side: the session (the dev sign-in's JWT, or the identity provider's ID token after
// the OIDC sign-in of auth.js; kept in sessionStorage only, never in localStorage, cookies or
// URLs) and a fetch wrapper that turns problem+json answers into ApiError.
import { t, has, getLang } from "./i18n.js";

const SESSION_KEY = "usher.session";

/** The claims of a JWT (not verified: the API verifies the signature). {} when unreadable. */
export function decodeJwt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      atob(part + "===".slice((part.length + 3) % 4))
        .split("")
        .map((c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0"))
        .join(""),
    );
    return JSON.parse(json);
  } catch {
    return {};
  }
}

export function getSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (!s || !s.token) return null;
    if (s.exp && s.exp * 1000 < Date.now()) {
      sessionStorage.removeItem(SESSION_KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

/**
 * Keeps token (a JWT) as this tab's session: the token, and its email, name and exp. `known`
 * ({email, name}) is what the server answered from the provider's userinfo, for an ID token that
 * carries no email (shown only: the API reads the email from its own records, never from here).
 */
export function saveSession(token, known = null) {
  const claims = decodeJwt(token);
  const name = claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(" ");
  const session = {
    token,
    email: claims.email || (known && known.email) || "",
    name: name || (known && known.name) || "",
    exp: claims.exp || 0,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** Ends the session in this tab (auth.js's signOutEverywhere also leaves the identity provider). */
export function signOut() {
  sessionStorage.removeItem(SESSION_KEY);
  window.dispatchEvent(new CustomEvent("usher:session"));
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem.code || "internal";
  }
}

function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function problemFrom(res) {
  let body = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!body || typeof body !== "object") body = {};
  return {
    status: res.status,
    code: body.code || (res.status >= 500 ? "internal" : "unknown"),
    detail: typeof body.detail === "string" ? body.detail : "",
    title: body.title || "",
    request_id: body.request_id || res.headers.get("x-request-id") || "",
    errors: Array.isArray(body.errors) ? body.errors : [],
  };
}

/**
 * Calls the API. Returns {status, data, headers, blob?}. Throws ApiError on a non-2xx answer
 * (and on a network failure, with code "network").
 * options: body (JSON unless rawBody), rawBody + contentType, auth (default true), accept, blob.
 */
export async function api(method, path, options = {}) {
  const headers = { accept: options.accept || "application/json" };
  const session = getSession();
  if (options.auth !== false) {
    if (!session) throw new ApiError(401, { code: "unauthenticated", detail: "" });
    headers.authorization = `Bearer ${session.token}`;
  }
  let body;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers["content-type"] = options.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  if (method !== "GET" && options.idempotent !== false) headers["idempotency-key"] = idempotencyKey();
  let res;
  try {
    res = await fetch(path, { method, headers, body, credentials: "omit", cache: "no-store" });
  } catch {
    throw new ApiError(0, { code: "network", detail: "" });
  }
  if (!res.ok) {
    const problem = await problemFrom(res);
    if (res.status === 401 && options.auth !== false) {
      sessionStorage.removeItem(SESSION_KEY);
      window.dispatchEvent(new CustomEvent("usher:session"));
    }
    throw new ApiError(res.status, problem);
  }
  if (options.blob) return { status: res.status, headers: res.headers, blob: await res.blob() };
  const text = res.status === 204 ? "" : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  return { status: res.status, data, headers: res.headers };
}

/** Development sign-in (only `usher serve` has it). */
export async function devSignIn(email, name) {
  const body = { email };
  if (name) body.name = name;
  let res;
  try {
    res = await fetch("/dev/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, { code: "network", detail: "" });
  }
  if (!res.ok) throw new ApiError(res.status, await problemFrom(res));
  const data = await res.json();
  const session = saveSession(data.access_token);
  window.dispatchEvent(new CustomEvent("usher:session"));
  return session;
}

/**
 * Whether an answer says the API could not check the Bearer token right now (503: the identity
 * provider's signing keys could not be fetched), as opposed to any other dependency being down.
 */
export function keysUnavailable(err) {
  const p = err && err.problem ? err.problem : err || {};
  return p.code === "unavailable" && typeof p.detail === "string" && /bearer token could not be checked/i.test(p.detail);
}

/** A sentence for people: the translation of the code where there is one, else the detail. */
export function problemText(err) {
  const p = err && err.problem ? err.problem : err || {};
  const code = p.code || "internal";
  const key = `err.${code}`;
  if (code === "network") return t("err.network");
  if (keysUnavailable(err)) return t("err.keys_unavailable");
  if (code === "internal") return t("err.internal", { id: p.request_id || "—" });
  if (getLang() !== "en" && has(key)) return t(key);
  if (p.detail) return p.detail.charAt(0).toUpperCase() + p.detail.slice(1);
  if (has(key)) return t(key);
  return t("err.generic");
}

/** A field error's message in the person's words and language: its code's sentence, or (for a
 * code the pages do not know) the API's own text. */
export function fieldMessage(e) {
  const key = `field.${e.code}`;
  const message = has(key) ? t(key) : e.message || e.code;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** Field errors of an invalid_request, as [{field, code, message}] in the person's language. */
export function fieldErrors(err) {
  const p = err && err.problem ? err.problem : {};
  return (p.errors || []).map((e) => ({ field: e.field, code: e.code, message: fieldMessage(e) }));
}
