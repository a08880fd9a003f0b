"""The identity provider's sign-in (OIDC authorization code flow with PKCE, S256) in the real
browser, against the fake provider of fake_idp.py and an `usher serve` started with --oidc-*
(the usher_oidc fixture): the console and the invitee's page go to the provider and come back
signed in; a forged state, the provider's refusal and a wrong code_verifier are refused. Also
what the pages do when /config.json says sign-in is not set up, or is missing (an older
server)."""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request

from playwright.sync_api import Page, expect

import time

from conftest import OIDC_CLIENT_ID, _serve, free_port, shot, sign_in, unique_email
from fake_idp import jwt_parts, s256


def query(url: str) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True))


def to_provider(page: Page, idp, button: str = "Sign in") -> dict:
    """Clicks the page's sign-in button; the authorization request the provider received."""
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(f"{idp.authorization_endpoint}?**")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    return query(page.url)


def storage(page: Page) -> dict:
    """What the page keeps: sessionStorage, localStorage and cookies."""
    return page.evaluate("""() => ({
        session: Object.fromEntries(Object.keys(sessionStorage).map((k) => [k, sessionStorage.getItem(k)])),
        local: Object.fromEntries(Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)])),
        cookie: document.cookie,
    })""")


def assert_authorization_request(params: dict, redirect_uri: str) -> None:
    assert params["response_type"] == "code"
    assert params["client_id"] == OIDC_CLIENT_ID
    assert params["redirect_uri"] == redirect_uri
    assert params["scope"] == "openid email profile"
    assert params["code_challenge_method"] == "S256"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", params["code_challenge"]), params["code_challenge"]
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32 and params["state"] != params["nonce"]
    assert "code_verifier" not in params


def test_the_console_signs_in_through_the_identity_provider_with_pkce_and_lands_back_signed_in(usher_oidc, fake_idp, oidc_tenant, page):
    page.goto(usher_oidc.base + "/")
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    # the provider's sign-in: one button, no email field on our side
    expect(page.get_by_label("Email", exact=True)).to_have_count(0)
    assert usher_oidc.call("POST", "/dev/sign-in", body={"email": oidc_tenant.owner_email})[0] == 404

    calls_before = len(fake_idp.token_calls)
    params = to_provider(page, fake_idp)
    assert_authorization_request(params, usher_oidc.base + "/")

    sign_in(page, oidc_tenant.owner_email, button="Continue")
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.locator(".who")).to_have_text(oidc_tenant.owner_email)
    # no code or state left in the address bar (nor in the history entry)
    expect(page).to_have_url(usher_oidc.base + "/")
    assert "code=" not in page.evaluate("location.href")
    shot(page, "oidc-signed-in")

    # one exchange, with the verifier checked against the challenge the browser sent
    calls = fake_idp.token_calls[calls_before:]
    assert len(calls) == 1 and calls[0]["ok"] and calls[0]["verifier_checked"], calls
    code = calls[0]["code"]
    assert fake_idp.codes[code]["code_challenge"] == params["code_challenge"]
    answer = fake_idp.issued[code]

    kept = storage(page)
    assert kept["cookie"] == ""
    assert not any("eyJ" in v or "token" in k.lower() for k, v in kept["local"].items()), kept["local"]
    session = json.loads(kept["session"]["usher.session"])
    assert set(session) == {"token", "email", "name", "exp"}
    # the ID token (aud = the client id) is the session; the access and refresh tokens are not kept
    assert session["token"] == answer["id_token"] and session["email"] == oidc_tenant.owner_email
    header, claims = jwt_parts(session["token"])
    assert header["kid"] == fake_idp.kid and claims["aud"] == OIDC_CLIENT_ID and claims["nonce"] == params["nonce"]
    everything = json.dumps(kept)
    assert answer["access_token"] not in everything and answer["refresh_token"] not in everything
    # the verifier, state and nonce served once and are gone
    assert "usher.oidc" not in kept["session"]

    # a reload keeps the session (this tab's sessionStorage)
    page.reload()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")


