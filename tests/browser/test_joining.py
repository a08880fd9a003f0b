"""Joining without an invitation email, in the browser: the landing page of a join link
(/accept#join=...) in each of its answers, two links opened one after the other in one tab, the
console's Join links (made, shown once, copied, disabled) and Join requests (approved, denied,
and what a refusal says), the Domains page (added, its TXT record, verified or not and why, the
join policy, removed, a public email provider refused) and "Organisations you can join" for a
person without a tenant; axe-core and no sideways scrolling at 1280 and 375 px on each new page,
with a screenshot of each in screenshots/joining/.

The Domains tests run `usher serve --dns-server` against tests/support/dns_stub.py (dnslib) on
127.0.0.1: the TXT answers are a dict the test sets, NXDOMAIN for anything else."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import DESKTOP, PHONE, SHOTS, Tenant, _serve, axe_violations, sideways_scrolling, sign_in, unique_email

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "375px"])


# ------------------------------------------------------------------ helpers
def make_link(tenant: Tenant, role: str = "member", max_uses: int = 5, **extra) -> dict:
    """A join link made through the API (its url carries the token: this answer only)."""
    return tenant.usher.ok("POST", tenant.path("/join-links"), tenant.owner_token, {"role": role, "max_uses": max_uses, **extra})


def redeem(usher, link: dict, email: str) -> tuple[int, dict]:
    """email uses the link through the API."""
    token = link["url"].split("#join=")[1]
    return usher.call("POST", "/v1/join-links/redeem", usher.sign_in(email), {"token": token})


def link_now(tenant: Tenant, link: dict) -> dict:
    return next(x for x in tenant.usher.ok("GET", tenant.path("/join-links"), tenant.owner_token)["data"] if x["id"] == link["id"])


def requests_of(tenant: Tenant, status: str = "pending") -> list[dict]:
    return tenant.usher.ok("GET", tenant.path(f"/join-requests?status={status}&limit=100"), tenant.owner_token)["data"]


def fact(page: Page, name: str):
    """The value of a fact of the landing page's card ("Uses left", "Approval", ...)."""
    return page.locator(".facts dt", has_text=name).locator("xpath=following-sibling::dd[1]")


def open_console_at(usher, page: Page, email: str, route: str, heading: str) -> None:
    page.goto(f"{usher.base}/#/{route}")
    sign_in(page, email)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def check(page: Page, name: str, width: int) -> list[str]:
    """A screenshot (screenshots/joining/<name>-<width>.png), then what axe-core finds and what
    scrolls sideways, as lines (an empty list when all is well)."""
    (SHOTS / "joining").mkdir(parents=True, exist_ok=True)
    found = [f"{name}: {v}" for v in axe_violations(page)]
    found += [f"{name}: scrolls sideways: {w}" for w in sideways_scrolling(page)]
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "joining" / f"{name}-{width}.png"), full_page=True)
    return found


# ------------------------------------------------------------------ the landing page of a join link
def test_a_person_opens_a_join_link_signs_in_and_becomes_a_member_with_its_role(usher, tenant, new_context):
    link = make_link(tenant, "viewer", max_uses=5)
    assert link["url"].startswith(usher.base + "/accept#join=")
    page = new_context().new_page()
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    assert "#" not in page.url and "join" not in page.url  # the token left the address bar
    expect(page.get_by_test_id("join-summary")).to_have_text("This link lets you join Acme as Viewer.")
    expect(fact(page, "Uses left")).to_have_text("5")
    expect(fact(page, "Approval")).to_have_text("Not needed: you join at once")
    expect(fact(page, "Role")).to_have_text("Viewer")

    dan = unique_email("dan")
    sign_in(page, dan)
    expect(page.locator("#main").get_by_text(f"Signed in as {dan}.")).to_be_visible()
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    expect(page.locator("#main").get_by_text("You are now a member, with the role Viewer.")).to_be_visible()

    member = next(m for m in tenant.members() if m["email"] == dan)
    assert member["role"] == "viewer"
    now = link_now(tenant, link)
    assert (now["uses"], now["remaining"]) == (1, 4)
    # the token is gone from the tab: a reload does not offer the link again
    assert page.evaluate("sessionStorage.getItem('usher.join')") is None

    page.get_by_role("link", name="Open the console").click()
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")


