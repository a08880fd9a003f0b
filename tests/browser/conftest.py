"""Fixtures for the browser tests: one `usher serve` per session (free 127.0.0.1 port, fresh
temporary data dir, stopped by PID at the end), a tenant per test made with the CLI, and
Debian's Chromium driven by Playwright. For the OIDC sign-in (test_oidc.py): a fake identity
provider (fake_idp.py) and a second `usher serve` per module that signs people in there.

Environment:
  USHER_BIN      the usher binary (default: target/debug/usher)
  USHER_WEB_DIR  serve the web client from this folder (adds --web-dir; for editing web/
                 without rebuilding). Unset: the copy built into the binary.
  CHROMIUM       the browser (default: /usr/bin/chromium)
  HEADED=1       show the browser

axe-core (pinned, from the npm registry with `npm pack`, checked against its integrity hash) is
fetched once into tests/browser/.axe/ (ignored by git) for the accessibility checks.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import glob
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from fake_idp import FakeIdP

ROOT = Path(__file__).resolve().parents[2]
USHER_BIN = os.environ.get("USHER_BIN") or str(ROOT / "target" / "debug" / "usher")
WEB_DIR = os.environ.get("USHER_WEB_DIR")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent / "screenshots"
OIDC_CLIENT_ID = "usher-web"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}
AXE_VERSION = "4.14.1"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
AXE_DIR = Path(__file__).resolve().parent / ".axe"
# panva's oidc-provider (npm, pinned exactly in oidc_provider/package.json), installed by
# `oidc_provider_installed` into oidc_provider/node_modules/ (ignored by git).
OIDC_PROVIDER_VERSION = "9.13.3"
OIDC_PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"

expect.set_options(timeout=10_000)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Usher:
    """A running `usher serve`, with helpers to drive and inspect it from the test."""

    def __init__(self, data_dir: Path, port: int, proc: subprocess.Popen, mint=None):
        self.data_dir = data_dir
        self.mint = mint  # (email, name) -> an identity provider's ID token, in OIDC mode
        self.port = port
        self.proc = proc
        self.base = f"http://127.0.0.1:{port}"
        self.outbox = data_dir / "outbox"

    # -------------------------------------------------------------- the CLI
    def cli(self, *args: str) -> str:
        out = subprocess.run([USHER_BIN, *args, "--data-dir", str(self.data_dir)], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"usher {' '.join(args)} failed ({out.returncode}): {out.stderr[-2000:]}")
        return out.stdout

    def create_tenant(self, name: str, owner_email: str, seats: int = 10) -> dict:
        return json.loads(self.cli("tenant", "create", "--name", name, "--owner-email", owner_email, "--seats", str(seats)))

    def expire(self, now: datetime) -> dict:
        return json.loads(self.cli("expire", "--now", now.strftime("%Y-%m-%dT%H:%M:%SZ")))

    # -------------------------------------------------------------- HTTP
    def call(self, method: str, path: str, token: str | None = None, body=None) -> tuple[int, object]:
        headers = {"accept": "application/json"}
        data = None
        if token:
            headers["authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        req = urllib.request.Request(self.base + path, method=method, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None)

    def ok(self, method: str, path: str, token: str | None = None, body=None):
        status, data = self.call(method, path, token, body)
        assert 200 <= status < 300, f"{method} {path} -> {status}: {data}"
        return data

    def sign_in(self, email: str, name: str | None = None) -> str:
        """A Bearer token for email: the development sign-in, or in OIDC mode a provider's ID token."""
        if self.mint:
            return self.mint(email, name)
        body = {"email": email}
        if name:
            body["name"] = name
        return self.ok("POST", "/dev/sign-in", body=body)["access_token"]

    # -------------------------------------------------------------- the outbox
    def emails_to(self, address: str) -> list[str]:
        mails = []
        for path in sorted(glob.glob(str(self.outbox / "*.eml"))):
            text = Path(path).read_text(errors="replace")
            if re.search(rf"^To: {re.escape(address)}\s*$", text, re.M | re.I):
                mails.append(text)
        return mails

    def wait_for_link(self, address: str, kind: str = "token", count: int = 1, timeout: float = 15) -> str:
        """The link of the count-th email to address that carries #kind=...; waits for it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            links = []
            for mail in self.emails_to(address):
                m = re.search(rf"(http://\S+#{kind}=[A-Za-z0-9_-]{{43}})", mail)
                if m:
                    links.append(m.group(1))
            if len(links) >= count:
                return links[count - 1]
            time.sleep(0.1)
        raise AssertionError(f"no email #{count} with a {kind} link to {address} in {self.outbox}")


@contextlib.contextmanager
def _serve(*extra: str, port: int | None = None, mint=None):
    """Runs `usher serve` (a free 127.0.0.1 port unless given, a fresh temporary data dir, extra
    arguments) until the block ends; stopped by PID."""
    assert Path(USHER_BIN).exists(), f"no usher binary at {USHER_BIN} (build it, or set USHER_BIN)"
    work = Path(tempfile.mkdtemp(prefix="usher-browser-"))
    data = work / "data"
    port = port or free_port()
    args = [USHER_BIN, "serve", "--port", str(port), "--data-dir", str(data),
            # every request comes from 127.0.0.1: the public routes' budgets have their own tests
            "--rate-limit-per-minute", "100000", "--token-rate-limit-per-minute", "100000", *extra]
    if WEB_DIR:
        args += ["--web-dir", WEB_DIR]
    log = open(work / "server.log", "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "USHER_LOG": os.environ.get("USHER_LOG", "warn")})
    server = Usher(data, port, proc, mint=mint)
    try:
        deadline = time.time() + 30
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"usher serve exited with {proc.returncode}: {(work / 'server.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(server.base + "/v1/me/tenants", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # 401: it answers
            except Exception:
                if time.time() > deadline:
                    raise AssertionError("usher serve did not start within 30 s")
                time.sleep(0.1)
        yield server
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def usher():
    """`usher serve` with the development sign-in (POST /dev/sign-in)."""
    with _serve() as server:
        yield server


@pytest.fixture(scope="module")
def fake_idp():
    """The fake OIDC provider (fake_idp.py) on a free 127.0.0.1 port, client id usher-web."""
    with FakeIdP(client_id=OIDC_CLIENT_ID) as idp:
        yield idp


@pytest.fixture(scope="module")
def usher_oidc(fake_idp):
    """`usher serve` signing people in at fake_idp (OIDC code flow with PKCE): /config.json says
    "oidc", /dev/sign-in answers 404, the API takes the provider's ID tokens. The Usher's
    sign_in mints those tokens directly (for the API calls the tests make themselves)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fake_idp.register(f"{base}/", f"{base}/accept", f"{base}/confirm-email")
    fake_idp.logout_uris.add(f"{base}/")
    logout = f"{fake_idp.base}/logout?" + urllib.parse.urlencode({"client_id": OIDC_CLIENT_ID, "logout_uri": f"{base}/"})
    with _serve("--oidc-issuer", fake_idp.issuer, "--oidc-client-id", OIDC_CLIENT_ID,
                "--oidc-authorization-endpoint", fake_idp.authorization_endpoint,
                "--oidc-token-endpoint", fake_idp.token_endpoint, "--oidc-jwks-url", fake_idp.jwks_url,
                "--oidc-logout-url", logout, port=port,
                mint=lambda email, name=None: fake_idp.mint_id_token(email, name)) as server:
        yield server


