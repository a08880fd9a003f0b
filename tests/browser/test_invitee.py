"""The invitee's pages: /accept (invite → accept, expired, replaced, revoked, unknown, email
mismatch, decline) and /confirm-email."""

import re

from playwright.sync_api import expect

from conftest import later, row_action, shot, sign_in, unique_email


def test_invite_from_console_then_accept(usher, tenant, new_context):
    """(a) Invite from the console → the link from the outbox → sign in as the invitee → accept
    → the person is a member in the console."""
    admin = new_context().new_page()
    admin.goto(usher.base + "/")
    sign_in(admin, tenant.owner_email)
    expect(admin.get_by_role("heading", name="People")).to_be_visible()

    admin.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    ada = unique_email("ada")
    admin.get_by_label("Email", exact=True).fill(ada)
    admin.get_by_label("First name").fill("Ada")
    admin.get_by_label("Last name").fill("Lovelace")
    admin.get_by_label("Company").fill("Analytical Engines")
    admin.get_by_label("Role", exact=True).select_option("admin")
    admin.get_by_label("Personal message").fill("Welcome aboard!")
    admin.get_by_label("Link valid for (days)").fill("5")
    admin.get_by_label("Weekly summary").check()
    admin.get_by_label("Record owner").check()
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator("#main").get_by_text(f"Invitation sent to {ada} as Admin.")).to_be_visible()

    # The API has it, with every field the form sent.
    [inv] = tenant.invitations(email=ada)
    assert inv["status"] == "pending" and inv["role"] == "admin"
    assert inv["profile"] == {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Engines"}
    assert inv["message"] == "Welcome aboard!"
    assert inv["notifications"]["weekly_summary"] is True and inv["record_owner"] is True

    # The people list shows it as pending activation.
    admin.get_by_role("navigation").get_by_role("link", name="People", exact=True).click()
    row = admin.locator("tr", has_text=ada)
    expect(row).to_contain_text("Pending activation")

    # The invitee opens the link from the email.
    link = usher.wait_for_link(ada)
    assert link.startswith(usher.base + "/accept#token=")
    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join Acme")).to_be_visible()
    assert "#" not in invitee.url and "token" not in invitee.url  # the token left the address bar
    expect(invitee.get_by_test_id("invite-summary")).to_have_text(f"{tenant.owner_email} invited you to join Acme as Admin.")
    masked = ada[0] + "***@example.com"
    expect(invitee.locator(".facts")).to_contain_text(masked)
    shot(invitee, "accept")

    sign_in(invitee, ada, name="Ada Lovelace")
    expect(invitee.locator("#main").get_by_text(f"Signed in as {ada}.")).to_be_visible()
    invitee.get_by_role("button", name="Accept invitation").click()
    expect(invitee.get_by_role("heading", name="You joined Acme")).to_be_visible()
    expect(invitee.locator("#main").get_by_text("You are now a member, with the role Admin.")).to_be_visible()
    shot(invitee, "accept-joined")

    # The API says member; so does the console once reloaded.
    member = next(m for m in tenant.members() if m["email"] == ada)
    assert member["role"] == "admin" and member["profile"]["first_name"] == "Ada"
    assert tenant.invitations(email=ada)[0]["status"] == "accepted"
    admin.reload()
    row = admin.locator("tr[data-kind=member]", has_text=ada)
    expect(row).to_contain_text("Member")
    expect(row).to_contain_text("Admin")
    expect(admin.get_by_test_id("seat-usage")).to_have_text("2 of 20 seats")

    # The new member's console opens on the tenant they joined.
    invitee.get_by_role("link", name="Open the console").click()
    expect(invitee.get_by_role("heading", name="People")).to_be_visible()
    expect(invitee.get_by_test_id("tenant-name")).to_have_text("Acme")


def test_the_name_given_at_sign_in_is_what_the_invitee_and_the_people_list_read(usher, new_context):
    """Issue 19.4: "Your name — shown to the people you invite" is kept at sign-in: the landing
    page and the email say "Grace Hopper invited you", not the address, and People shows it."""
    owner = unique_email("grace")
    usher.create_tenant("Acme", owner)
    admin = new_context().new_page()
    admin.goto(usher.base + "/")
    sign_in(admin, owner, name="Grace Hopper")
    expect(admin.get_by_role("heading", name="People")).to_be_visible()
    expect(admin.locator("tr", has_text=owner)).to_contain_text("Grace Hopper")

    admin.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    ada = unique_email("ada")
    admin.get_by_label("Email", exact=True).fill(ada)
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator("#main").get_by_text(f"Invitation sent to {ada}")).to_be_visible()

    link = usher.wait_for_link(ada)
    assert any("Grace Hopper" in mail for mail in usher.emails_to(ada)), "the email names the inviter"
    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_test_id("invite-summary")).to_have_text("Grace Hopper invited you to join Acme as Member.")