def test_a_link_that_needs_approval_files_a_request_instead_of_joining(usher, tenant, new_context):
    link = make_link(tenant, "member", approval=True)
    page = new_context().new_page()
    page.goto(link["url"])
    expect(page.get_by_test_id("join-summary")).to_have_text(
        "This link lets you ask to join Acme as Member. An admin of Acme approves each request.")
    expect(fact(page, "Approval")).to_have_text("An admin approves each request")
    eve = unique_email("eve")
    sign_in(page, eve)
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_role("heading", name="Your request to join Acme was sent")).to_be_visible()
    assert [r["email"] for r in requests_of(tenant)] == [eve]
    assert all(m["email"] != eve for m in tenant.members())


def test_a_used_up_link_and_a_disabled_link_say_so_before_anyone_signs_in(usher, tenant, new_context):
    once = make_link(tenant, max_uses=1)
    status, _ = redeem(usher, once, unique_email("first"))
    assert status == 200
    page = new_context().new_page()
    page.goto(once["url"])
    expect(page.get_by_role("heading", name="This link has been used up")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("Every use of this link to join Acme is taken.")
    expect(page.get_by_role("button", name="Sign in")).to_have_count(0)

    off = make_link(tenant)
    usher.ok("DELETE", tenant.path(f"/join-links/{off['id']}"), tenant.owner_token)
    page = new_context().new_page()
    page.goto(off["url"])
    expect(page.get_by_role("heading", name="This link was turned off")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("An admin of Acme turned this link off.")


def test_a_link_that_does_not_exist_says_it_cannot_be_found(usher, page):
    page.goto(usher.base + "/accept#join=" + "A" * 43)
    expect(page.get_by_role("heading", name="We can't find this link")).to_be_visible()
    page.goto(usher.base + "/accept#join=nonsense")
    expect(page.get_by_role("heading", name="We can't find this link")).to_be_visible()


def test_an_expired_link_says_when_it_stopped_working(usher, tenant, page):
    """The server's clock cannot be moved for a join link, so the lookup's answer is stubbed in
    the browser with the status an expired link has (the page's rendering is what is tried)."""
    link = make_link(tenant)

    def expired(route):
        route.fulfill(status=200, content_type="application/json", body=(
            '{"tenant_id": "%s", "tenant_name": "Acme", "role": "member", "remaining": 3, "expires_at": "2024-03-01T10:00:00Z",'
            ' "approval": false, "allowed_domains": [], "status": "expired"}' % tenant.id))

    page.route("**/v1/join-links/lookup", expired)
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    expect(page.locator("#main")).to_contain_text("The link to join Acme stopped working on Mar 1, 2024")


def test_a_link_for_another_domain_says_so_and_another_account_can_then_join(usher, tenant, new_context):
    link = make_link(tenant, allowed_domains=["initech.test"])
    page = new_context().new_page()
    page.goto(link["url"])
    expect(fact(page, "For addresses at")).to_have_text("@initech.test")
    expect(page.locator("#main")).to_contain_text("Sign in with your address at @initech.test.")
    wrong = unique_email("wrong")
    sign_in(page, wrong)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="This link is not for your address")).to_be_visible()
    expect(page.get_by_test_id("domain-text")).to_contain_text(f"You are signed in as {wrong}, but this link is only for addresses at @initech.test.")
    assert link_now(tenant, link)["uses"] == 0

    page.get_by_role("button", name="Sign in with another account").click()
    right = f"rita-{uuid.uuid4().hex[:8]}@initech.test"
    sign_in(page, right)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    assert any(m["email"] == right for m in tenant.members())


def test_a_member_who_opens_a_join_link_is_told_so_and_no_use_is_taken(usher, tenant, page):
    link = make_link(tenant)
    page.goto(link["url"])
    sign_in(page, tenant.owner_email)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="You are already a member of Acme")).to_be_visible()
    expect(page.get_by_role("link", name="Open the console")).to_be_visible()
    assert link_now(tenant, link)["uses"] == 0


def test_a_full_tenant_says_no_seat_is_left_and_the_link_is_not_used(usher, new_context):
    owner = unique_email("tiny-owner")
    tiny = Tenant(usher, usher.create_tenant("Tiny", owner, seats=1), owner)
    link = make_link(tiny)
    page = new_context().new_page()
    page.goto(link["url"])
    sign_in(page, unique_email("late"))
    page.get_by_role("button", name="Join Tiny").click()
    expect(page.get_by_role("heading", name="Tiny has no seat left")).to_be_visible()
    assert link_now(tiny, link)["uses"] == 0
    # "Try again" comes back to the link's card
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("button", name="Join Tiny")).to_be_visible()


