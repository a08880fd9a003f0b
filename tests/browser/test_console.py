"""The admin console: bulk invite with review and reports, deleting a member with the typed
address, row actions, export, roles and workspaces, the French and German UI."""

import re
from pathlib import Path

from playwright.sync_api import expect

from conftest import Tenant, read_csv_download, row_action, shot, sign_in, unique_email


def open_console(usher, page, email):
    page.goto(usher.base + "/")
    sign_in(page, email)
    expect(page.get_by_role("heading", name="People")).to_be_visible()


def test_bulk_invite_with_review_and_reports(usher, tenant, page):
    """(b) Paste rows (some invalid), set a role on selected rows, review both lists, send,
    download both reports and check them."""
    already = unique_email("already")
    tenant.invite(already)
    b1, b2, b3 = unique_email("b1"), unique_email("b2"), unique_email("b3")
    pasted = "\n".join([
        "email,role,first_name,last_name",
        f"{b1},member,Bea,One",
        "not-an-email,member,Bad,Row",
        f"{b2},,Bo,Two",
        f"{b1},viewer,Dup,Row",
        f"{b3},nosuchrole,,",
        f"{already},member,,",
    ])
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    page.get_by_label("Paste emails or CSV").fill(pasted)
    page.get_by_role("button", name="Add rows").click()
    expect(page.locator("#main").get_by_text("6 rows added from the pasted text.")).to_be_visible()

    # a role for the selected rows: rows 1 and 3 (b1 and b2) become viewers
    page.get_by_label(f"Select row 1 ({b1})").check()
    page.get_by_label(f"Select row 3 ({b2})").check()
    page.get_by_label("Role for selected rows (2)").select_option("viewer")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_label(f"Role for row 1 ({b1})")).to_have_value("viewer")
    expect(page.get_by_label(f"Role for row 3 ({b2})")).to_have_value("viewer")
    # and one role per row: row 6 (already invited) as admin
    page.get_by_label(f"Role for row 6 ({already})").select_option("admin")
    shot(page, "bulk-rows")

    page.get_by_role("button", name="Review invitations").click()
    ok = page.get_by_test_id("list-ok")
    bad = page.get_by_test_id("list-bad")
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations to send\s*2$"))
    expect(bad.get_by_role("heading")).to_have_text(re.compile(r"^Invitation errors\s*4$"))
    expect(ok).to_contain_text(b1)
    expect(ok).to_contain_text(b2)
    expect(bad).to_contain_text("not a valid email address")
    expect(bad).to_contain_text("earlier row")
    expect(bad).to_contain_text("nosuchrole")
    expect(bad).to_contain_text("already has a pending invitation")
    shot(page, "bulk-review")
    # the review wrote nothing
    assert tenant.invitations(email=b1) == []

    page.get_by_role("button", name="Send", exact=True).click()
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*2$"))
    expect(bad.get_by_role("heading")).to_have_text(re.compile(r"^Invitation errors\s*4$"))
    expect(page.locator("#main").get_by_text("2 invitations sent; 4 rows with errors.")).to_be_visible()
    shot(page, "bulk-sent")

    for email in (b1, b2):
        [inv] = tenant.invitations(email=email)
        assert inv["status"] == "pending" and inv["role"] == "viewer"
    assert tenant.invitations(email=b3) == []

    with page.expect_download() as d:
        ok.get_by_role("button", name="Download report").click()
    assert re.match(r"invitations-sent-\d{4}-\d{2}-\d{2}\.csv$", d.value.suggested_filename)
    sent = read_csv_download(d.value)
    assert [(r["row"], r["email"], r["role"], r["outcome"]) for r in sent] == [("1", b1, "viewer", "invited"), ("3", b2, "viewer", "invited")]
    assert sent[0]["first_name"] == "Bea" and sent[0]["invitation_id"].startswith("inv_")

    with page.expect_download() as d:
        bad.get_by_role("button", name="Download report").click()
    assert re.match(r"invitation-errors-\d{4}-\d{2}-\d{2}\.csv$", d.value.suggested_filename)
    errors = read_csv_download(d.value)
    assert [(r["row"], r["email"], r["code"]) for r in errors] == [
        ("2", "not-an-email", "invalid_request"),
        ("4", b1, "duplicate_in_upload"),
        ("5", b3, "unknown_role"),
        ("6", already, "already_invited"),
    ]
    assert errors[3]["role"] == "admin" and errors[0]["message"]


