"""The OIDC sign-in against a provider no one here wrote: panva's oidc-provider (npm, pinned) with
its defaults (conftest.py's `oidc_provider_usher`): discovery, ID tokens that carry only `sub`,
the email from userinfo, the development login and consent pages. The Usher under test is
started with nothing but --oidc-issuer and --oidc-client-id."""

from __future__ import annotations

import json
import urllib.parse
import uuid

from playwright.sync_api import Page, expect

from conftest import OIDC_CLIENT_ID, unique_email
from fake_idp import jwt_parts


def name_of(email: str) -> str:
    """The name oidc_provider/server.mjs gives an account ("owner-1a2b@x" -> "Owner 1a2b")."""
    return " ".join(w[:1].upper() + w[1:] for w in email.split("@")[0].replace(".", "-").replace("_", "-").split("-") if w)


def provider_sign_in(page: Page, op, email: str) -> None:
    """Clicks "Sign in", logs in at oidc-provider's development login (any password) and
    consents; waits to be back at the Usher under test."""
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(f"{op.issuer}/**")
    page.get_by_placeholder("Enter any login").fill(email)
    page.get_by_placeholder("and password").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the consent page
    page.wait_for_url(lambda url: not url.startswith(op.issuer))


def session(page: Page) -> dict:
    return json.loads(page.evaluate("sessionStorage.getItem('usher.session')") or "null")


def new_tenant(server) -> tuple[dict, str]:
    owner = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    return server.create_tenant("Acme", owner, seats=20), owner


def test_the_owner_signs_in_at_oidc_provider_and_sees_their_tenant_with_the_email_from_userinfo(oidc_provider_usher, page):
    op, server = oidc_provider_usher
    tenant, owner = new_tenant(server)
    page.goto(server.base + "/")
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    provider_sign_in(page, op, owner)

    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.locator(".who")).to_contain_text(owner)
    kept = session(page)
    _, claims = jwt_parts(kept["token"])
    # the provider's defaults: the ID token names only the subject; the email came through
    # userinfo, asked by the server
    assert "email" not in claims and claims["sub"] and claims["iss"] == op.issuer, claims
    assert kept["email"] == owner
    assert server.ok("GET", "/v1/me/tenants", kept["token"])["data"][0]["tenant_id"] == tenant["id"]
    # the People list shows the owner's name from the provider
    expect(page.get_by_text(name_of(owner), exact=True).first).to_be_visible()


def test_sign_out_at_oidc_provider_sends_the_id_token_hint_and_comes_back_signed_out(oidc_provider_usher, page):
    op, server = oidc_provider_usher
    _, owner = new_tenant(server)
    page.goto(server.base + "/")
    provider_sign_in(page, op, owner)
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")
    id_token = session(page)["token"]

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{op.issuer}/session/end?**")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    assert params["id_token_hint"] == id_token
    assert params["client_id"] == OIDC_CLIENT_ID
    assert params["post_logout_redirect_uri"] == server.base + "/"
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    expect(page).to_have_url(server.base + "/")
    assert session(page) is None


def test_an_invitee_accepts_an_invitation_after_signing_in_at_oidc_provider_and_reads_the_inviters_name(oidc_provider_usher, new_context):
    op, server = oidc_provider_usher
    tenant, owner = new_tenant(server)
    admin = new_context().new_page()
    admin.goto(server.base + "/")
    provider_sign_in(admin, op, owner)
    expect(admin.get_by_role("heading", name="People")).to_be_visible()  # the console recorded the sign-in
    owner_token = session(admin)["token"]

    ada = unique_email("ada")
    server.ok("POST", f"/v1/tenants/{tenant['id']}/invitations", owner_token, {"email": ada, "role": "admin"})
    link = server.wait_for_link(ada)

    page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(page.get_by_test_id("invite-summary")).to_contain_text(f"{name_of(owner)} invited you to join Acme")
    provider_sign_in(page, op, ada)
    expect(page.get_by_text(f"Signed in as {ada}.")).to_be_visible()
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    members = server.ok("GET", f"/v1/tenants/{tenant['id']}/members?limit=100", owner_token)["data"]
    joined = next(m for m in members if m["email"] == ada)
    assert joined["role"] == "admin" and joined["name"] == name_of(ada)