def test_a_person_with_a_pending_invitation_is_sent_to_the_invitation_email(usher, tenant, page):
    ivy = unique_email("ivy")
    tenant.invite(ivy)
    page.goto(make_link(tenant)["url"])
    sign_in(page, ivy)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="You already have an invitation to Acme")).to_be_visible()
    expect(page.locator("#main")).to_contain_text(f"An invitation was sent to {ivy}")


def test_an_invitation_then_two_join_links_open_one_after_the_other_in_the_same_tab(usher, tenant, page):
    """Only the fragment differs between the links (the same /accept page), so the browser does
    not load the page again by itself: each new link must still replace the one shown."""
    ann = unique_email("ann")
    tenant.invite(ann)
    page.goto(usher.wait_for_link(ann))
    expect(page.get_by_test_id("invite-summary")).to_contain_text("invited you to join Acme as Member.")

    page.goto(make_link(tenant, "viewer", max_uses=7)["url"])
    expect(page.get_by_test_id("join-summary")).to_have_text("This link lets you join Acme as Viewer.")
    expect(fact(page, "Uses left")).to_have_text("7")
    assert page.evaluate("sessionStorage.getItem('usher.invite')") is None  # the invitation is no longer held

    globex_owner = unique_email("globex")
    globex = Tenant(usher, usher.create_tenant("Globex", globex_owner), globex_owner)
    second = make_link(globex, "member", max_uses=2)
    page.goto(second["url"])
    expect(page.get_by_role("heading", name="Join Globex")).to_be_visible()
    expect(fact(page, "Uses left")).to_have_text("2")
    # and it is the second link that is used
    bo = unique_email("bo")
    sign_in(page, bo)
    page.get_by_role("button", name="Join Globex").click()
    expect(page.get_by_role("heading", name="You joined Globex")).to_be_visible()
    assert link_now(globex, second)["uses"] == 1
    assert all(m["email"] != bo for m in tenant.members())

    # back to an invitation after a join link
    page.goto(usher.wait_for_link(ann))
    expect(page.get_by_test_id("invite-summary")).to_contain_text("invited you to join Acme as Member.")


# ------------------------------------------------------------------ the console: join links
def test_an_admin_creates_a_link_sees_it_once_copies_it_then_disables_it_and_the_link_says_so(usher, tenant, page, new_context):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=usher.base)
    open_console_at(usher, page, tenant.owner_email, "join-links", "Join links")
    expect(page.get_by_text("No join links yet")).to_be_visible()

    # out of range: said under the field, nothing made
    page.get_by_label("Maximum uses").fill("1001")
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_label("Maximum uses")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-field=max_uses] .field-error")).to_be_visible()
    assert usher.ok("GET", tenant.path("/join-links"), tenant.owner_token)["data"] == []

    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_label("Maximum uses").fill("3")
    page.get_by_label("Link valid for (days)").fill("7")
    page.get_by_label("Only for addresses at").fill("example.com, @Example.org")
    page.get_by_label("An admin approves each person before they join").check()
    page.get_by_role("button", name="Create link").click()
    shown = page.get_by_test_id("new-join-link")
    expect(shown).to_have_value(re.compile(r"^" + re.escape(usher.base) + r"/accept#join=[A-Za-z0-9_-]{43}$"))
    url = shown.input_value()
    expect(page.get_by_text("Your new join link (Viewer)")).to_be_focused()
    expect(page.get_by_test_id("join-link-once")).to_contain_text("You won't see this again")
    page.get_by_role("button", name="Copy the join link").click()
    assert page.evaluate("navigator.clipboard.readText()") == url

    [made] = usher.ok("GET", tenant.path("/join-links"), tenant.owner_token)["data"]
    assert (made["role"], made["max_uses"], made["approval"], made["allowed_domains"]) == ("viewer", 3, True, ["example.com", "example.org"])
    row = page.locator(f"tr[data-link='{made['id']}']")
    expect(row).to_contain_text("0 / 3")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("example.com, example.org")
    expect(row.locator("td").nth(5)).to_have_text("Yes")

    page.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_test_id("new-join-link")).to_have_count(0)
    page.reload()
    expect(page.locator(f"tr[data-link='{made['id']}']")).to_be_visible()
    assert url.split("#join=")[1] not in page.content()  # never shown again

    page.locator(f"tr[data-link='{made['id']}']").get_by_role("button", name=re.compile(r"^Disable")).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Disable this join link?")
    dialog.get_by_role("button", name="Disable").click()
    expect(page.locator("#main").get_by_text("The join link was disabled.")).to_be_visible()
    row = page.locator(f"tr[data-link='{made['id']}']")
    expect(row).to_contain_text("Disabled")
    expect(row.get_by_role("button")).to_have_count(0)

    visitor = new_context().new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", name="This link was turned off")).to_be_visible()