def test_delete_member_needs_the_typed_email(usher, tenant, page):
    """(c) The delete dialog keeps its button disabled until the member's address is typed."""
    hal = unique_email("hal")
    member = tenant.add_member(hal, "member", profile={"first_name": "Hal", "last_name": "Jordan"})
    open_console(usher, page, tenant.owner_email)
    row = page.locator("tr[data-kind=member]", has_text=hal)
    expect(row).to_contain_text("Hal Jordan")
    row_action(page, row, "Delete")

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Delete member")).to_be_visible()
    field = dialog.get_by_label("Member's email")
    expect(field).to_be_focused()
    confirm = dialog.get_by_role("button", name="Delete member")
    expect(confirm).to_be_disabled()
    field.fill("someone-else@example.com")
    expect(confirm).to_be_disabled()
    field.press("Enter")  # submitting with the wrong address does nothing
    expect(dialog).to_be_visible()
    assert any(m["email"] == hal for m in tenant.members())
    field.fill(hal.upper())  # addresses compare case-insensitively
    expect(confirm).to_be_enabled()
    shot(page, "delete-member")
    confirm.click()
    expect(dialog).to_be_hidden()
    expect(page.locator("tr[data-kind=member]", has_text=hal)).to_have_count(0)
    assert all(m["email"] != hal for m in tenant.members())
    # the API refuses a wrong confirmation on its own too
    other = tenant.add_member(unique_email("ivy"))
    status, problem = usher.call("DELETE", tenant.path(f"/members/{other['user_id']}"), tenant.owner_token, {"confirm_email": "nope@example.com"})
    assert status == 400 and problem["errors"][0]["code"] == "does_not_match"
    assert member["user_id"] != other["user_id"]


def test_people_actions_search_and_export(usher, tenant, page):
    """Resend, revoke, change role, edit, search and filters, license usage, CSV export."""
    jo = unique_email("jo")
    kim = unique_email("kim")
    lee = unique_email("lee")
    tenant.invite(jo, "member", profile={"first_name": "Jo"})
    tenant.invite(kim, "member")
    tenant.add_member(lee, "member", profile={"first_name": "Lee", "last_name": "Smith"})
    open_console(usher, page, tenant.owner_email)
    expect(page.get_by_test_id("seat-usage")).to_have_text("4 of 20 seats")
    expect(page.locator(".role-usage")).to_contain_text("Owner")
    shot(page, "console-people")

    # resend
    row_action(page, page.locator("tr", has_text=jo), "Resend")
    expect(page.locator("#main").get_by_text(f"A new link was sent to {jo}.")).to_be_visible()
    assert tenant.invitations(email=jo)[0]["resend_count"] == 1

    # revoke (with a confirmation dialog)
    row_action(page, page.locator("tr", has_text=kim), "Revoke")
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text=kim)).to_have_count(0)
    assert tenant.invitations(email=kim)[0]["status"] == "revoked"
    page.get_by_label("Status").select_option("revoked")
    expect(page.locator("tr", has_text=kim)).to_contain_text("Revoked")
    page.get_by_label("Status").select_option("all")

    # change role of a member
    row_action(page, page.locator("tr[data-kind=member]", has_text=lee), "Change role")
    page.get_by_role("dialog").get_by_label("Role").select_option("viewer")
    page.get_by_role("dialog").get_by_role("button", name="Save changes").click()
    expect(page.locator("tr[data-kind=member]", has_text=lee)).to_contain_text("Viewer")
    assert next(m for m in tenant.members() if m["email"] == lee)["role"] == "viewer"

    # edit a pending invitation's profile and settings (PATCH, no new email)
    row_action(page, page.locator("tr", has_text=jo), "Edit")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Last name").fill("March")
    dialog.get_by_label("Record owner").check()
    dialog.get_by_role("button", name="Save changes").click()
    expect(page.locator("tr", has_text=jo)).to_contain_text("Jo March")
    inv = tenant.invitations(email=jo)[0]
    assert inv["profile"]["last_name"] == "March" and inv["record_owner"] is True

    # edit a member: phone with a bad character shows the field's error from the API
    row_action(page, page.locator("tr[data-kind=member]", has_text=lee), "Edit")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Phone").fill("call me")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    dialog.get_by_label("Phone").fill("+44 20 7946 0000")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    assert next(m for m in tenant.members() if m["email"] == lee)["profile"]["phone"] == "+44 20 7946 0000"

    # search (name or email prefix) and role filter
    page.get_by_label("Search").fill("lee")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(lee)
    page.get_by_label("Search").fill("")
    page.get_by_label("Role", exact=True).select_option("owner")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(tenant.owner_email)
    page.get_by_label("Role", exact=True).select_option("")

    # export CSV with the bearer token: a file with the members and the pending invitation
    with page.expect_download() as d:
        page.get_by_role("button", name="Export CSV").click()
    assert d.value.suggested_filename.startswith(f"members-{tenant.id}-") and d.value.suggested_filename.endswith(".csv")
    rows = read_csv_download(d.value)
    by_email = {r["email"]: r for r in rows}
    assert by_email[lee]["status"] == "active" and by_email[lee]["role"] == "viewer"
    assert by_email[jo]["status"] == "pending_activation"
    with page.expect_download() as d:
        page.get_by_role("button", name="Export Excel").click()
    assert d.value.suggested_filename.endswith(".xlsx")
    assert Path(d.value.path()).read_bytes()[:2] == b"PK"