def test_an_invitee_who_opens_the_link_signed_out_signs_in_at_the_provider_and_comes_back_to_the_same_invitation(usher_oidc, fake_idp, oidc_tenant, page):
    ada = unique_email("ada")
    oidc_tenant.invite(ada, "admin")
    link = usher_oidc.wait_for_link(ada)
    invitation_token = link.split("#token=")[1]

    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(page).to_have_url(usher_oidc.base + "/accept")
    expect(page.get_by_label("Email", exact=True)).to_have_count(0)

    params = to_provider(page, fake_idp)
    assert_authorization_request(params, usher_oidc.base + "/accept")
    sign_in(page, ada, button="Continue")

    # back on the same invitation, signed in, with nothing in the URL
    expect(page.get_by_text(f"Signed in as {ada}.")).to_be_visible()
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(page).to_have_url(usher_oidc.base + "/accept")
    # the invitation token waited in this tab's sessionStorage through the round trip
    assert storage(page)["session"].get("usher.invite") == invitation_token

    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    member = next(m for m in oidc_tenant.members() if m["email"] == ada)
    assert member["role"] == "admin"


def test_a_member_confirms_an_email_change_after_signing_in_at_the_provider(usher_oidc, fake_idp, oidc_tenant, page):
    gus = unique_email("gus")
    member = oidc_tenant.add_member(gus)
    new = unique_email("gus-new")
    usher_oidc.ok("PATCH", oidc_tenant.path(f"/members/{member['user_id']}"), oidc_tenant.owner_token, {"email": new})
    page.goto(usher_oidc.wait_for_link(new, kind="email_token"))
    expect(page.get_by_role("heading", name="Confirm your new email address")).to_be_visible()

    params = to_provider(page, fake_idp)
    assert_authorization_request(params, usher_oidc.base + "/confirm-email")
    sign_in(page, gus, button="Continue")
    expect(page).to_have_url(usher_oidc.base + "/confirm-email")
    page.get_by_role("button", name="Confirm new address").click()
    expect(page.get_by_role("heading", name="Address confirmed")).to_be_visible()
    assert any(m["email"] == new for m in oidc_tenant.members())


def test_a_callback_whose_state_does_not_match_is_refused_and_no_token_exchange_happens(usher_oidc, fake_idp, oidc_tenant, page):
    page.goto(usher_oidc.base + "/")
    params = to_provider(page, fake_idp)
    # a real code for this very request, handed back with another state (a forged or stale answer)
    code = fake_idp.issue_code(params, oidc_tenant.owner_email)
    page.goto(usher_oidc.base + "/?" + urllib.parse.urlencode({"code": code, "state": "forged-" + secrets.token_urlsafe(16)}))

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("This sign-in was refused: it does not match the one started in this tab")
    expect(page).to_have_url(usher_oidc.base + "/")
    expect(page.get_by_role("button", name="Try again", exact=True)).to_be_visible()
    kept = storage(page)
    assert "usher.session" not in kept["session"] and "usher.oidc" not in kept["session"]
    assert fake_idp.calls_for(code) == [], "the code was sent to the token endpoint"
    assert code not in fake_idp.exchanged


def test_an_id_token_with_another_nonce_is_not_used(usher_oidc, fake_idp, oidc_tenant, page):
    page.goto(usher_oidc.base + "/")
    to_provider(page, fake_idp)
    fake_idp.wrong_nonce_once = True
    sign_in(page, oidc_tenant.owner_email, button="Continue")
    expect(page.get_by_role("alert")).to_have_text("The identity provider's answer could not be checked, so it was not used. Please sign in again.")
    expect(page.get_by_role("button", name="Try again", exact=True)).to_be_visible()
    expect(page).to_have_url(usher_oidc.base + "/")
    kept = storage(page)
    assert "usher.session" not in kept["session"] and "usher.oidc" not in kept["session"]


def test_the_providers_refusal_shows_a_translated_message_and_a_way_to_try_again(usher_oidc, fake_idp, new_context):
    page = new_context("fr-FR").new_page()
    page.goto(usher_oidc.base + "/")
    calls_before = len(fake_idp.token_calls)
    params = to_provider(page, fake_idp, button="Se connecter")
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("alert")).to_have_text(
        "La connexion a été annulée : le fournisseur d'identité ne vous a pas connecté. Vous pouvez réessayer.")
    expect(page).to_have_url(usher_oidc.base + "/")
    assert "usher.session" not in storage(page)["session"]
    assert len(fake_idp.token_calls) == calls_before
    shot(page, "oidc-cancelled")

    # "Réessayer", from the keyboard: a new authorization request (new state, verifier, nonce)
    retry = page.get_by_role("button", name="Réessayer", exact=True)
    retry.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{fake_idp.authorization_endpoint}?**")
    again = query(page.url)
    assert_authorization_request(again, usher_oidc.base + "/")
    assert again["state"] != params["state"] and again["code_challenge"] != params["code_challenge"]