def test_a_member_without_invitations_create_sees_neither_joining_page(usher, tenant, page):
    viewer = unique_email("viewer")
    tenant.add_member(viewer, "viewer")
    page.goto(usher.base + "/")
    sign_in(page, viewer)
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Join links")).to_have_count(0)
    expect(nav.get_by_role("link", name="Join requests")).to_have_count(0)
    expect(nav.get_by_role("link", name="Domains")).to_have_count(0)
    page.goto(usher.base + "/#/join-links")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()


# ------------------------------------------------------------------ the console: join requests
def test_an_admin_approves_one_request_and_denies_another_and_the_filter_shows_each(usher, tenant, page):
    link = make_link(tenant, "viewer", approval=True)
    yes, no = unique_email("yes"), unique_email("no")
    assert redeem(usher, link, yes)[0] == 202
    assert redeem(usher, link, no)[0] == 202
    open_console_at(usher, page, tenant.owner_email, "join-requests", "Join requests")
    expect(page.locator("tr[data-request]")).to_have_count(2)
    expect(page.locator(".table-foot")).to_contain_text("2 requests")

    page.get_by_role("button", name=f"Approve {yes}").click()
    expect(page.locator("#main").get_by_text(f"{yes} joined as Viewer.")).to_be_visible()
    expect(page.locator("tr", has_text=yes)).to_contain_text("Approved")
    assert next(m for m in tenant.members() if m["email"] == yes)["role"] == "viewer"

    page.get_by_role("button", name=f"Deny {no}").click()
    expect(page.locator("#main").get_by_text(f"The request of {no} was denied.")).to_be_visible()
    expect(page.locator("tr", has_text=no)).to_contain_text("Denied")
    assert all(m["email"] != no for m in tenant.members())

    status = page.get_by_label("Status")
    status.select_option("denied")
    expect(page.locator("tr[data-request]")).to_have_count(1)
    expect(page.locator("tr[data-request]")).to_contain_text(no)
    status.select_option("approved")
    expect(page.locator("tr[data-request]")).to_have_count(1)
    expect(page.locator("tr[data-request]")).to_contain_text(yes)
    status.select_option("pending")
    expect(page.get_by_text("No request waiting")).to_be_visible()


def test_approving_says_why_not_when_no_seat_is_left_the_request_was_decided_or_the_person_is_a_member(usher, page):
    owner = unique_email("small-owner")
    small = Tenant(usher, usher.create_tenant("Small", owner, seats=2), owner)
    link = make_link(small, approval=True, max_uses=10)
    first, second, decided, joined = (unique_email(x) for x in ("first", "second", "decided", "joined"))
    for who in (first, second, decided, joined):
        assert redeem(usher, link, who)[0] == 202
    open_console_at(usher, page, owner, "join-requests", "Join requests")
    expect(page.locator("tr[data-request]")).to_have_count(4)

    # decided meanwhile (in another tab): said, and the list is read again
    rid = next(r["id"] for r in requests_of(small) if r["email"] == decided)
    usher.ok("POST", small.path(f"/join-requests/{rid}/deny"), small.owner_token)
    page.get_by_role("button", name=f"Approve {decided}").click()
    expect(page.locator("#main").get_by_text(f"The request of {decided} was already decided")).to_be_visible()
    expect(page.locator("tr[data-request]")).to_have_count(3)

    # a member meanwhile (an invitation accepted): already a member
    small.add_member(joined)
    page.get_by_role("button", name=f"Approve {joined}").click()
    expect(page.locator("#main").get_by_role("alert")).to_have_text(f"{joined} is already a member: nothing changed.")

    # Small has 2 seats and now 2 members: no seat for the next one; the request stays pending
    page.get_by_role("button", name=f"Approve {first}").click()
    expect(page.locator("#main").get_by_role("alert")).to_contain_text(f"No seat left for {first}")
    expect(page.locator("tr", has_text=first)).to_contain_text("Pending")
    assert any(r["email"] == first for r in requests_of(small))