def test_roles_workspaces_and_audit(usher, tenant, page):
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Roles").click()
    page.get_by_role("button", name="New role").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name", exact=True).fill("site-lead")
    dialog.get_by_label("Description").fill("Leads a site")
    dialog.get_by_label("members.read").check()
    dialog.get_by_label("members.export").check()
    dialog.get_by_role("button", name="Create role").click()
    expect(page.locator("tr[data-role=site-lead]")).to_contain_text("members.export")
    role = usher.ok("GET", tenant.path("/roles/site-lead"), tenant.owner_token)
    assert role["permissions"] == ["members.read", "members.export"] and role["description"] == "Leads a site"
    page.locator("tr[data-role=site-lead]").get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.locator("tr[data-role=site-lead]")).to_have_count(0)
    assert usher.call("GET", tenant.path("/roles/site-lead"), tenant.owner_token)[0] == 404

    page.get_by_role("navigation").get_by_role("link", name="Workspaces").click()
    expect(page.locator("#main").get_by_text("No workspaces")).to_be_visible()
    page.get_by_role("button", name="New workspace").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Id").fill("north")
    dialog.get_by_label("Name", exact=True).fill("North depot")
    dialog.get_by_label("Given to invitations that name no workspace").check()
    dialog.get_by_role("button", name="Create workspace").click()
    expect(page.locator("tr[data-workspace=north]")).to_contain_text("North depot")
    page.locator("tr[data-workspace=north]").get_by_role("button", name="Rename").click()
    page.get_by_role("dialog").get_by_label("Name", exact=True).fill("North site")
    page.get_by_role("dialog").get_by_role("button", name="Save changes").click()
    expect(page.locator("tr[data-workspace=north]")).to_contain_text("North site")
    ws = usher.ok("GET", tenant.path("/workspaces"), tenant.owner_token)["data"]
    assert ws == [{"id": "north", "name": "North site", "default": True}]

    # the invite form now offers the workspace as a checkbox
    page.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    expect(page.get_by_role("group", name="Workspaces").get_by_label("North site (north)")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("table")).to_contain_text("workspace.updated")
    expect(page.get_by_role("table")).to_contain_text("role.deleted")
    expect(page.get_by_role("table")).to_contain_text(tenant.owner_email)


def test_tenant_switcher_and_my_invitations(usher, tenant, page):
    other = usher.create_tenant("Globex", tenant.owner_email)
    me_invite = usher.ok("POST", f"/v1/tenants/{other['id']}/invitations", tenant.owner_token, {"email": unique_email("x"), "role": "member"})
    assert me_invite["status"] == "pending"
    # an invitation addressed to the owner, from a third tenant
    third_owner = unique_email("third")
    third = usher.create_tenant("Initech", third_owner)
    usher.ok("POST", f"/v1/tenants/{third['id']}/invitations", usher.sign_in(third_owner), {"email": tenant.owner_email, "role": "admin"})

    open_console(usher, page, tenant.owner_email)
    switcher = page.get_by_label("Tenant")
    expect(switcher.locator("option")).to_have_count(2)
    switcher.select_option(label="Globex")
    expect(page.locator("#main").get_by_text("Members and invitations of Globex.")).to_be_visible()
    expect(page.locator("tr[data-kind=invitation]")).to_have_count(1)
    switcher.select_option(label="Acme")
    expect(page.locator("#main").get_by_text("Members and invitations of Acme.")).to_be_visible()

    page.get_by_role("link", name="My invitations").click()
    table = page.get_by_role("table", name="My invitations")
    expect(table).to_contain_text("Initech")
    expect(table).to_contain_text("Admin")