def oidc_provider_installed() -> Path:
    """oidc-provider at OIDC_PROVIDER_VERSION in OIDC_PROVIDER_DIR/node_modules (`npm install` of
    the folder's package.json once, scripts off); returns the server script."""
    pkg = OIDC_PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not pkg.exists() or json.loads(pkg.read_text())["version"] != OIDC_PROVIDER_VERSION:
        out = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=OIDC_PROVIDER_DIR,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"npm install oidc-provider@{OIDC_PROVIDER_VERSION} failed: {out.stderr[-2000:]}"
    installed = json.loads(pkg.read_text())["version"]
    assert installed == OIDC_PROVIDER_VERSION, f"oidc-provider {installed} installed, {OIDC_PROVIDER_VERSION} pinned"
    return OIDC_PROVIDER_DIR / "server.mjs"


class OidcProvider:
    """panva's oidc-provider (oidc_provider/server.mjs) on a free 127.0.0.1 port, with its
    defaults: discovery, ID tokens with only `sub`, userinfo, the development login page."""

    def __init__(self, client_id: str, redirect_uris: list[str], post_logout_uris: list[str]):
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.client_id = client_id
        self.redirect_uris = redirect_uris
        self.post_logout_uris = post_logout_uris
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "OidcProvider":
        script = oidc_provider_installed()
        self.log = tempfile.NamedTemporaryFile(prefix="oidc-provider-", suffix=".log", delete=False)
        env = {**os.environ, "OIDC_PORT": str(self.port), "OIDC_CLIENT_ID": self.client_id,
               "OIDC_REDIRECT_URIS": ",".join(self.redirect_uris),
               "OIDC_POST_LOGOUT_REDIRECT_URIS": ",".join(self.post_logout_uris)}
        self.proc = subprocess.Popen(["node", str(script)], cwd=OIDC_PROVIDER_DIR, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"oidc-provider exited with {self.proc.returncode}: {Path(self.log.name).read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.issuer + "/.well-known/openid-configuration", timeout=1)
                return self
            except Exception:
                if time.time() > deadline:
                    raise AssertionError("oidc-provider did not start within 30 s")
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


@pytest.fixture(scope="module")
def oidc_provider_usher():
    """oidc-provider with its defaults and a second `usher serve` given only --oidc-issuer and
    --oidc-client-id (everything else from discovery; the email of ID tokens that carry only
    `sub` comes from userinfo). Yields (provider, usher)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with OidcProvider(OIDC_CLIENT_ID, [f"{base}/", f"{base}/accept", f"{base}/confirm-email"], [f"{base}/"]) as op:
        with _serve("--oidc-issuer", op.issuer, "--oidc-client-id", OIDC_CLIENT_ID, port=port) as server:
            yield op, server


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"no browser at {CHROMIUM} (apt-get install chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=not os.environ.get("HEADED"), args=["--no-sandbox"])
        yield b
        b.close()


def _context(browser: Browser, locale: str = "en-US") -> BrowserContext:
    ctx = browser.new_context(locale=locale, viewport=DESKTOP, accept_downloads=True)
    errors: list[str] = []
    ctx.on("weberror", lambda e: errors.append(str(e.error)))

    def on_console(msg):
        # a Content-Security-Policy refusal (an inline script or style) is a bug of the page
        if msg.type == "error" and ("Content Security Policy" in msg.text or "Refused to" in msg.text):
            errors.append(msg.text)

    ctx.on("console", on_console)
    ctx.js_errors = errors  # type: ignore[attr-defined]
    return ctx


@pytest.fixture
def new_context(browser):
    """Makes browser contexts (a person each); closes them and checks no script error happened."""
    made: list[BrowserContext] = []

    def make(locale: str = "en-US") -> BrowserContext:
        ctx = _context(browser, locale)
        made.append(ctx)
        return ctx

    yield make
    errors = [e for c in made for e in c.js_errors]  # type: ignore[attr-defined]
    for c in made:
        c.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


class Tenant:
    def __init__(self, usher: Usher, data: dict, owner_email: str):
        self.usher = usher
        self.id = data["id"]
        self.name = data["name"]
        self.owner_email = owner_email
        self.owner_token = usher.sign_in(owner_email, "Olivia Owner")

    def path(self, rest: str = "") -> str:
        return f"/v1/tenants/{self.id}{rest}"

    def invite(self, email: str, role: str = "member", **extra) -> dict:
        return self.usher.ok("POST", self.path("/invitations"), self.owner_token, {"email": email, "role": role, **extra})

    def invitations(self, **query) -> list[dict]:
        q = "&".join(f"{k}={v}" for k, v in query.items())
        return self.usher.ok("GET", self.path(f"/invitations?limit=100&{q}"), self.owner_token)["data"]

    def members(self) -> list[dict]:
        return self.usher.ok("GET", self.path("/members?limit=100"), self.owner_token)["data"]

    def add_member(self, email: str, role: str = "member", **extra) -> dict:
        """Invites email and accepts as them (through the API): a member to act on."""
        self.invite(email, role, **extra)
        link = self.usher.wait_for_link(email)
        token = link.split("#token=")[1]
        jwt = self.usher.sign_in(email)
        return self.usher.ok("POST", "/v1/invitations/accept", jwt, {"token": token})["member"]


@pytest.fixture
def tenant(usher) -> Tenant:
    tag = uuid.uuid4().hex[:8]
    owner = f"owner-{tag}@example.com"
    return Tenant(usher, usher.create_tenant("Acme", owner, seats=20), owner)


@pytest.fixture
def oidc_tenant(usher_oidc) -> Tenant:
    """A tenant on the OIDC-mode server (its owner's API token is a provider's ID token)."""
    tag = uuid.uuid4().hex[:8]
    owner = f"owner-{tag}@example.com"
    return Tenant(usher_oidc, usher_oidc.create_tenant("Acme", owner, seats=20), owner)


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # a sticky top bar otherwise lands mid-page
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, email: str, name: str | None = None, button: str = "Sign in", label: str = "Email") -> None:
    page.get_by_label(label, exact=True).fill(email)
    if name:
        page.get_by_label(re.compile("name", re.I)).first.fill(name)
    page.get_by_role("button", name=button, exact=True).click()


def read_csv_download(download) -> list[dict]:
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def later(days: int) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=days)


def row_action(page: Page, row, name: str) -> None:
    """Opens a people row's actions menu (⋯) and chooses an item."""
    row.get_by_role("button", name=re.compile(r"^Actions for ")).click()
    page.get_by_role("menuitem", name=name, exact=True).click()


def axe_source() -> str:
    """axe-core's axe.min.js at AXE_VERSION: `npm pack` once into AXE_DIR, the tarball checked
    against AXE_INTEGRITY (the registry's sha512) before anything is taken out of it."""
    js = AXE_DIR / f"axe-core-{AXE_VERSION}.min.js"
    if not js.exists():
        AXE_DIR.mkdir(exist_ok=True)
        (AXE_DIR / ".gitignore").write_text("*\n")
        out = subprocess.run(["npm", "pack", f"axe-core@{AXE_VERSION}", "--json", "--pack-destination", str(AXE_DIR)],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, f"npm pack axe-core@{AXE_VERSION} failed: {out.stderr[-2000:]}"
        tgz = AXE_DIR / json.loads(out.stdout)[0]["filename"]
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
        assert digest == AXE_INTEGRITY, f"{tgz.name}: {digest}, expected {AXE_INTEGRITY}"
        with tarfile.open(tgz) as tar:
            js.write_bytes(tar.extractfile("package/axe.min.js").read())
        tgz.unlink()
    return js.read_text()


def axe_violations(page: Page) -> list[str]:
    """Runs axe-core (every rule) on the page as it is; one line per violation and element."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())  # through the DevTools protocol: the page's CSP does not apply
    found = page.evaluate("""() => axe.run(document).then((r) => r.violations.flatMap((v) =>
        v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')}`)))""")
    return found


SIDEWAYS = """() => {
  // the page, and any box that scrolls sideways (a table in its card), wider than it shows
  const wide = [...document.querySelectorAll('body *')].filter((el) => {
    const x = getComputedStyle(el).overflowX;
    return (x === 'auto' || x === 'scroll') && el.scrollWidth > el.clientWidth + 1;
  }).map((el) => el.outerHTML.slice(0, 80));
  if (document.documentElement.scrollWidth > innerWidth) wide.unshift(`the page: ${document.documentElement.scrollWidth}px`);
  return wide;
}"""


def sideways_scrolling(page: Page) -> list[str]:
    """What scrolls sideways on the page (nothing should, at any width)."""
    return page.evaluate(SIDEWAYS)