def test_expired_page_asks_for_a_new_link(usher, tenant, page, new_context):
    """(d) An expired invitation: a clear page, and "Ask for a new link" reaches the inviter."""
    bob = unique_email("bob")
    inv = tenant.invite(bob, expires_in_days=1)
    link = usher.wait_for_link(bob)
    usher.expire(later(3))
    assert tenant.usher.ok("GET", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)["status"] == "expired"

    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation has expired")).to_be_visible()
    expect(page.locator("#main").get_by_text("The link to join Acme is no longer valid")).to_be_visible()
    shot(page, "accept-expired")
    page.get_by_role("button", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="New link requested")).to_be_visible()
    # the inviter by the name their sign-in carried (the Tenant fixture's "Olivia Owner"), not their address
    expect(page.locator("#main").get_by_text("We asked Olivia Owner to send you a new link.")).to_be_visible()

    after = tenant.usher.ok("GET", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)
    assert after["status"] == "expired" and after.get("renewal_requested_at")
    # the console lists it as expired, with the request, and can send it again
    admin = new_context().new_page()
    admin.goto(usher.base + "/")
    sign_in(admin, tenant.owner_email)
    row = admin.locator("tr[data-kind=invitation]", has_text=bob)
    expect(row).to_contain_text("Expired")
    expect(row).to_contain_text("asked for a new link")
    row_action(admin, row, "Resend")
    expect(admin.locator("tr[data-kind=invitation]", has_text=bob)).to_contain_text("Pending activation")
    assert tenant.usher.ok("GET", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)["status"] == "pending"


def test_email_mismatch_then_the_right_account(usher, tenant, page):
    """(e) Signed in with another address: 403 email_mismatch is explained, the invitation stays
    pending, and signing in with the invited address works."""
    bob = unique_email("bob")
    eve = unique_email("eve")
    tenant.invite(bob, "member")
    page.goto(usher.wait_for_link(bob))
    sign_in(page, eve)
    expect(page.locator("#main .notice.warning")).to_contain_text(f"which does not look like {eve}")
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="This invitation is for another address")).to_be_visible()
    expect(page.get_by_test_id("mismatch-text")).to_contain_text(f"You are signed in as {eve}")
    expect(page.get_by_test_id("mismatch-text")).to_contain_text(bob[0] + "***@example.com")
    shot(page, "accept-mismatch")
    assert tenant.invitations(email=bob)[0]["status"] == "pending"
    assert all(m["email"] != eve for m in tenant.members())

    page.get_by_role("button", name="Sign in with another account").click()
    sign_in(page, bob)
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("heading", name="You joined Acme")).to_be_visible()
    assert any(m["email"] == bob for m in tenant.members())


def test_a_signed_in_invitee_sees_no_stray_null_between_who_they_are_and_the_buttons(usher, tenant, page):
    """The card once ended "Signed in as ... Use another account null" (a null appended as text)."""
    cy = unique_email("cy")
    tenant.invite(cy)
    page.goto(usher.wait_for_link(cy))
    sign_in(page, cy)
    card = page.locator("#main section.card")
    expect(card.get_by_role("button", name="Accept invitation")).to_be_visible()
    expect(card.get_by_role("button", name="Decline")).to_be_visible()
    expect(card).not_to_contain_text("null")
    # the signed-in line, then straight to the buttons
    text = card.inner_text()
    between = text.split("Use another account", 1)[1].split("Accept invitation", 1)[0]
    assert between.strip() == "", between