def test_the_token_endpoint_refuses_a_wrong_code_verifier(fake_idp):
    """Proves the fake provider checks PKCE (so the browser tests above prove the pages send the
    right verifier): a wrong verifier is refused, the right one works once."""
    redirect_uri = "http://127.0.0.1:9/callback"
    fake_idp.register(redirect_uri)
    verifier = secrets.token_urlsafe(32)
    authorize = {
        "response_type": "code", "client_id": OIDC_CLIENT_ID, "redirect_uri": redirect_uri,
        "scope": "openid email", "state": "s-" + secrets.token_urlsafe(8), "nonce": "n-" + secrets.token_urlsafe(8),
        "code_challenge": s256(verifier), "code_challenge_method": "S256",
    }

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def post(path: str, form: dict) -> tuple[int, dict, object]:
        req = urllib.request.Request(fake_idp.base + path, data=urllib.parse.urlencode(form).encode(),
                                     headers={"content-type": "application/x-www-form-urlencoded"})
        try:
            with opener.open(req, timeout=10) as r:
                body = r.read()
                return r.status, (json.loads(body) if body else {}), r.headers
        except urllib.error.HTTPError as e:
            body = e.read()
            return e.code, (json.loads(body) if body and e.headers.get_content_type() == "application/json" else {}), e.headers

    # the provider's page, then "Continue": a code for redirect_uri
    with urllib.request.urlopen(fake_idp.authorization_endpoint + "?" + urllib.parse.urlencode(authorize), timeout=10) as r:
        assert r.status == 200 and b'<label for="email">Email</label>' in r.read()
    status, _, headers = post("/authorize", {**authorize, "email": "pk@example.com", "action": "continue"})
    assert status == 302
    back = query(headers["location"])
    assert back["state"] == authorize["state"]
    code = back["code"]

    token = {"grant_type": "authorization_code", "client_id": OIDC_CLIENT_ID, "code": code, "redirect_uri": redirect_uri}
    status, body, headers = post("/token", {**token, "code_verifier": secrets.token_urlsafe(32)})
    assert (status, body["error"]) == (400, "invalid_grant")
    assert headers["access-control-allow-origin"] == "*"
    assert fake_idp.calls_for(code)[-1]["verifier_checked"] and not fake_idp.calls_for(code)[-1]["ok"]
    status, body, _ = post("/token", {**token, "code_verifier": verifier, "redirect_uri": redirect_uri + "/other"})
    assert (status, body["error"]) == (400, "invalid_grant")

    status, body, _ = post("/token", {**token, "code_verifier": verifier})
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] == 3600
    claims = fake_idp.verify(body["id_token"])
    assert claims["iss"] == fake_idp.issuer and claims["aud"] == OIDC_CLIENT_ID and claims["email"] == "pk@example.com"
    assert claims["email_verified"] is True and claims["nonce"] == authorize["nonce"] and claims["exp"] - claims["iat"] == 3600
    assert claims["sub"] == fake_idp.subject("PK@example.com")
    assert code in fake_idp.exchanged
    # one time only
    status, body, _ = post("/token", {**token, "code_verifier": verifier})
    assert (status, body["error"]) == (400, "invalid_grant")

    # the authorization endpoint refuses the plain method and unregistered callbacks
    for bad in ({"code_challenge_method": "plain"}, {"redirect_uri": "http://127.0.0.1:9/elsewhere"}, {"client_id": "someone-else"}):
        try:
            urllib.request.urlopen(fake_idp.authorization_endpoint + "?" + urllib.parse.urlencode({**authorize, **bad}), timeout=10)
            raise AssertionError(f"accepted {bad}")
        except urllib.error.HTTPError as e:
            assert e.code == 400

    jwks = json.loads(urllib.request.urlopen(fake_idp.jwks_url, timeout=10).read())
    assert jwks["keys"][0]["kid"] == fake_idp.kid and jwks["keys"][0]["alg"] == "RS256"


def test_sign_out_ends_the_providers_session_too_through_the_logout_url(usher_oidc, fake_idp, oidc_tenant, page):
    page.goto(usher_oidc.base + "/")
    to_provider(page, fake_idp)
    sign_in(page, oidc_tenant.owner_email, button="Continue")
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")

    logouts = len(fake_idp.logouts)
    id_token = json.loads(storage(page)["session"]["usher.session"])["token"]
    page.get_by_role("button", name="Sign out").click()
    # the provider's logout answered with a redirect to the console, signed out
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    expect(page).to_have_url(usher_oidc.base + "/")
    assert len(fake_idp.logouts) == logouts + 1 and fake_idp.logouts[-1]["client_id"] == OIDC_CLIENT_ID
    # RP-initiated logout: the provider is told which session ends (its logout_uri stays as given)
    assert fake_idp.logouts[-1].get("id_token_hint") == id_token
    assert "post_logout_redirect_uri" not in fake_idp.logouts[-1]
    assert "usher.session" not in storage(page)["session"]