def test_french_and_german_ui(usher, tenant, new_context):
    """(f) With a French browser the pages speak French; the picker switches to German."""
    page = new_context(locale="fr-FR").new_page()
    page.goto(usher.base + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Connexion à Usher")).to_be_visible()
    sign_in(page, tenant.owner_email, button="Se connecter", label="E-mail")
    expect(page.get_by_role("heading", name="Personnes")).to_be_visible()
    expect(page.locator("#main").get_by_text("Utilisation des licences")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Dernière connexion")).to_be_visible()
    shot(page, "console-fr")

    # an API error in French: inviting an existing member (409 already_member)
    page.get_by_role("navigation").get_by_role("link", name="Inviter des personnes").click()
    page.get_by_label("E-mail", exact=True).fill(tenant.owner_email)
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("alert")).to_have_text("Cette personne est déjà membre.")

    # the invitee's page in French
    zoe = unique_email("zoe")
    tenant.invite(zoe, "member")
    invitee = new_context(locale="fr-FR").new_page()
    invitee.goto(usher.wait_for_link(zoe))
    expect(invitee.get_by_role("heading", name="Rejoindre Acme")).to_be_visible()
    expect(invitee.get_by_test_id("invite-summary")).to_contain_text("vous invite à rejoindre Acme en tant que Membre")
    expect(invitee.get_by_role("button", name="Se connecter")).to_be_visible()

    # the language picker: German, and <html lang> follows
    invitee.get_by_label("Langue").select_option("de")
    expect(invitee.locator("html")).to_have_attribute("lang", "de")
    expect(invitee.get_by_role("heading", name="Acme beitreten")).to_be_visible()
    expect(invitee.get_by_role("button", name="Anmelden")).to_be_visible()


def test_bulk_upload_xlsx_and_csv(usher, tenant, page):
    """Uploads: a real workbook (the API's own XLSX export: extra columns are reported) and a
    semicolon-separated CSV; the review judges every row."""
    import urllib.request

    mia = unique_email("mia")
    tenant.add_member(mia, profile={"first_name": "Mia"})
    req = urllib.request.Request(usher.base + tenant.path("/members/export?format=xlsx"), headers={"authorization": f"Bearer {tenant.owner_token}"})
    xlsx = urllib.request.urlopen(req, timeout=15).read()
    assert xlsx[:2] == b"PK"

    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    page.get_by_label("Upload a CSV or Excel file").set_input_files(files=[{"name": "people.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": xlsx}])
    expect(page.locator("#main").get_by_text("2 rows added from people.xlsx.")).to_be_visible()
    expect(page.locator("#main").get_by_text(re.compile(r"Unknown columns will be ignored: id, name, username"))).to_be_visible()
    expect(page.get_by_label(f"Role for row 2 ({mia})")).to_have_value("member")

    nia = unique_email("nia")
    page.get_by_label("Upload a CSV or Excel file").set_input_files(files=[{"name": "more.csv", "mimeType": "text/csv", "buffer": f"Email;First_Name;Last_Name\n{nia};Nia;Long\n".encode()}])
    expect(page.locator("#main").get_by_text("1 row added from more.csv.")).to_be_visible()
    page.get_by_role("button", name="Review invitations").click()
    ok = page.get_by_test_id("list-ok")
    bad = page.get_by_test_id("list-bad")
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations to send\s*1$"))
    expect(ok).to_contain_text(nia)
    expect(bad.get_by_role("heading")).to_have_text(re.compile(r"^Invitation errors\s*2$"))
    expect(bad).to_contain_text(mia)
    expect(bad).to_contain_text(tenant.owner_email)
    page.get_by_role("button", name="Send", exact=True).click()
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*1$"))
    [inv] = tenant.invitations(email=nia)
    assert inv["profile"] == {"first_name": "Nia", "last_name": "Long"}


def a_tenant_with_pending_invitations(usher, count):
    """A fresh tenant (100 seats) whose owner invited `count` people in one bulk call, and their emails."""
    owner = unique_email("owner")
    tenant = Tenant(usher, usher.create_tenant("Acme", owner, seats=100), owner)
    emails = [unique_email(f"p{i:02d}") for i in range(count)]
    report = usher.ok("POST", tenant.path("/invitations"), tenant.owner_token, {"invitations": [{"email": e, "role": "member"} for e in emails]})
    assert report["summary"]["invited"] == count
    return tenant, emails


def test_paging_with_load_more(usher, page):
    """30 pending invitations: the list shows a page, "Load more" follows next_cursor."""
    tenant, emails = a_tenant_with_pending_invitations(usher, 30)
    open_console(usher, page, tenant.owner_email)
    expect(page.locator("tbody tr")).to_have_count(26)  # the owner, and a page of 25 invitations
    expect(page.locator(".table-foot")).to_contain_text("26 shown")
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("tbody tr")).to_have_count(31)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    shown = set(page.locator("tr[data-kind=invitation]").evaluate_all("rows => rows.map((r) => r.dataset.email)"))
    assert shown == set(emails)