def test_replaced_revoked_used_and_unknown_links(usher, tenant, new_context):
    """Closed links each get their own page: replaced (a newer email), revoked, used, unknown."""
    # replaced: a resend sends a new link; the first one reads as replaced
    cat = unique_email("cat")
    inv = tenant.invite(cat)
    first = usher.wait_for_link(cat)
    tenant.usher.ok("POST", tenant.path(f"/invitations/{inv['id']}/resend"), tenant.owner_token)
    usher.wait_for_link(cat, count=2)
    p = new_context().new_page()
    p.goto(first)
    expect(p.get_by_role("heading", name="A newer link was sent")).to_be_visible()
    expect(p.get_by_text("Please use the newest email you received.")).to_be_visible()

    # revoked
    dan = unique_email("dan")
    inv = tenant.invite(dan)
    link = usher.wait_for_link(dan)
    tenant.usher.ok("DELETE", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)
    p = new_context().new_page()
    p.goto(link)
    expect(p.get_by_role("heading", name="This invitation was withdrawn")).to_be_visible()

    # used: accepted already, opened again
    eli = unique_email("eli")
    tenant.add_member(eli)
    p = new_context().new_page()
    p.goto(usher.wait_for_link(eli))
    expect(p.get_by_role("heading", name="This invitation was already accepted")).to_be_visible()

    # unknown: a well-formed token nobody issued, and no token at all
    p = new_context().new_page()
    p.goto(usher.base + "/accept#token=q3Zr7Jb0x9Hf2LkPzW8sT1uV4yA6cE5gN0mQ-_abcdE")
    expect(p.get_by_role("heading", name="We can't find this invitation")).to_be_visible()
    assert "token" not in p.url
    p = new_context().new_page()
    p.goto(usher.base + "/accept")
    expect(p.get_by_role("heading", name="We can't find this invitation")).to_be_visible()


def test_decline_with_a_reason(usher, tenant, page):
    fay = unique_email("fay")
    inv = tenant.invite(fay)
    page.goto(usher.wait_for_link(fay))
    sign_in(page, fay)
    page.get_by_role("button", name="Decline").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Reason").fill("Wrong team, sorry")
    dialog.get_by_role("button", name="Decline invitation").click()
    expect(page.get_by_role("heading", name="Invitation declined")).to_be_visible()
    after = tenant.usher.ok("GET", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token)
    assert after["status"] == "declined" and after["decline_reason"] == "Wrong team, sorry"


def test_confirm_email_change(usher, tenant, page, new_context):
    """An admin changes a member's address in the console; the member confirms it from the link."""
    gus = unique_email("gus")
    tenant.add_member(gus)
    new = unique_email("gus-new")
    admin = new_context().new_page()
    admin.goto(usher.base + "/")
    sign_in(admin, tenant.owner_email)
    row_action(admin, admin.locator("tr[data-kind=member]", has_text=gus), "Edit")
    admin.get_by_role("dialog").get_by_label("Email", exact=True).fill(new)
    admin.get_by_role("dialog").get_by_role("button", name="Save changes").click()
    expect(admin.locator("tr[data-kind=member]", has_text=gus)).to_contain_text(f"Email change pending: {new}")

    link = usher.wait_for_link(new, kind="email_token")
    page.goto(link)  # /confirm-email#email_token=... (a host's own ACCEPT_URL page gets the same fragment)
    expect(page).to_have_url(re.compile(r"/confirm-email$"))
    assert "email_token" not in page.url
    expect(page.get_by_role("heading", name="Confirm your new email address")).to_be_visible()
    sign_in(page, gus)
    page.get_by_role("button", name="Confirm new address").click()
    expect(page.get_by_role("heading", name="Address confirmed")).to_be_visible()
    expect(page.locator("#main").get_by_text(f"Your account now uses {new}.")).to_be_visible()
    assert any(m["email"] == new for m in tenant.members())

    # the same link again: used up
    page.goto(link)
    page.get_by_role("button", name="Confirm new address").click()
    expect(page.get_by_role("heading", name="This link is not valid")).to_be_visible()
    assert re.match(r"^http://127\.0\.0\.1:\d+/confirm-email$", page.url)