def test_join_requests_load_the_next_page(usher, tenant, page):
    link = make_link(tenant, approval=True, max_uses=30)
    for i in range(27):
        assert redeem(usher, link, unique_email(f"many{i}"))[0] == 202
    open_console_at(usher, page, tenant.owner_email, "join-requests", "Join requests")
    expect(page.locator("tr[data-request]")).to_have_count(25)
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("tr[data-request]")).to_have_count(27)
    expect(page.locator(".table-foot")).to_contain_text("27 requests")
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)


def test_the_join_landing_page_and_the_joining_pages_speak_french_and_german(usher, tenant, new_context):
    link = make_link(tenant, "viewer", approval=True)
    visitor = new_context("fr-FR").new_page()
    visitor.goto(link["url"])
    expect(visitor.get_by_role("heading", name="Rejoindre Acme")).to_be_visible()
    expect(visitor.get_by_test_id("join-summary")).to_have_text(
        "Ce lien vous permet de demander à rejoindre Acme en tant que Lecteur. Un administrateur de Acme approuve chaque demande.")
    expect(fact(visitor, "Utilisations restantes")).to_have_text("5")
    visitor.locator("header").get_by_label("Langue").select_option("de")
    expect(visitor.get_by_role("heading", name="Acme beitreten")).to_be_visible()
    expect(fact(visitor, "Genehmigung")).to_have_text("Ein Admin genehmigt jede Anfrage")

    page = new_context("fr-FR").new_page()
    page.goto(f"{usher.base}/#/join-links")
    sign_in(page, tenant.owner_email, button="Se connecter", label="E-mail")
    expect(page.get_by_role("heading", level=1, name="Liens d’adhésion")).to_be_visible()
    expect(page.get_by_role("button", name="Créer le lien")).to_be_visible()
    page.goto(f"{usher.base}/#/join-requests")
    expect(page.get_by_role("heading", level=1, name="Demandes d’adhésion")).to_be_visible()
    page.locator("header").get_by_label("Langue").select_option("de")
    expect(page.get_by_role("heading", level=1, name="Beitrittsanfragen")).to_be_visible()
    page.goto(f"{usher.base}/#/domains")
    expect(page.get_by_role("heading", level=1, name="Domains")).to_be_visible()
    expect(page.get_by_role("button", name="Domain hinzufügen")).to_be_visible()


# ------------------------------------------------------------------ screenshots and axe
@SIZES
def test_axe_finds_nothing_on_the_join_landing_page_join_links_and_join_requests_and_nothing_scrolls_sideways(usher, tenant, new_context, size):
    width = size["width"]
    found: list[str] = []

    def fresh() -> Page:
        p = new_context().new_page()
        p.set_viewport_size(size)
        return p

    page = fresh()
    link = make_link(tenant, "viewer", allowed_domains=["example.com"])
    page.goto(link["url"])
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    found += check(page, "join-signed-out", width)
    sign_in(page, unique_email("shot"))
    expect(page.get_by_role("button", name="Join Acme")).to_be_visible()
    found += check(page, "join-signed-in", width)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    found += check(page, "join-joined", width)

    page = fresh()
    page.goto(make_link(tenant, approval=True)["url"])
    sign_in(page, f"other-{uuid.uuid4().hex[:6]}@example.com")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_role("heading", name="Your request to join Acme was sent")).to_be_visible()
    found += check(page, "join-requested", width)

    page = fresh()
    page.goto(link["url"])
    sign_in(page, f"x-{uuid.uuid4().hex[:6]}@elsewhere.test")
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_role("heading", name="This link is not for your address")).to_be_visible()
    found += check(page, "join-wrong-domain", width)

    page = fresh()
    off = make_link(tenant)
    usher.ok("DELETE", tenant.path(f"/join-links/{off['id']}"), tenant.owner_token)
    page.goto(off["url"])
    expect(page.get_by_role("heading", name="This link was turned off")).to_be_visible()
    found += check(page, "join-disabled", width)

    # the console's pages, with something in them
    for i in range(2):
        redeem(usher, make_link(tenant, approval=True, allowed_domains=["example.com"]), unique_email(f"waiting{i}"))
    page = fresh()
    open_console_at(usher, page, tenant.owner_email, "join-links", "Join links")
    page.get_by_label("Maximum uses").fill("25")
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_test_id("new-join-link")).to_be_visible()
    expect(page.locator("tr[data-link]")).to_have_count(6)
    found += check(page, "console-join-links", width)
    page.locator("tr[data-link]").first.get_by_role("button", name=re.compile(r"^Disable")).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    found += check(page, "console-join-links-disable-dialog", width)
    page.keyboard.press("Escape")
    page.goto(f"{usher.base}/#/join-requests")
    expect(page.locator("tr[data-request]")).to_have_count(3)
    page.locator("tr[data-request]").first.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(page.locator("#main .notice.success")).to_be_visible()
    found += check(page, "console-join-requests", width)
    assert found == [], "\n".join(found)