def leave_button(page):
    return page.get_by_role("navigation").get_by_role("button", name="Leave this tenant")


def test_a_member_leaves_a_tenant_after_confirming_and_is_no_longer_a_member(usher, tenant, page):
    """"Leave this tenant" asks first (Escape keeps everything as it was), then leaves: the
    tenant drops out of the switcher, the console opens the next one, and after the last one
    the "no tenant" page shows."""
    mae = unique_email("mae")
    member = tenant.add_member(mae, "member")
    globex_owner = unique_email("globex-owner")
    globex = Tenant(usher, usher.create_tenant("Globex", globex_owner), globex_owner)
    mae_token = usher.sign_in(mae)
    globex.invite(mae, "viewer")  # (add_member would take the first email to mae: Acme's)
    usher.ok("POST", "/v1/invitations/accept", mae_token, {"token": usher.wait_for_link(mae, count=2).split("#token=")[1]})

    open_console(usher, page, mae)
    switcher = page.get_by_label("Tenant", exact=True)
    expect(switcher.locator("option")).to_have_count(2)
    switcher.select_option(label="Acme")
    expect(page.locator("#main").get_by_text("Members and invitations of Acme.")).to_be_visible()

    # the dialog says what leaving means; Escape closes it, focus comes back, nothing changes
    leave_button(page).click()
    dialog = page.get_by_role("dialog", name="Leave Acme?")
    expect(dialog).to_contain_text("You will lose access to Acme at once.")
    expect(dialog).to_contain_text("someone in Acme will have to invite you again")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    shot(page, "leave-tenant")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(leave_button(page)).to_be_focused()
    assert any(m["email"] == mae for m in tenant.members())

    leave_button(page).click()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Leave tenant").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#main").get_by_text("You left Acme.")).to_be_visible()
    expect(page.locator("#status")).to_have_text("You left Acme.")
    # Acme is gone from the switcher: Globex, the only tenant left, is open
    expect(page.get_by_label("Tenant", exact=True)).to_have_count(0)
    expect(page.get_by_test_id("tenant-name")).to_have_text("Globex")
    expect(page.locator("#main").get_by_text("Members and invitations of Globex.")).to_be_visible()

    # the API agrees: no longer a member, no access, the owner's audit log says so
    assert all(m["email"] != mae for m in tenant.members())
    mine = usher.ok("GET", "/v1/me/tenants?limit=100", mae_token)["data"]
    assert [x["tenant_id"] for x in mine] == [globex.id]
    assert usher.call("GET", tenant.path("/members?limit=100"), mae_token)[0] in (403, 404)
    events = usher.ok("GET", tenant.path("/audit?limit=100"), tenant.owner_token)["data"]
    assert any(e["action"] == "member.left" and e["target"] == member["user_id"] for e in events)

    # leaving the last tenant: the "no tenant" page
    leave_button(page).click()
    page.get_by_role("dialog", name="Leave Globex?").get_by_role("button", name="Leave tenant").click()
    expect(page.get_by_role("heading", name="You are not in a tenant yet")).to_be_visible()
    expect(page.locator("#main").get_by_text("You left Globex.")).to_be_visible()
    expect(page.get_by_test_id("tenant-name")).to_have_count(0)
    assert all(m["email"] != mae for m in globex.members())
    assert usher.ok("GET", "/v1/me/tenants?limit=100", mae_token)["data"] == []


def test_the_only_owner_who_tries_to_leave_is_told_why_not_and_stays_an_owner(usher, tenant, page):
    """409 invalid_state: the dialog says why (in the person's language) and leaves only Cancel."""
    open_console(usher, page, tenant.owner_email)
    leave_button(page).click()
    dialog = page.get_by_role("dialog", name="Leave Acme?")
    dialog.get_by_role("button", name="Leave tenant").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "You are the last owner of Acme, so you cannot leave it. Make someone else owner first (People, then Change role), then leave.")
    expect(dialog.get_by_role("button", name="Leave tenant")).to_be_disabled()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    shot(page, "leave-tenant-last-owner")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(leave_button(page)).to_be_focused()
    expect(page.get_by_test_id("tenant-name")).to_have_text("Acme")

    owner = next(m for m in tenant.members() if m["email"] == tenant.owner_email)
    assert owner["role"] == "owner"
    mine = usher.ok("GET", "/v1/me/tenants?limit=100", tenant.owner_token)["data"]
    assert [(x["tenant_id"], x["role"]) for x in mine] == [(tenant.id, "owner")]

    # the same in French
    page.get_by_label("Language").select_option("fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation").get_by_role("button", name="Quitter cette organisation").click()
    dialog = page.get_by_role("dialog", name="Quitter Acme ?")
    dialog.get_by_role("button", name="Quitter l'organisation").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Vous êtes le dernier propriétaire de Acme")
    assert next(m for m in tenant.members() if m["email"] == tenant.owner_email)["role"] == "owner"


