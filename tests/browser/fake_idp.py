"""A small OpenID Connect provider for the browser tests: the authorization code flow with PKCE
(S256 only), as a hosted sign-in page (Cognito's, or an external issuer's) does it.

Pure Python: http.server in a background thread on a free 127.0.0.1 port, an RSA key made at
start (RS256 ID tokens, published with its kid at /.well-known/jwks.json).

  GET  /.well-known/openid-configuration   the discovery document
  GET  /.well-known/jwks.json              the public key (RS256, kid)
  GET  /authorize                          checks client_id, redirect_uri (registered list),
                                           response_type=code, code_challenge_method=S256, and
                                           shows a page with an "Email" field, "Continue" and
                                           "Cancel"
  POST /authorize                          "Continue": 302 to redirect_uri?code=...&state=...
                                           "Cancel":   302 to redirect_uri?error=access_denied&...
  POST /token                              grant_type=authorization_code, client_id, code (one
                                           time), redirect_uri (the authorize one), code_verifier
                                           (base64url(sha256(verifier)) must be the challenge);
                                           {id_token, access_token, refresh_token, token_type,
                                           expires_in}, or 400 {"error": ...}; CORS open (*)
  GET  /logout                             records the call, 302 to a registered logout_uri

Everything the tests may want to check is recorded: `authorize_requests`, `token_calls` (each
with the code, whether it succeeded and why not), `exchanged` (codes exchanged), `logouts`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def s256(verifier: str) -> str:
    """The PKCE S256 code challenge of a verifier."""
    return b64url(hashlib.sha256(verifier.encode()).digest())


def jwt_parts(token: str) -> tuple[dict, dict]:
    """The header and claims of a JWT (not verified; see FakeIdP.verify)."""
    header, payload, _ = token.split(".")
    return json.loads(b64url_decode(header)), json.loads(b64url_decode(payload))


class FakeIdP:
    def __init__(self, client_id: str = "usher-web", redirect_uris=(), logout_uris=()):
        self.client_id = client_id
        self.redirect_uris: set[str] = set(redirect_uris)
        self.logout_uris: set[str] = set(logout_uris)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]
        self.lock = threading.Lock()
        self.codes: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_calls: list[dict] = []
        self.exchanged: set[str] = set()
        self.issued: dict[str, dict] = {}  # code -> the token answer
        self.logouts: list[dict] = []
        # a test sets it to have the next ID token carry another nonce (a replayed token)
        self.wrong_nonce_once = False
        # a test clears it to have the token endpoint answer without CORS headers (a provider
        # that does not allow the page's origin), or sets jwks_status to have the keys fail
        self.token_cors = True
        self.jwks_status = 200
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.issuer = self.base
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-idp", daemon=True)

    # ------------------------------------------------------------------ life
    def start(self) -> "FakeIdP":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def register(self, *redirect_uris: str) -> None:
        self.redirect_uris.update(redirect_uris)

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.base}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    # ------------------------------------------------------------------ tokens
    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()

        def uint(n: int) -> str:
            return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))

        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": self.kid, "n": uint(numbers.n), "e": uint(numbers.e)}]}

    @staticmethod
    def subject(email: str) -> str:
        """The stable subject of an address (the same person each time)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "fake-idp:" + email.strip().lower()))

    def sign(self, claims: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "kid": self.kid}
        signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(json.dumps(claims, separators=(",", ":")).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)

    def mint_id_token(self, email: str, name: str | None = None, nonce: str | None = None, ttl: int = 3600) -> str:
        """An ID token as /token answers it (the tests also use it as an API Bearer)."""
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": self.subject(email), "email": email,
            "email_verified": True, "token_use": "id", "auth_time": now, "iat": now, "exp": now + ttl,
        }
        if name:
            claims["name"] = name
        if nonce is not None:
            claims["nonce"] = nonce
        return self.sign(claims)

    def verify(self, token: str) -> dict:
        """Checks a token's RS256 signature with the published key; its claims."""
        head, payload, signature = token.split(".")
        self.key.public_key().verify(b64url_decode(signature), f"{head}.{payload}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return json.loads(b64url_decode(payload))

    # ------------------------------------------------------------------ the flow
    def check_authorize(self, params: dict) -> str | None:
        """Why an authorization request is refused (shown on the provider's page), or None."""
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("redirect_uri") not in self.redirect_uris:
            return "redirect_uri is not registered for this client"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if params.get("code_challenge_method") != "S256":
            return "code_challenge_method must be S256"
        if not re.fullmatch(r"[A-Za-z0-9_-]{43}", params.get("code_challenge", "")):
            return "code_challenge must be a base64url SHA-256"
        if not params.get("state"):
            return "state is required"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        return None

    def issue_code(self, params: dict, email: str) -> str:
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {
                "client_id": params["client_id"], "redirect_uri": params["redirect_uri"],
                "code_challenge": params["code_challenge"], "nonce": params.get("nonce"),
                "state": params.get("state"), "email": email, "issued_at": time.time(), "used": False,
            }
        return code

    def exchange(self, form: dict) -> tuple[int, dict]:
        """The token endpoint's decision: (status, JSON body). Records the call."""
        code = form.get("code", "")
        call = {"code": code, "ok": False, "error": None, "verifier_checked": False}
        with self.lock:
            self.token_calls.append(call)

            def fail(error: str, description: str) -> tuple[int, dict]:
                call["error"] = error
                call["description"] = description
                return 400, {"error": error, "error_description": description}

            if form.get("grant_type") != "authorization_code":
                return fail("unsupported_grant_type", "grant_type must be authorization_code")
            if form.get("client_id") != self.client_id:
                return fail("invalid_client", "unknown client_id")
            grant = self.codes.get(code)
            if grant is None or grant["used"] or time.time() - grant["issued_at"] > 300:
                return fail("invalid_grant", "unknown, used or expired code")
            if grant["client_id"] != form.get("client_id"):
                return fail("invalid_grant", "code issued to another client")
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return fail("invalid_grant", "redirect_uri differs from the authorization request's")
            verifier = form.get("code_verifier", "")
            call["verifier_checked"] = True
            if not VERIFIER.fullmatch(verifier) or s256(verifier) != grant["code_challenge"]:
                return fail("invalid_grant", "code_verifier does not match the code_challenge")
            grant["used"] = True
            self.exchanged.add(code)
            call["ok"] = True
            nonce = grant["nonce"]
            if self.wrong_nonce_once:
                self.wrong_nonce_once = False
                nonce = "replayed-" + secrets.token_urlsafe(16)
            answer = {
                "id_token": self.mint_id_token(grant["email"], nonce=nonce),
                "access_token": "at-" + secrets.token_urlsafe(24),
                "refresh_token": "rt-" + secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 3600,
            }
            self.issued[code] = answer
            return 200, answer

    def calls_for(self, code: str) -> list[dict]:
        with self.lock:
            return [c for c in self.token_calls if c["code"] == code]


def _page(title: str, body: str) -> bytes:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
 body {{ font: 16px system-ui, sans-serif; background: #eef1f5; margin: 0; }}
 main {{ max-width: 22rem; margin: 4rem auto; background: #fff; padding: 1.5rem; border-radius: 8px; box-shadow: 0 1px 4px #0002; }}
 label {{ display: block; font-weight: 600; margin-bottom: .3rem; }}
 input[type=email] {{ width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; }}
 .buttons {{ display: flex; gap: .5rem; margin-top: 1rem; }}
 button {{ font: inherit; padding: .5rem 1rem; }}
 :focus-visible {{ outline: 3px solid #4b44d6; outline-offset: 2px; }}
 .error {{ color: #a11; }}
</style></head>
<body><main><p><strong>Fake identity provider</strong></p>{body}</main></body></html>""".encode()


def _handler(idp: FakeIdP):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        # -------------------------------------------------------------- replies
        def send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def json(self, status: int, data: dict, cors: bool = False):
            headers = {"access-control-allow-origin": "*"} if cors else {}
            self.send(status, json.dumps(data).encode(), "application/json", headers)

        def html(self, status: int, title: str, body: str):
            self.send(status, _page(title, body), "text/html; charset=utf-8")

        def redirect(self, location: str):
            self.send(302, b"", "text/plain", {"location": location})

        def form(self) -> dict:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode()
            return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}

        def query(self) -> dict:
            return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

        # -------------------------------------------------------------- routes
        def do_OPTIONS(self):
            self.send(204, b"", "text/plain", {
                "access-control-allow-origin": "*",
                "access-control-allow-methods": "POST",
                "access-control-allow-headers": "content-type, accept",
                "access-control-max-age": "600",
            })

        def do_GET(self):
            path = urlsplit(self.path).path
            if path == "/favicon.ico":
                return self.send(204, b"", "image/x-icon")
            if path == "/.well-known/jwks.json":
                if idp.jwks_status != 200:
                    return self.json(idp.jwks_status, {"error": "not_found"})
                return self.json(200, idp.jwks(), cors=True)
            if path == "/.well-known/openid-configuration":
                return self.json(200, {
                    "issuer": idp.issuer, "authorization_endpoint": idp.authorization_endpoint,
                    "token_endpoint": idp.token_endpoint, "jwks_uri": idp.jwks_url,
                    "end_session_endpoint": f"{idp.base}/logout",
                    "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
                    "id_token_signing_alg_values_supported": ["RS256"], "subject_types_supported": ["public"],
                }, cors=True)
            if path == "/authorize":
                params = self.query()
                with idp.lock:
                    idp.authorize_requests.append(params)
                return self.authorize_page(params)
            if path == "/logout":
                params = self.query()
                with idp.lock:
                    idp.logouts.append(params)
                target = params.get("logout_uri", "")
                if params.get("client_id") == idp.client_id and target in idp.logout_uris:
                    return self.redirect(target)
                return self.html(200, "Signed out", "<h1>You are signed out</h1>")
            return self.json(404, {"error": "not_found"})

        def authorize_page(self, params: dict, message: str = ""):
            problem = idp.check_authorize(params)
            if problem:
                # like a real provider: a bad client or redirect_uri is never redirected to
                return self.html(400, "Sign-in error", f'<h1>Sign-in error</h1><p class="error" role="alert">{html.escape(problem)}</p>')
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in params.items() if k != "email"
            )
            error = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
            self.html(200, "Sign in", f"""<h1>Sign in</h1>{error}
<form method="post" action="/authorize">{hidden}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" autofocus>
<div class="buttons"><button type="submit" name="action" value="continue">Continue</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></div>
</form>""")

        def do_POST(self):
            path = urlsplit(self.path).path
            if path == "/authorize":
                params = self.form()
                action = params.pop("action", "continue")
                email = params.pop("email", "").strip()
                problem = idp.check_authorize(params)
                if problem:
                    return self.authorize_page(params)
                sep = "&" if urlsplit(params["redirect_uri"]).query else "?"
                if action == "cancel":
                    answer = {"error": "access_denied", "error_description": "The user cancelled the sign-in", "state": params["state"]}
                    return self.redirect(params["redirect_uri"] + sep + urlencode(answer))
                if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
                    return self.authorize_page(params, "Enter your email address.")
                code = idp.issue_code(params, email)
                return self.redirect(params["redirect_uri"] + sep + urlencode({"code": code, "state": params["state"]}))
            if path == "/token":
                if not (self.headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
                    self.form()
                    return self.json(400, {"error": "invalid_request", "error_description": "form body expected"}, cors=True)
                status, body = idp.exchange(self.form())
                return self.json(status, body, cors=idp.token_cors)
            return self.json(404, {"error": "not_found"})

    return Handler