# ------------------------------------------------------------------ verified domains (a DNS stub)
class _Records(dict):
    """TXT records by name; every change is written whole to the stub's file (then renamed)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path
        self._write()

    def _write(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self))
        tmp.replace(self.path)

    def __setitem__(self, name, values):
        super().__setitem__(name, values)
        self._write()

    def __delitem__(self, name):
        super().__delitem__(name)
        self._write()


class DnsStub:
    """tests/support/dns_stub.py (dnslib, pinned by browser-test.sh) on a free 127.0.0.1 port,
    UDP and TCP: `txt` ({name: [values]}) is what it answers, NXDOMAIN for anything else."""

    def __init__(self, tmp: Path):
        self.txt = _Records(tmp / "records.json")
        script = Path(__file__).resolve().parents[1] / "support" / "dns_stub.py"
        self.proc = subprocess.Popen([sys.executable, str(script), str(self.txt.path)], stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def dns(tmp_path_factory):
    stub = DnsStub(tmp_path_factory.mktemp("dns"))
    yield stub
    stub.close()


@pytest.fixture(scope="module")
def usher_dns(dns):
    with _serve("--dns-server", f"127.0.0.1:{dns.port}") as server:
        yield server


@pytest.fixture
def dtenant(usher_dns) -> Tenant:
    owner = unique_email("dom-owner")
    return Tenant(usher_dns, usher_dns.create_tenant("Acme", owner, seats=20), owner)


def corp_domain() -> str:
    return f"corp-{uuid.uuid4().hex[:8]}.test"


def add_domain_in_page(page: Page, domain: str) -> None:
    page.get_by_label("Domain", exact=True).fill(domain)
    page.get_by_role("button", name="Add domain").click()


def test_an_admin_adds_a_domain_copies_its_txt_record_and_a_verify_that_finds_nothing_says_why(usher_dns, dtenant, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=usher_dns.base)
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    expect(page.get_by_text("No domains yet")).to_be_visible()
    domain = corp_domain()
    add_domain_in_page(page, domain)
    expect(page.locator("#main").get_by_text(f"{domain} was added.")).to_be_visible()
    card = page.locator(f"[data-domain='{domain}']")
    expect(card).to_contain_text("Not verified")
    expect(card.get_by_test_id("txt-name")).to_have_value(f"_usher-verification.{domain}")
    expect(card.get_by_test_id("txt-value")).to_have_value(re.compile(r"^usher-verification=\S+$"))
    value = card.get_by_test_id("txt-value").input_value()
    card.get_by_role("button", name=f"Copy the record value for {domain}").click()
    assert page.evaluate("navigator.clipboard.readText()") == value
    card.get_by_role("button", name=f"Copy the record name for {domain}").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"_usher-verification.{domain}"
    # the join policy waits for the domain to be verified
    expect(card.get_by_label("At once")).to_be_disabled()
    expect(card.get_by_role("button", name="Save")).to_be_disabled()

    card.get_by_role("button", name=f"Verify {domain}").click()
    expect(card.locator(".verify-result .notice.warning")).to_contain_text("Not verified yet")
    expect(card).to_contain_text("Not verified")
    [d] = usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"]
    assert d["status"] == "pending"

    card.get_by_role("button", name=f"Remove {domain}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Remove {domain}?")
    dialog.get_by_role("button", name="Remove").click()
    expect(page.locator("#main").get_by_text(f"{domain} was removed.")).to_be_visible()
    expect(page.get_by_text("No domains yet")).to_be_visible()
    assert usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"] == []


def test_a_public_email_providers_domain_is_refused_under_the_field(usher_dns, dtenant, page):
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    add_domain_in_page(page, "gmail.com")
    expect(page.locator("[data-field=domain] .field-error")).to_have_text(
        "This is a public email provider (like gmail.com): only your organisation's own domain can be added.")
    expect(page.get_by_label("Domain", exact=True)).to_have_attribute("aria-invalid", "true")
    assert usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"] == []


def test_a_verified_domain_gets_a_join_policy_and_a_person_there_joins_from_the_empty_console(usher_dns, dns, dtenant, page, new_context):
    domain = corp_domain()
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    add_domain_in_page(page, domain)
    card = page.locator(f"[data-domain='{domain}']")
    dns.txt[f"_usher-verification.{domain}"] = [card.get_by_test_id("txt-value").input_value()]
    card.get_by_role("button", name=f"Verify {domain}").click()
    card = page.locator(f"[data-domain='{domain}']")
    expect(card.locator(".verify-result .notice.success")).to_contain_text(f"{domain} is verified.")
    expect(card.locator(".badge")).to_have_text("Verified")

    # roles that could invite or manage people are not offered
    options = card.get_by_label("Role given").locator("option").all_inner_texts()
    assert "Admin" not in options and "Owner" not in options and "Viewer" in options
    card.get_by_label("At once").check()
    card.get_by_label("Role given").select_option("viewer")
    card.get_by_role("button", name="Save").click()
    expect(page.locator(f"[data-domain='{domain}']").get_by_text(f"People at {domain} can now join at once, as Viewer.")).to_be_visible()
    [d] = usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"]
    assert (d["status"], d["join"], d["join_role"]) == ("verified", "auto", "viewer")

    # a person at that domain, in no tenant yet, is offered Acme and joins it
    person = new_context().new_page()
    person.goto(usher_dns.base + "/")
    pia = f"pia-{uuid.uuid4().hex[:6]}@{domain}"
    sign_in(person, pia)
    offer = person.get_by_test_id("joinable")
    expect(offer).to_contain_text("Organisations you can join")
    expect(offer).to_contain_text(f"Addresses at @{domain} join as Viewer.")
    offer.get_by_role("button", name="Join Acme").click()
    expect(person.get_by_role("heading", name="People")).to_be_visible()
    expect(person.get_by_test_id("tenant-name")).to_have_text("Acme")
    assert next(m for m in dtenant.members() if m["email"] == pia)["role"] == "viewer"

    # by asking: the person's request waits for an admin
    card = page.locator(f"[data-domain='{domain}']")
    card.get_by_label("By asking").check()
    card.get_by_role("button", name="Save").click()
    expect(page.locator(f"[data-domain='{domain}']").get_by_text(f"People at {domain} can now ask to join, as Viewer.")).to_be_visible()
    asker = new_context().new_page()
    asker.goto(usher_dns.base + "/")
    sam = f"sam-{uuid.uuid4().hex[:6]}@{domain}"
    sign_in(asker, sam)
    asker.get_by_test_id("joinable").get_by_role("button", name="Ask to join Acme").click()
    expect(asker.locator("#main").get_by_text("Your request to join Acme was sent.")).to_be_visible()
    assert all(m["email"] != sam for m in dtenant.members())


def test_a_role_that_gained_admin_permissions_meanwhile_is_refused_under_the_role_field(usher_dns, dns, dtenant, page):
    usher_dns.ok("PUT", dtenant.path("/roles/helper"), dtenant.owner_token, {"permissions": ["members.read"]})
    domain = corp_domain()
    status, d = usher_dns.call("POST", dtenant.path("/domains"), dtenant.owner_token, {"domain": domain})
    assert status == 201, d
    dns.txt[d["verification"]["name"]] = [d["verification"]["value"]]
    assert usher_dns.ok("POST", dtenant.path(f"/domains/{domain}/verify"), dtenant.owner_token)["status"] == "verified"
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    card = page.locator(f"[data-domain='{domain}']")
    card.get_by_label("At once").check()
    card.get_by_label("Role given").select_option("helper")
    usher_dns.ok("PUT", dtenant.path("/roles/helper"), dtenant.owner_token, {"permissions": ["members.read", "invitations.create"]})
    card.get_by_role("button", name="Save").click()
    expect(card.locator("[data-field=join_role] .field-error")).to_be_visible()
    expect(card.get_by_label("Role given")).to_have_attribute("aria-invalid", "true")
    [d] = usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"]
    assert d["join"] == "off"


def test_a_lapsed_domain_says_since_when_its_record_is_missing(usher_dns, dtenant, page):
    """A domain lapses after 7 days of daily checks; the GET answer is stubbed in the browser with
    a lapsed domain (the page's rendering is what is tried)."""
    domain = corp_domain()
    lapsed = ('{"data": [{"domain": "%s", "tenant_id": "%s", "status": "lapsed", "verification": {"type": "dns_txt",'
              ' "name": "_usher-verification.%s", "value": "usher-verification=abc"}, "join": "auto", "join_role": "member",'
              ' "verified_at": "2024-01-02T09:00:00Z", "last_checked_at": "2024-03-09T09:00:00Z", "missing_since": "2024-03-02T09:00:00Z",'
              ' "created_at": "2024-01-01T09:00:00Z"}]}') % (domain, dtenant.id, domain)
    page.route(f"**/v1/tenants/{dtenant.id}/domains", lambda route: route.fulfill(status=200, content_type="application/json", body=lapsed))
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    card = page.locator(f"[data-domain='{domain}']")
    expect(card.locator(".badge")).to_have_text("Lapsed")
    expect(card).to_contain_text("The TXT record has been missing since Mar 2, 2024")
    expect(card).to_contain_text("joining is stopped until it is back")
    expect(card.get_by_label("At once")).to_be_disabled()


@SIZES
def test_axe_finds_nothing_on_the_domains_page_and_the_joinable_list_and_nothing_scrolls_sideways(usher_dns, dns, dtenant, new_context, size):
    width = size["width"]
    found: list[str] = []
    page = new_context().new_page()
    page.set_viewport_size(size)
    verified = corp_domain()
    d = usher_dns.ok("POST", dtenant.path("/domains"), dtenant.owner_token, {"domain": verified})
    dns.txt[d["verification"]["name"]] = [d["verification"]["value"]]
    usher_dns.ok("POST", dtenant.path(f"/domains/{verified}/verify"), dtenant.owner_token)
    usher_dns.ok("PATCH", dtenant.path(f"/domains/{verified}"), dtenant.owner_token, {"join": "request", "join_role": "member"})
    open_console_at(usher_dns, page, dtenant.owner_email, "domains", "Domains")
    add_domain_in_page(page, f"a-rather-long-subdomain-name.{corp_domain()}")
    expect(page.locator("[data-domain]")).to_have_count(2)
    found += check(page, "console-domains", width)
    page.locator("[data-status=pending]").get_by_role("button", name=re.compile(r"^Verify")).click()
    expect(page.locator(".verify-result .notice.warning")).to_be_visible()
    found += check(page, "console-domains-not-verified", width)

    person = new_context().new_page()
    person.set_viewport_size(size)
    person.goto(usher_dns.base + "/")
    sign_in(person, f"someone-{uuid.uuid4().hex[:6]}@{verified}")
    expect(person.get_by_test_id("joinable")).to_be_visible()
    found += check(person, "console-joinable", width)
    assert found == [], "\n".join(found)


# ------------------------------------------------------------------ keyboard only, twice in a row
def test_two_join_links_and_two_domains_are_made_one_after_the_other_with_the_keyboard_only(usher_dns, dtenant, page):
    open_console_at(usher_dns, page, dtenant.owner_email, "join-links", "Join links")
    for uses in ("2", "4"):
        page.get_by_label("Maximum uses").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type(uses)
        page.keyboard.press("Enter")  # the form submits from its field
        shown = page.get_by_test_id("new-join-link")
        expect(shown).to_have_value(re.compile(r"/accept#join=[A-Za-z0-9_-]{43}$"))
        expect(page.get_by_text(re.compile(r"^Your new join link"))).to_be_focused()
        # Tab reaches "I have copied it"; Enter closes the one-time panel
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "I have copied it":
                break
        page.keyboard.press("Enter")
        expect(page.get_by_test_id("new-join-link")).to_have_count(0)
    made = usher_dns.ok("GET", dtenant.path("/join-links"), dtenant.owner_token)["data"]
    assert sorted(link["max_uses"] for link in made) == [2, 4]

    page.goto(f"{usher_dns.base}/#/domains")
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
    first, second = corp_domain(), corp_domain()
    for domain in (first, second):
        page.get_by_label("Domain", exact=True).focus()
        page.keyboard.type(domain)
        page.keyboard.press("Enter")
        expect(page.locator("#main").get_by_text(f"{domain} was added")).to_be_visible()  # not the live region's echo
        expect(page.get_by_label("Domain", exact=True)).to_have_value("")
    listed = usher_dns.ok("GET", dtenant.path("/domains"), dtenant.owner_token)["data"]
    assert sorted(d["domain"] for d in listed) == sorted([first, second])