def test_signing_in_with_another_account_from_the_mismatch_page_asks_the_provider_for_a_new_login(usher_oidc, fake_idp, oidc_tenant, page):
    bob = unique_email("bob")
    oidc_tenant.invite(bob)
    page.goto(usher_oidc.base + "/")
    to_provider(page, fake_idp)
    eve = unique_email("eve")
    sign_in(page, eve, button="Continue")
    expect(page.locator(".who")).to_have_text(eve)

    page.goto(usher_oidc.wait_for_link(bob))
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="This invitation is for another address")).to_be_visible()
    page.get_by_role("button", name="Sign in with another account").click()
    params = to_provider(page, fake_idp)
    assert params["prompt"] == "login"
    sign_in(page, bob, button="Continue")
    expect(page.get_by_text(f"Signed in as {bob}.")).to_be_visible()
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()


def test_a_deployment_whose_sign_in_is_not_set_up_says_so_and_the_invitation_still_shows(usher, tenant, page):
    page.route("**/config.json", lambda route: route.fulfill(status=200, content_type="application/json",
                                                             body=json.dumps({"sign_in": {"kind": "unconfigured"}})))
    cy = unique_email("cy")
    tenant.invite(cy)
    page.goto(usher.wait_for_link(cy))
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(page.get_by_text("Sign-in is not set up for this deployment.")).to_be_visible()
    expect(page.get_by_text("PublicUrl")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)
    expect(page.get_by_label("Email", exact=True)).to_have_count(0)

    page.goto(usher.base + "/")
    expect(page.get_by_text("Sign-in is not set up for this deployment.")).to_be_visible()
    page.get_by_label("Language").select_option("de")
    expect(page.get_by_text("Die Anmeldung ist für diese Bereitstellung nicht eingerichtet.")).to_be_visible()


def test_a_server_without_config_json_keeps_the_development_sign_in(usher, tenant, page):
    page.route("**/config.json", lambda route: route.fulfill(status=404, content_type="application/problem+json",
                                                             body=json.dumps({"code": "not_found"})))
    page.goto(usher.base + "/")
    sign_in(page, tenant.owner_email)
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")


def test_when_the_provider_refuses_the_pages_origin_at_its_token_endpoint_the_page_says_so_and_what_to_check(usher_oidc, fake_idp, oidc_tenant, page):
    page.goto(usher_oidc.base + "/")
    to_provider(page, fake_idp)
    fake_idp.token_cors = False  # the exchange answers, without Access-Control-Allow-Origin
    try:
        sign_in(page, oidc_tenant.owner_email, button="Continue")
        problem = page.get_by_text(re.compile(r"refused this page's origin"))
        expect(problem).to_contain_text(f"({usher_oidc.base})")
        expect(problem).to_contain_text(f"web origin (CORS) of client {OIDC_CLIENT_ID}")
        expect(page.get_by_text("could not be reached")).to_have_count(0)
        assert "usher.session" not in storage(page)["session"]
    finally:
        fake_idp.token_cors = True


def test_when_the_providers_keys_cannot_be_fetched_the_console_says_so_and_try_again_works_once_they_can(fake_idp, new_context):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    fake_idp.register(f"{base}/", f"{base}/accept", f"{base}/confirm-email")
    fake_idp.jwks_status = 404
    try:
        # only the issuer and the client id: the rest from the fake's discovery document
        with _serve("--oidc-issuer", fake_idp.issuer, "--oidc-client-id", OIDC_CLIENT_ID, port=port) as server:
            owner = unique_email("owner")
            server.create_tenant("Acme", owner)
            page = new_context().new_page()
            page.goto(base + "/")
            to_provider(page, fake_idp)
            sign_in(page, owner, button="Continue")
            expect(page.get_by_role("alert")).to_contain_text("the identity provider's signing keys could not be fetched")
            retry = page.get_by_role("button", name="Try again")
            expect(retry).to_be_visible()

            fake_idp.jwks_status = 200
            time.sleep(5.5)  # the verifier asks again for a key set it never had after 5 s
            retry.click()
            expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")
    finally:
        fake_idp.jwks_status = 200
