"""A first visit to `usher serve`, as a newcomer and as Lighthouse sees it: the empty console
offers a tenant of one's own (development only), the sign-in page fetches only what it needs,
text arrives gzipped, and every page has a description."""

from __future__ import annotations

import gzip
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from conftest import axe_violations, shot, sign_in, unique_email

# The modules of a tenant's pages: the console imports them once someone is signed in.
TENANT_PAGE_MODULES = ("people.js", "invite.js", "bulk.js", "admin.js", "forms.js", "sheet.js")


def scripts_fetched(page: Page) -> set[str]:
    return {u.rsplit("/", 1)[-1] for u in page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)") if u.endswith(".js")}


def test_a_newcomer_signed_in_on_usher_serve_creates_a_tenant_from_the_empty_console(usher, page):
    email = unique_email("newcomer")
    page.goto(usher.base + "/")
    sign_in(page, email, name="Nia Newcomer")
    expect(page.get_by_role("heading", name="You are not in a tenant yet")).to_be_visible()
    form = page.get_by_role("form", name="Create a tenant")
    expect(form).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "first-visit-empty")

    # an empty name is refused under the field, in words
    form.get_by_role("button", name="Create tenant").click()
    expect(form.get_by_label("Tenant name")).to_have_attribute("aria-invalid", "true")

    form.get_by_label("Tenant name").fill("Nia's Studio")
    form.get_by_role("button", name="Create tenant").click()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Nia's Studio")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    # the API agrees: the newcomer owns it
    token = usher.sign_in(email)
    mine = usher.ok("GET", "/v1/me/tenants", token)["data"]
    assert [(t["tenant_name"], t["role"]) for t in mine] == [("Nia's Studio", "owner")]


def test_a_console_signed_in_through_an_identity_provider_offers_no_tenant_of_ones_own(usher_oidc, fake_idp, page):
    """Deployed (any sign-in but the development one), tenants come from the host's backend."""
    email = unique_email("stranger")
    page.goto(usher_oidc.base + "/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    sign_in(page, email, button="Continue")
    expect(page.get_by_role("heading", name="You are not in a tenant yet")).to_be_visible()
    expect(page.get_by_role("form", name="Create a tenant")).to_have_count(0)
    assert usher_oidc.call("POST", "/dev/tenants", usher_oidc.sign_in(email), {"name": "Mine"})[0] == 404


def test_the_sign_in_page_fetches_none_of_a_tenants_page_modules_until_someone_signs_in(usher, tenant, page):
    page.goto(usher.base + "/")
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    before = scripts_fetched(page)
    assert before and not before & set(TENANT_PAGE_MODULES), before
    sign_in(page, tenant.owner_email)
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    assert {"people.js", "forms.js"} <= scripts_fetched(page)


@pytest.mark.parametrize("path", ["/", "/accept", "/confirm-email"])
def test_every_page_has_a_description_and_its_text_arrives_gzipped(usher, page, path):
    sizes = {}

    def on_response(response):
        if response.url.startswith(usher.base) and (response.url.endswith(".js") or response.url.endswith(".css")):
            sizes[response.url.rsplit("/", 1)[-1]] = response.headers.get("content-encoding")

    page.on("response", on_response)
    page.goto(usher.base + path)
    page.wait_for_load_state("networkidle")
    description = page.locator('meta[name="description"]').get_attribute("content")
    assert description and len(description) > 20, description
    assert sizes.get("i18n.js") == "gzip" and sizes.get("style.css") == "gzip", sizes


def test_the_largest_script_is_under_a_third_of_its_size_on_the_wire(usher):
    plain = urllib.request.urlopen(usher.base + "/assets/i18n.js").read()
    req = urllib.request.Request(usher.base + "/assets/i18n.js", headers={"accept-encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["content-encoding"] == "gzip"
        packed = r.read()
    assert gzip.decompress(packed) == plain
    assert len(packed) * 3 < len(plain), (len(packed), len(plain))