def test_an_owner_creates_a_custom_role_then_edits_it(usher, tenant, page):
    """The role dialog: create with some permissions, then edit (the name stays), and the API
    has the change."""
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Roles").click()
    page.get_by_role("button", name="New role").click()
    dialog = page.get_by_role("dialog", name="New role")
    dialog.get_by_label("Name", exact=True).fill("auditor")
    dialog.get_by_label("Description").fill("Reads the audit log")
    dialog.get_by_label("members.read").check()
    dialog.get_by_label("audit.read").check()
    dialog.get_by_role("button", name="Create role").click()
    expect(dialog).to_be_hidden()
    row = page.locator("tr[data-role=auditor]")
    expect(row).to_contain_text("audit.read")
    expect(row).to_contain_text("Custom")
    role = usher.ok("GET", tenant.path("/roles/auditor"), tenant.owner_token)
    assert sorted(role["permissions"]) == ["audit.read", "members.read"]

    row.get_by_role("button", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit role auditor")
    expect(dialog.get_by_label("Name", exact=True)).to_be_disabled()
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("auditor")
    expect(dialog.get_by_label("audit.read")).to_be_checked()
    expect(dialog.get_by_label("members.export")).not_to_be_checked()
    dialog.get_by_label("audit.read").uncheck()
    dialog.get_by_label("members.export").check()
    dialog.get_by_label("Description").fill("Exports the people list")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text("members.export")
    expect(row).not_to_contain_text("audit.read")
    expect(row).to_contain_text("Exports the people list")
    role = usher.ok("GET", tenant.path("/roles/auditor"), tenant.owner_token)
    assert sorted(role["permissions"]) == ["members.export", "members.read"]
    assert role["description"] == "Exports the people list"
    events = usher.ok("GET", tenant.path("/audit?limit=100"), tenant.owner_token)["data"]
    assert {"role.created", "role.updated"} <= {e["action"] for e in events}


def test_the_audit_log_loads_the_next_page(usher, page):
    """More events than the console's page of 50: "Load more" follows next_cursor to the oldest."""
    tenant, _ = a_tenant_with_pending_invitations(usher, 60)
    # the whole log through the API (at most 100 a page)
    total, cursor = 0, None
    while True:
        data = usher.ok("GET", tenant.path("/audit?limit=100" + (f"&cursor={cursor}" if cursor else "")), tenant.owner_token)
        total += len(data["data"])
        cursor = data.get("next_cursor")
        if not cursor:
            break
    assert 50 < total <= 100, total

    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table", name="Audit log")
    expect(table.locator("tbody tr")).to_have_count(50)
    expect(page.locator(".table-foot")).to_contain_text("50 events")
    expect(table).not_to_contain_text("tenant.created")  # the oldest event is on the next page
    page.get_by_role("button", name="Load more").click()
    expect(table.locator("tbody tr")).to_have_count(total)
    expect(page.locator(".table-foot")).to_contain_text(f"{total} events")
    expect(table).to_contain_text("tenant.created")
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)


