"""axe-core (every rule, pinned; see conftest.axe_source) and "nothing scrolls sideways" over
every state a person can bring a page into, at 1280 px and at 375 px: the console signed out,
without a tenant, each of a tenant's pages, its dialogs and menus, a form's errors and its
success; the invitee's landing page in each of its answers; the email-change page. A screenshot
of each lands in screenshots/states/<state>-<width>.png. test_a11y.py covers People, the audit
log, My invitations and the bulk review with data in them (and at 1024 px)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import DESKTOP, PHONE, SHOTS, axe_violations, later, row_action, sideways_scrolling, sign_in, unique_email

SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "375px"])


class States:
    """Checks the page as it is now, under a name; collects every finding so one run reports
    all the states that fail, not only the first."""

    def __init__(self, page: Page, width: int):
        self.page = page
        self.width = width
        self.findings: list[str] = []
        self.seen: list[str] = []

    def check(self, name: str, full_page: bool = True) -> None:
        self.findings += [f"{name}: {v}" for v in axe_violations(self.page)]
        self.findings += [f"{name}: scrolls sideways: {w}" for w in sideways_scrolling(self.page)]
        self.seen.append(name)
        # last: a full-page screenshot resizes the window, which closes an open menu
        (SHOTS / "states").mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / "states" / f"{name}-{self.width}.png"), full_page=full_page)
        # the window's size comes back a frame or two later: let its resize event pass before
        # the next step opens a menu (which a resize closes)
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50))))")

    def done(self, expected: int) -> None:
        assert self.findings == [], "\n".join(self.findings)
        assert len(self.seen) == expected, self.seen


def dialog_closed(page: Page) -> None:
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)


@SIZES
def test_every_state_of_the_console_passes_axe_and_fits_the_screen(usher, tenant, page, size):
    page.set_viewport_size(size)
    states = States(page, size["width"])
    pat = unique_email("pat")
    tenant.add_member(pat, "member", profile={"first_name": "Pat", "last_name": "Lee"})
    tenant.invite(unique_email("quinn"), "viewer")

    # signed out; then a newcomer without a tenant (the development server's own offer)
    page.goto(usher.base + "/")
    expect(page.get_by_role("heading", name="Sign in to Usher")).to_be_visible()
    states.check("console-sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    states.check("console-sign-in-error")
    sign_in(page, unique_email("newcomer"))
    form = page.get_by_role("form", name="Create a tenant")
    form.get_by_role("button", name="Create tenant").click()
    expect(form.get_by_label("Tenant name")).to_have_attribute("aria-invalid", "true")
    states.check("console-no-tenant")
    page.get_by_role("button", name="Sign out").click()

    # the owner of a tenant
    sign_in(page, tenant.owner_email)
    expect(page.locator("[data-kind=member]", has_text=pat)).to_have_count(1)
    # the list is drawn whole (members, then the pending invitation) before anything is opened
    expect(page.locator("[data-kind=invitation]")).to_have_count(1)
    states.check("people")
    row = page.locator("[data-kind=member]", has_text=pat)
    row.get_by_role("button", name=re.compile(r"^Actions for ")).click()
    expect(page.get_by_role("menuitem", name="Change role")).to_be_in_viewport()
    states.check("people-row-menu", full_page=False)
    page.keyboard.press("Escape")
    row_action(page, row, "Edit")
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("people-edit-dialog")
    dialog_closed(page)
    row_action(page, row, "Delete")
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("people-delete-dialog")
    dialog_closed(page)

    page.goto(usher.base + "/#/invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
    states.check("invite-error")
    invited = unique_email("rory")
    page.get_by_label("Email", exact=True).fill(invited)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main").get_by_text(f"Invitation sent to {invited}")).to_be_visible()
    states.check("invite-sent")

    page.goto(usher.base + "/#/bulk")
    expect(page.get_by_label("Paste emails or CSV")).to_be_visible()
    states.check("bulk-empty")
    page.get_by_label("Paste emails or CSV").fill(f"{unique_email('sam')}\n{unique_email('tess')}")
    page.get_by_role("button", name="Add rows").click()
    page.get_by_role("button", name="Review invitations").click()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("list-ok").get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*2$"))
    states.check("bulk-report")

    page.goto(usher.base + "/#/roles")
    expect(page.locator("tr[data-role=admin]")).to_have_count(1)
    states.check("roles")
    page.get_by_role("button", name="New role").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("roles-new-dialog")
    dialog_closed(page)

    page.goto(usher.base + "/#/workspaces")
    expect(page.locator("#main").get_by_text("No workspaces")).to_be_visible()
    states.check("workspaces-empty")
    page.get_by_role("button", name="New workspace").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("workspaces-new-dialog")
    dialog_closed(page)

    page.goto(usher.base + "/#/me")
    page.get_by_role("button", name="Leave this tenant").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("leave-dialog")
    dialog_closed(page)

    # a member: no admin controls, and pages they may not open
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, pat)
    page.goto(usher.base + "/#/people")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    states.check("people-as-member")
    page.goto(usher.base + "/#/audit")
    expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    states.check("no-access")
    states.done(18)


@SIZES
def test_every_answer_of_the_landing_page_and_the_email_change_page_passes_axe_and_fits_the_screen(usher, tenant, new_context, size):
    def fresh() -> Page:
        p = new_context().new_page()
        p.set_viewport_size(size)
        return p

    page = fresh()
    states = States(page, size["width"])

    # pending: signed out, signed in, the wrong account, the decline dialog, declined
    ann = unique_email("ann")
    tenant.invite(ann, "admin", message="Welcome aboard!")
    page.goto(usher.wait_for_link(ann))
    expect(page.get_by_role("heading", name="Join Acme")).to_be_visible()
    states.check("accept-signed-out")
    sign_in(page, unique_email("eve"))
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="This invitation is for another address")).to_be_visible()
    states.check("accept-mismatch")
    page.get_by_role("button", name="Sign in with another account").click()
    sign_in(page, ann)
    expect(page.get_by_role("button", name="Accept invitation")).to_be_visible()
    states.check("accept-signed-in")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    states.check("accept-decline-dialog")
    page.get_by_role("dialog").get_by_role("button", name="Decline invitation").click()
    expect(page.get_by_role("heading", name="Invitation declined")).to_be_visible()
    states.check("accept-declined")

    # accepted
    ben = unique_email("ben")
    tenant.invite(ben)
    page = fresh()
    states.page = page
    page.goto(usher.wait_for_link(ben))
    sign_in(page, ben)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    states.check("accept-joined")

    # expired, and after asking for a new link
    cal = unique_email("cal")
    tenant.invite(cal, expires_in_days=1)
    link = usher.wait_for_link(cal)
    usher.expire(later(3))
    page = fresh()
    states.page = page
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation has expired")).to_be_visible()
    states.check("accept-expired")
    page.get_by_role("button", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="New link requested")).to_be_visible()
    states.check("accept-renewal-requested")

    # revoked, and a token nobody issued
    dee = unique_email("dee")
    inv = tenant.invite(dee)
    link = usher.wait_for_link(dee)
    usher.ok("DELETE", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)
    page = fresh()
    states.page = page
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation was withdrawn")).to_be_visible()
    states.check("accept-revoked")
    page = fresh()
    states.page = page
    page.goto(usher.base + "/accept#token=q3Zr7Jb0x9Hf2LkPzW8sT1uV4yA6cE5gN0mQ-_abcdE")
    expect(page.get_by_role("heading", name="We can't find this invitation")).to_be_visible()
    states.check("accept-unknown")

    # the email-change page: signed out, then confirmed
    gus = unique_email("gus")
    member = tenant.add_member(gus)
    new = unique_email("gus-new")
    usher.ok("PATCH", tenant.path(f"/members/{member['user_id']}"), tenant.owner_token, {"email": new})
    page = fresh()
    states.page = page
    page.goto(usher.wait_for_link(new, kind="email_token"))
    expect(page.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
    states.check("confirm-email-signed-out")
    sign_in(page, gus)
    page.get_by_role("button", name="Confirm new address").click()
    expect(page.get_by_role("heading", name="Address confirmed")).to_be_visible()
    states.check("confirm-email-done")
    states.done(12)