def test_every_string_is_in_english_french_and_german(usher, page):
    """i18n.js: the same keys in the three languages, and every placeholder of the English string
    in its translations (French "_one" strings may also say {n}: French uses them for 0 too)."""
    page.goto(usher.base + "/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    dicts = page.evaluate("import('/assets/i18n.js').then((m) => m._dicts)")
    en = dicts["en"]

    def placeholders(text):
        return set(re.findall(r"\{(\w+)\}", text))

    for lang in ("fr", "de"):
        assert sorted(dicts[lang]) == sorted(en), lang
        for key, text in en.items():
            extra = placeholders(dicts[lang][key]) - placeholders(text)
            assert placeholders(text) <= placeholders(dicts[lang][key]), (lang, key)
            assert extra <= ({"n"} if key.endswith("_one") else set()), (lang, key)


def test_opening_the_console_is_a_sign_in_that_the_people_list_shows_as_last_login(usher, tenant, page):
    # A provisioned owner has never signed in; opening the tenant in the console records it.
    assert next(m for m in tenant.members() if m["email"] == tenant.owner_email)["last_login_at"] is None
    open_console(usher, page, tenant.owner_email)
    own_row = page.locator("tr[data-kind=member]", has_text=tenant.owner_email)
    expect(own_row).to_be_visible()
    expect(own_row).not_to_contain_text("Never")
    assert next(m for m in tenant.members() if m["email"] == tenant.owner_email)["last_login_at"]


def test_the_second_invitation_sent_from_the_form_is_a_member_with_the_default_notifications(usher, tenant, page):
    """After "Send invitation" the form is back to least privilege and the API's own defaults:
    an admin who invites two people in a row does not make the second an owner."""
    first, second = unique_email("first"), unique_email("second")
    defaults = tenant.invite(unique_email("api"))  # what the API gives when the call names no settings
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    role = page.get_by_label("Role", exact=True)
    expect(role).to_have_value("member")
    page.get_by_label("Email", exact=True).fill(first)
    role.select_option("admin")
    page.get_by_label("Weekly summary").check()
    page.get_by_label("New messages").uncheck()
    page.get_by_label("Record owner").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main").get_by_text(f"Invitation sent to {first} as Admin.")).to_be_visible()

    expect(role).to_have_value("member")
    expect(page.get_by_label("Weekly summary")).not_to_be_checked()
    expect(page.get_by_label("New messages")).to_be_checked()
    expect(page.get_by_label("Renewal requests")).to_be_checked()
    expect(page.get_by_label("Record owner")).not_to_be_checked()
    page.get_by_label("Email", exact=True).fill(second)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main").get_by_text(f"Invitation sent to {second} as Member.")).to_be_visible()

    [inv] = tenant.invitations(email=second)
    assert inv["role"] == "member"
    assert inv["notifications"] == defaults["notifications"]
    assert inv["notifications"] == {"weekly_summary": False, "weekly_summary_workspaces": [], "new_messages": True, "renewal_requests": True}
    assert inv["record_owner"] is False
    [one] = tenant.invitations(email=first)
    assert one["role"] == "admin" and one["record_owner"] is True
    assert one["notifications"]["weekly_summary"] is True and one["notifications"]["new_messages"] is False


def test_an_inviter_who_may_not_grant_member_is_offered_the_least_privileged_role(usher, tenant, page):
    """A role that may invite but not read members cannot grant `member` (nor see it offered):
    the invite form and the bulk rows start at its least-privileged grantable role, and the form
    goes back to it after a send."""
    usher.ok("PUT", tenant.path("/roles/agent"), tenant.owner_token, {"permissions": ["invitations.create", "invitations.read"]})
    usher.ok("PUT", tenant.path("/roles/visitor"), tenant.owner_token, {"permissions": []})
    ann = unique_email("ann")
    tenant.add_member(ann, "agent")
    page.goto(usher.base + "/")
    sign_in(page, ann)  # (no People page for this role: it lacks members.read)
    page.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    role = page.get_by_label("Role", exact=True)
    expect(role.locator("option")).to_have_text(["agent", "visitor"])
    expect(role).to_have_value("visitor")
    bo = unique_email("bo")
    page.get_by_label("Email", exact=True).fill(bo)
    role.select_option("agent")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#main").get_by_text(f"Invitation sent to {bo} as agent.")).to_be_visible()
    expect(role).to_have_value("visitor")
    assert tenant.invitations(email=bo)[0]["role"] == "agent"

    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    expect(page.get_by_label("Role for new rows")).to_have_value("visitor")


def test_after_a_bulk_send_new_rows_get_the_default_role_again(usher, tenant, page):
    """"Role for new rows" is a choice for one batch: once it is sent, the next batch starts
    at `member` again."""
    cal = unique_email("cal")
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    expect(page.get_by_label("Role for new rows")).to_have_value("member")
    page.get_by_label("Role for new rows").select_option("admin")
    page.get_by_label("Paste emails or CSV").fill(cal)
    page.get_by_role("button", name="Add rows").click()
    expect(page.get_by_label(f"Role for row 1 ({cal})")).to_have_value("admin")
    page.get_by_role("button", name="Review invitations").click()
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("list-ok").get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*1$"))
    assert tenant.invitations(email=cal)[0]["role"] == "admin"

    page.get_by_role("button", name="Invite more people").click()
    expect(page.get_by_label("Role for new rows")).to_have_value("member")
    dee = unique_email("dee")
    page.get_by_label("Paste emails or CSV").fill(dee)
    page.get_by_role("button", name="Add rows").click()
    expect(page.get_by_label(f"Role for row 1 ({dee})")).to_have_value("member")


def test_an_empty_invite_form_asks_for_an_email_address(usher, tenant, page):
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Invite people").click()
    page.get_by_role("button", name="Send invitation").click()
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(page.locator("[data-field=email] .field-error")).to_have_text("Enter an email address.")
    expect(page.locator("#main")).not_to_contain_text("it is empty")
    # a malformed address is said in words too, not in the API's lower-case text
    email.fill("ada.example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("[data-field=email] .field-error")).to_have_text("This is not a valid email address.")
    page.locator("header").get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.locator("[data-field=email] .field-error")).to_have_text("Saisissez une adresse e-mail.")
    assert tenant.invitations() == []


def test_the_bulk_review_says_what_is_wrong_with_each_row_in_a_sentence(usher, tenant, page):
    """Each row's problem in the person's words and language (from its code and field errors),
    not the API's lower-case text."""
    already = unique_email("already")
    tenant.invite(already)
    ok, dup = unique_email("ok"), unique_email("dup")
    pasted = "\n".join([
        "email,role,first_name,phone",
        f"{ok},member,Ok,",
        "not-an-email,member,Bad,",
        ",member,Nobody,",
        f"{dup},member,Dup,call me",
        f"{dup},nosuchrole,,",
        f"{already},member,,",
    ])
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    page.get_by_label("Paste emails or CSV").fill(pasted)
    page.get_by_role("button", name="Add rows").click()
    page.get_by_role("button", name="Review invitations").click()
    problems = page.get_by_test_id("list-bad").locator("tbody td:last-child")
    expect(problems).to_have_text([
        "This is not a valid email address.",
        "Enter an email address.",
        "Phone: Only digits, spaces and + - ( ) . are allowed.",
        "The role “nosuchrole” does not exist.",
        "This address already has a pending invitation.",
    ])
    page.locator("header").get_by_label("Language").select_option("de")
    expect(problems).to_have_text([
        "Das ist keine gültige E-Mail-Adresse.",
        "Geben Sie eine E-Mail-Adresse ein.",
        "Telefon: Nur Ziffern, Leerzeichen und + - ( ) . sind erlaubt.",
        "Die Rolle „nosuchrole“ gibt es nicht.",
        "Für diese Adresse gibt es bereits eine ausstehende Einladung.",
    ])


def test_the_audit_log_shows_details_as_labelled_values_and_leaves_out_empty_ones(usher, tenant, page):
    eli = unique_email("eli")
    inv = tenant.invite(eli, "member")
    usher.ok("PATCH", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token, {"record_owner": True, "profile": {"last_name": "Ng"}})
    usher.ok("PATCH", tenant.path(f"/invitations/{inv['id']}"), tenant.owner_token, {"role": "viewer", "notifications": {"weekly_summary": True}})
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Audit log").click()
    table = page.get_by_role("table", name="Audit log")
    updates = table.locator("tr", has_text="invitation.updated")
    expect(updates).to_have_count(2)
    role_change, owner_change = updates.all()  # newest first
    details = role_change.locator("td").last
    expect(details.locator("dt")).to_have_text(["Role", "Changed"])
    expect(details.locator("dd")).to_have_text(["Member → Viewer", "Notifications"])
    details = owner_change.locator("td").last
    expect(details.locator("dt")).to_have_text(["Record owner", "Changed"])
    expect(details.locator("dd")).to_have_text(["Yes", "Profile"])
    expect(table).not_to_contain_text("false")
    expect(table).not_to_contain_text("·")
    created = table.locator("tr", has_text="invitation.created").last.locator("td").last
    expect(created.locator("dt")).to_have_text(["Email domain", "Role"])
    expect(created.locator("dd")).to_have_text(["example.com", "Member"])
    # ids become the people's addresses where the console knows them
    created = table.locator("tr", has_text="tenant.created").locator("td").last
    expect(created.locator("dt")).to_have_text(["Owner"])
    expect(created.locator("dd")).to_have_text([tenant.owner_email])


def test_the_bulk_counts_agree_with_their_nouns_in_every_language(usher, tenant, page):
    """One row of each kind reads "1 invitation", "1 row": not "1 invitations", "1 rows"."""
    open_console(usher, page, tenant.owner_email)
    page.get_by_role("navigation").get_by_role("link", name="Bulk invite").click()
    page.get_by_label("Paste emails or CSV").fill(f"{unique_email('one')}\nnot-an-email")
    page.get_by_role("button", name="Add rows").click()
    page.get_by_role("button", name="Review invitations").click()
    main = page.locator("#main")
    expect(main.get_by_text("Nothing has been sent yet. 1 invitation is ready; 1 row has an error and will be skipped.")).to_be_visible()
    page.locator("header").get_by_label("Language").select_option("fr")
    expect(main.get_by_text("Rien n'a encore été envoyé. 1 invitation est prête ; 1 ligne comporte une erreur et sera ignorée.")).to_be_visible()
    page.locator("header").get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(main.get_by_text("1 invitation sent; 1 row with an error. Emails go out within a minute or two.")).to_be_visible()
