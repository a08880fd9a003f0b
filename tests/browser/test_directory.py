"""The directory in the console: "Invite from directory" (pick a company, people who are not
users yet with filters, sort and a selection kept across filters, a role per person and "Change
role" for all, review with "to send" and "errors", send and the two reports), and the Directory
settings page (SCIM base URL, tokens shown once, provisioning mode, group → role map, the
employee list upload). People get into a tenant's directory the way an identity provider puts
them there: SCIM, with a token the owner makes through the API."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

import pytest
from playwright.sync_api import Page, expect

from conftest import DESKTOP, PHONE, axe_violations, read_csv_download, shot, sideways_scrolling, sign_in, unique_email

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Directory:
    """A tenant's directory, filled over SCIM as an identity provider does."""

    def __init__(self, usher, tenant):
        self.usher = usher
        self.tenant = tenant
        self.token = usher.ok("POST", tenant.path("/scim-tokens"), tenant.owner_token, {"name": "Test IdP"})["token"]

    def scim(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict | None]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.usher.base + "/scim/v2" + path, method=method, data=data, headers={
            "authorization": f"Bearer {token or self.token}", "content-type": "application/scim+json", "accept": "application/scim+json"})
        try:
            with urllib.request.urlopen(req, timeout=15) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, (json.loads(text) if text else None)

    def person(self, first: str, last: str, *, email: str | None = "auto", title: str = "", department: str = "", company: str = "", active: bool = True) -> dict:
        """Adds a person; answers them with their SCIM id and email (None: none on file)."""
        if email == "auto":
            email = unique_email(f"{first}.{last}".lower())
        body = {"schemas": [USER, ENTERPRISE], "userName": email or f"{first}.{last}.{uuid.uuid4().hex[:6]}".lower(),
                "name": {"givenName": first, "familyName": last}, "active": active, "title": title,
                ENTERPRISE: {"department": department, "organization": company}}
        if email:
            body["emails"] = [{"value": email, "type": "work", "primary": True}]
        status, data = self.scim("POST", "/Users", body)
        assert status == 201, data
        return {"scim_id": data["id"], "email": email, "name": f"{first} {last}"}

    def deactivate(self, person: dict) -> None:
        status, data = self.scim("PATCH", f"/Users/{person['scim_id']}", {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": False}]})
        assert status == 200, data


@pytest.fixture
def directory(usher, tenant) -> Directory:
    return Directory(usher, tenant)


def open_page(usher, page: Page, email: str, route: str, heading: str) -> None:
    page.goto(usher.base + "/")
    sign_in(page, email)
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    page.goto(usher.base + f"/#/{route}")
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


def open_directory(usher, page, tenant) -> None:
    open_page(usher, page, tenant.owner_email, "directory", "Invite from directory")


def people_rows(page: Page):
    return page.get_by_role("table", name="People who are not users yet").locator("tbody tr")


def names_shown(page: Page) -> list[str]:
    return [n.strip() for n in people_rows(page).locator(".name").all_inner_texts()]


def two_companies(directory: Directory) -> dict[str, dict]:
    d = directory
    return {
        "ada": d.person("Ada", "Lovelace", title="Engineer", department="R&D", company="Globex"),
        "grace": d.person("Grace", "Hopper", title="Admiral", department="Navy", company="Globex"),
        "alan": d.person("Alan", "Turing", title="Engineer", department="Crypto", company="Globex"),
        "nomail": d.person("Noemi", "Nomail", email=None, title="Engineer", department="R&D", company="Globex"),
        "hedy": d.person("Hedy", "Lamarr", title="Inventor", department="R&D", company="Initech"),
    }


# ---------------------------------------------------------------------------- step 1: company
def test_the_company_step_lists_each_company_and_leads_to_that_companys_people_only(usher, tenant, directory, page):
    people = two_companies(directory)
    open_directory(usher, page, tenant)
    step = page.get_by_role("heading", name="Select a company")
    expect(step).to_be_visible()
    expect(page.get_by_role("list", name="Steps").get_by_role("listitem")).to_have_text(
        [re.compile(r"1\s*Company"), re.compile(r"2\s*People"), re.compile(r"3\s*Roles"), re.compile(r"4\s*Review"), re.compile(r"5\s*Sent")])
    expect(page.get_by_label(re.compile(r"^Globex"))).to_be_visible()
    expect(page.get_by_text("(4 people)")).to_be_visible()
    expect(page.get_by_text("(1 person)")).to_be_visible()
    page.get_by_label(re.compile(r"^Initech")).check()
    page.get_by_role("button", name="Next").click()
    heading = page.get_by_role("heading", name="People who are not users yet")
    expect(heading).to_be_focused()
    expect(people_rows(page)).to_have_count(1)
    expect(people_rows(page)).to_contain_text(people["hedy"]["email"])
    # back, and another company
    page.get_by_role("button", name="Back").click()
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    expect(people_rows(page)).to_have_count(4)
    assert sorted(names_shown(page)) == ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Noemi Nomail"]


def test_the_company_step_is_skipped_when_the_directory_has_a_single_company(usher, tenant, directory, page):
    directory.person("Ada", "Lovelace", company="Globex")
    directory.person("Grace", "Hopper", company="Globex")
    open_directory(usher, page, tenant)
    expect(page.get_by_role("heading", name="People who are not users yet")).to_be_visible()
    expect(page.get_by_role("heading", name="Select a company")).to_have_count(0)
    expect(page.get_by_role("list", name="Steps").get_by_role("listitem")).to_have_text(
        [re.compile(r"1\s*People"), re.compile(r"2\s*Roles"), re.compile(r"3\s*Review"), re.compile(r"4\s*Sent")])
    expect(people_rows(page)).to_have_count(2)
    # one company: no company filter to offer
    expect(page.get_by_role("search").get_by_label("Company", exact=True)).to_have_count(0)


# ---------------------------------------------------------------------------- step 2: people
def test_people_who_are_members_invited_or_inactive_are_not_offered(usher, tenant, directory, page):
    member = unique_email("member")
    tenant.add_member(member)
    directory.person("Mia", "Member", email=member, company="Globex")
    invited = directory.person("Ivo", "Invited", company="Globex")
    tenant.invite(invited["email"])
    gone = directory.person("Gus", "Gone", company="Globex")
    directory.deactivate(gone)
    directory.person("Nina", "New", company="Globex")
    open_directory(usher, page, tenant)
    expect(people_rows(page)).to_have_count(1)
    assert names_shown(page) == ["Nina New"]


def test_the_selection_is_kept_across_filters_and_counted(usher, tenant, directory, page):
    people = two_companies(directory)
    open_directory(usher, page, tenant)
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    expect(people_rows(page)).to_have_count(4)
    count = page.get_by_test_id("selected-count")
    expect(count).to_have_text("0 selected")
    filters = page.get_by_role("search", name="Filter people")

    filters.get_by_label("Department").select_option("Navy")
    expect(people_rows(page)).to_have_count(1)
    page.get_by_label("Select Grace Hopper").check()
    expect(count).to_have_text("1 selected")

    filters.get_by_label("Department").select_option("")
    filters.get_by_label("Job title").select_option("Engineer")
    expect(people_rows(page)).to_have_count(3)
    assert "Grace Hopper" not in names_shown(page)
    page.get_by_label("Select Ada Lovelace").check()
    page.get_by_label("Select Alan Turing").check()
    expect(count).to_have_text("3 selected")

    # a search narrows further; the selected people who are not shown stay selected
    filters.get_by_label("Search").fill("ada")
    expect(people_rows(page)).to_have_count(1)
    expect(page.get_by_label("Select Ada Lovelace")).to_be_checked()
    page.get_by_label("Select Ada Lovelace").uncheck()
    expect(count).to_have_text("2 selected")

    filters.get_by_label("Search").fill("")
    filters.get_by_label("Job title").select_option("")
    expect(people_rows(page)).to_have_count(4)
    expect(page.get_by_label("Select Grace Hopper")).to_be_checked()
    expect(page.get_by_label("Select Alan Turing")).to_be_checked()
    expect(page.get_by_label("Select Ada Lovelace")).not_to_be_checked()
    # and the person with no email says so
    expect(people_rows(page).filter(has_text="Noemi Nomail")).to_contain_text("no email on file")

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=re.compile("^Give each person a role"))).to_be_focused()
    roles = page.get_by_role("table", name=re.compile("^Give each person a role")).locator("tbody tr")
    expect(roles).to_have_count(2)
    assert sorted(n.strip() for n in roles.locator(".name").all_inner_texts()) == ["Alan Turing", "Grace Hopper"]
    assert people["grace"]["email"] in roles.all_inner_texts()[0] + roles.all_inner_texts()[1]


def test_sorting_by_name_job_title_or_department_orders_the_people_shown(usher, tenant, directory, page):
    two_companies(directory)
    open_directory(usher, page, tenant)
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    expect(people_rows(page)).to_have_count(4)
    sort = page.get_by_role("search").get_by_label("Sort by")
    # by name: family name first (Hopper, Lovelace, Nomail, Turing)
    assert names_shown(page) == ["Grace Hopper", "Ada Lovelace", "Noemi Nomail", "Alan Turing"]
    sort.select_option("title")
    assert names_shown(page)[0] == "Grace Hopper"  # Admiral before the three Engineers
    assert names_shown(page)[1:] == ["Ada Lovelace", "Noemi Nomail", "Alan Turing"]
    sort.select_option("department")
    assert names_shown(page) == ["Alan Turing", "Grace Hopper", "Ada Lovelace", "Noemi Nomail"]  # Crypto, Navy, R&D, R&D


def test_load_more_brings_the_next_page_and_keeps_the_selection(usher, tenant, directory, page):
    for i in range(105):
        directory.person("Person", f"N{i:03d}", company="Globex")
    open_directory(usher, page, tenant)
    expect(people_rows(page)).to_have_count(100)
    page.get_by_label("Select Person N000").check()
    page.get_by_role("button", name="Load more").click()
    expect(people_rows(page)).to_have_count(105)
    expect(page.locator("#main").get_by_text("105 people shown")).to_be_visible()
    expect(page.get_by_label("Select Person N000")).to_be_checked()
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    page.get_by_label("Select Person N104").check()
    expect(page.get_by_test_id("selected-count")).to_have_text("2 selected")


# ---------------------------------------------------------------------------- step 3: roles
def test_change_role_gives_one_role_to_every_selected_person_and_each_row_keeps_its_own_choice(usher, tenant, directory, page):
    two_companies(directory)
    open_directory(usher, page, tenant)
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Select everyone shown").check()
    expect(page.get_by_test_id("selected-count")).to_have_text("4 selected")
    page.get_by_role("button", name="Next").click()
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Noemi Nomail"):
        expect(page.get_by_label(f"Role for {name}")).to_have_value("member")
    page.get_by_label("Role for all 4 selected").select_option("viewer")
    page.get_by_role("button", name="Change role").click()
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Noemi Nomail"):
        expect(page.get_by_label(f"Role for {name}")).to_have_value("viewer")
    page.get_by_label("Role for Grace Hopper").select_option("admin")
    # taking someone out of the selection
    page.get_by_role("button", name="Remove Alan Turing").click()
    expect(page.get_by_label("Role for Alan Turing")).to_have_count(0)
    expect(page.get_by_label("Role for all 3 selected")).to_be_visible()
    # the roles chosen survive going back to the list and coming back
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_test_id("selected-count")).to_have_text("3 selected")
    expect(page.get_by_label("Select Alan Turing")).not_to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Role for Grace Hopper")).to_have_value("admin")
    expect(page.get_by_label("Role for Ada Lovelace")).to_have_value("viewer")


# ---------------------------------------------------------------------------- steps 4 and 5 (bulk rows by directory_person_id)
def choose_globex_people(page: Page, names: list[str]) -> None:
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    for name in names:
        page.get_by_label(f"Select {name}").check()
    page.get_by_role("button", name="Next").click()


def test_review_send_and_both_reports_with_a_person_without_an_email_as_an_error(usher, tenant, directory, page):
    people = two_companies(directory)
    open_directory(usher, page, tenant)
    choose_globex_people(page, ["Ada Lovelace", "Grace Hopper", "Noemi Nomail"])
    page.get_by_label("Role for Grace Hopper").select_option("admin")
    page.get_by_role("button", name="Review invitations").click()

    ok, bad = page.get_by_test_id("list-ok"), page.get_by_test_id("list-bad")
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations to send\s*2$"))
    expect(bad.get_by_role("heading")).to_have_text(re.compile(r"^Invitation errors\s*1$"))
    expect(ok).to_contain_text(people["ada"]["email"])
    expect(ok).to_contain_text(people["grace"]["email"])
    expect(bad).to_contain_text("Noemi Nomail")
    expect(bad).to_contain_text("No email address on file.")
    assert tenant.invitations(email=people["ada"]["email"]) == []  # the review wrote nothing

    page.get_by_role("button", name="Send", exact=True).click()
    expect(ok.get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*2$"))
    expect(page.locator("#main").get_by_text("2 invitations sent; 1 row with an error.")).to_be_visible()
    [ada] = tenant.invitations(email=people["ada"]["email"])
    [grace] = tenant.invitations(email=people["grace"]["email"])
    assert (ada["status"], ada["role"], grace["role"]) == ("pending", "member", "admin")

    with page.expect_download() as d:
        ok.get_by_role("button", name="Download report").click()
    sent = read_csv_download(d.value)
    assert sorted((r["email"], r["role"], r["outcome"]) for r in sent) == sorted([
        (people["ada"]["email"], "member", "invited"), (people["grace"]["email"], "admin", "invited")])
    with page.expect_download() as d:
        bad.get_by_role("button", name="Download report").click()
    errors = read_csv_download(d.value)
    assert [(r["name"], r["code"], r["email"]) for r in errors] == [("Noemi Nomail", "missing_email", "")]

    # those invited are no longer offered
    page.get_by_role("button", name="Invite more from the directory").click()
    expect(page.get_by_role("heading", name="People who are not users yet")).to_be_focused()
    expect(people_rows(page)).to_have_count(2)  # Globex is still the company chosen
    assert sorted(names_shown(page)) == ["Alan Turing", "Noemi Nomail"]


def test_a_person_deactivated_after_being_chosen_is_an_invitation_error(usher, tenant, directory, page):
    people = two_companies(directory)
    open_directory(usher, page, tenant)
    choose_globex_people(page, ["Ada Lovelace", "Alan Turing"])
    directory.deactivate(people["alan"])  # the identity provider, meanwhile
    page.get_by_role("button", name="Review invitations").click()
    bad = page.get_by_test_id("list-bad")
    expect(bad.get_by_role("heading")).to_have_text(re.compile(r"^Invitation errors\s*1$"))
    expect(bad).to_contain_text("no longer active in the directory")
    expect(page.get_by_test_id("list-ok")).to_contain_text(people["ada"]["email"])


def test_the_whole_assistant_works_from_the_keyboard(usher, tenant, directory, page):
    people = two_companies(directory)
    open_directory(usher, page, tenant)
    # step 1: the radios take the arrow keys, Enter goes on
    first = page.get_by_label("All companies")
    first.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(re.compile(r"^Globex"))).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="People who are not users yet")).to_be_focused()
    # step 2: Tab to a filter, choose with the keyboard; Space checks a person
    filters = page.get_by_role("search", name="Filter people")
    # The title choices come from the people loaded: wait for them before the key goes to it
    # (under load the key once landed on an empty list and chose nothing).
    expect(filters.get_by_label("Job title").locator("option", has_text="Admiral")).to_have_count(1)
    filters.get_by_label("Job title").focus()
    page.keyboard.press("ArrowDown")  # Admiral
    expect(people_rows(page)).to_have_count(1)
    box = page.get_by_label("Select Grace Hopper")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect(page.get_by_test_id("selected-count")).to_have_text("1 selected")
    filters.get_by_label("Job title").focus()
    page.keyboard.press("ArrowUp")  # all job titles again
    expect(people_rows(page)).to_have_count(4)
    page.get_by_label("Select Ada Lovelace").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    # step 3: the role of one person with the arrow keys, "Change role" with Enter
    expect(page.get_by_role("heading", name=re.compile("^Give each person a role"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Role for all 2 selected")).to_be_focused()
    page.keyboard.press("ArrowDown")  # member → viewer
    expect(page.get_by_label("Role for all 2 selected")).to_have_value("viewer")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change role")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Role for Ada Lovelace")).to_have_value("viewer")
    page.get_by_role("button", name="Review invitations").focus()
    page.keyboard.press("Enter")
    # step 4: focus on the step's heading, then Send from the keyboard
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_focused()
    page.get_by_role("button", name="Send", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sent", exact=True)).to_be_focused()
    for who in ("ada", "grace"):
        [inv] = tenant.invitations(email=people[who]["email"])
        assert inv["role"] == "viewer"


# ---------------------------------------------------------------------------- the settings page
def open_settings(usher, page, tenant) -> None:
    open_page(usher, page, tenant.owner_email, "directory-settings", "Directory settings")


def test_a_scim_token_is_shown_once_with_a_copy_button_then_listed_by_its_start_only(usher, tenant, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=usher.base)
    open_settings(usher, page, tenant)
    expect(page.get_by_label("SCIM base URL", exact=True)).to_have_value(f"{usher.base}/scim/v2")
    page.get_by_role("button", name="Copy the SCIM base URL").click()
    assert page.evaluate("navigator.clipboard.readText()") == f"{usher.base}/scim/v2"

    expect(page.get_by_text("No SCIM tokens")).to_be_visible()
    page.get_by_label("Token name").fill("Okta production")
    page.get_by_role("button", name="Create token").click()
    shown = page.get_by_test_id("new-token")
    expect(shown).to_have_value(re.compile(r"^usher_scim_"))
    token = shown.input_value()
    expect(page.get_by_text("Your new token “Okta production”")).to_be_focused()
    page.get_by_role("button", name="Copy the token").click()
    assert page.evaluate("navigator.clipboard.readText()") == token
    # the token works at the SCIM base URL
    req = urllib.request.Request(f"{usher.base}/scim/v2/Users", headers={"authorization": f"Bearer {token}", "accept": "application/scim+json"})
    with urllib.request.urlopen(req, timeout=15) as r:
        assert r.status == 200
    row = page.locator("tr", has_text="Okta production")
    expect(row).to_contain_text(token[:15] + "…")
    shot(page, "directory-settings-token-1280")

    page.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_test_id("new-token")).to_have_count(0)
    expect(page.get_by_label("Token name")).to_be_focused()
    page.reload()
    expect(page.locator("tr", has_text="Okta production")).to_be_visible()
    assert token not in page.content()

    # revoke: asked first, then refused at once
    page.get_by_role("button", name="Revoke Okta production").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Revoke the token “Okta production”?")
    dialog.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("No SCIM tokens")).to_be_visible()
    try:
        urllib.request.urlopen(req, timeout=15)
        raise AssertionError("a revoked token was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 401


def test_provisioning_mode_group_roles_and_default_role_are_saved(usher, tenant, page):
    open_settings(usher, page, tenant)
    expect(page.get_by_label("Stage them in the directory")).to_be_checked()
    page.get_by_label("Invite them at once").check()
    page.get_by_label("Default role").select_option("viewer")
    page.get_by_role("button", name="Add a group").click()
    expect(page.get_by_label("Group 1", exact=True)).to_be_focused()
    page.get_by_label("Group 1", exact=True).fill("Engineering")
    page.get_by_label("Role for group 1").select_option("admin")
    page.get_by_role("button", name="Add a group").click()
    page.get_by_label("Group 2", exact=True).fill("Sales")
    page.get_by_role("button", name="Add a group").click()
    page.get_by_label("Group 3", exact=True).fill("Temp")
    page.get_by_role("button", name="Remove group 3").click()
    expect(page.get_by_label("Group 3", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#main").get_by_text("Directory settings saved.")).to_be_visible()
    assert usher.ok("GET", tenant.path("/directory/settings"), tenant.owner_token) == {
        "provisioning": "invite", "default_role": "viewer", "group_roles": {"Engineering": "admin", "Sales": "member"}}
    page.reload()
    expect(page.get_by_label("Invite them at once")).to_be_checked()
    expect(page.get_by_label("Group 1", exact=True)).to_have_value("Engineering")
    expect(page.get_by_label("Role for group 1")).to_have_value("admin")
    expect(page.get_by_label("Default role")).to_have_value("viewer")


def test_uploading_the_employee_list_shows_its_counts_and_the_people_can_be_invited(usher, tenant, page, tmp_path):
    a, b, c, d = (unique_email(x) for x in ("ada", "bob", "cy", "dee"))
    header = "external_id,email,first_name,last_name,title,department,company,employee_number,phone,active"
    first = tmp_path / "employees.csv"
    first.write_text("\n".join([header,
        f"e1,{a},Ada,Lovelace,Engineer,R&D,Globex,1,,true",
        f"e2,{b},Bob,Builder,Foreman,Works,Globex,2,,true",
        f"e3,{c},Cy,Clerk,Clerk,Office,Globex,3,,true",
        "e4,not-an-email,Bad,Row,,,Globex,4,,true"]) + "\n")
    open_settings(usher, page, tenant)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Choose a file first.")).to_be_visible()
    page.get_by_label("CSV or Excel file").set_input_files(str(first))
    page.get_by_role("button", name="Upload").click()
    result = page.get_by_test_id("upload-result")
    expect(result.get_by_role("heading", name="Result of employees.csv")).to_be_focused()
    counts = {k: result.locator(f"[data-count={k}] dd") for k in ("added", "updated", "unchanged", "deactivated", "errors")}
    expect(counts["added"]).to_have_text("3")
    expect(counts["updated"]).to_have_text("0")
    expect(counts["deactivated"]).to_have_text("0")
    expect(counts["errors"]).to_have_text("1")
    expect(result).to_contain_text("1 row could not be taken:")
    expect(result).to_contain_text("Row 4: the email is not a valid address.")

    second = tmp_path / "employees-2.csv"
    second.write_text("\n".join([header,
        f"e1,{a},Ada,Lovelace,Chief Engineer,R&D,Globex,1,,true",
        f"e5,{d},Dee,Doe,Analyst,Office,Globex,5,,true"]) + "\n")
    page.get_by_label("CSV or Excel file").set_input_files(str(second))
    page.get_by_role("button", name="Upload").click()
    expect(result.get_by_role("heading", name="Result of employees-2.csv")).to_be_visible()
    expect(counts["added"]).to_have_text("1")
    expect(counts["updated"]).to_have_text("1")
    expect(counts["unchanged"]).to_have_text("0")
    expect(counts["deactivated"]).to_have_text("2")
    expect(counts["errors"]).to_have_text("0")

    page.get_by_role("navigation").get_by_role("link", name="Invite from directory").click()
    expect(people_rows(page)).to_have_count(2)
    assert names_shown(page) == ["Dee Doe", "Ada Lovelace"]
    expect(people_rows(page).filter(has_text="Ada Lovelace")).to_contain_text("Chief Engineer")


# ---------------------------------------------------------------------------- who sees what
def test_only_callers_with_directory_manage_see_the_settings_page(usher, tenant, page):
    viewer = unique_email("viewer")
    tenant.add_member(viewer, "viewer")
    usher.ok("PUT", tenant.path("/roles/inviter"), tenant.owner_token, {"permissions": ["invitations.create", "members.read"]})
    inviter = unique_email("inviter")
    tenant.add_member(inviter, "inviter")

    open_page(usher, page, tenant.owner_email, "directory-settings", "Directory settings")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Directory settings")).to_be_visible()
    expect(nav.get_by_role("link", name="Invite from directory")).to_be_visible()

    for who, sees_invite in ((inviter, True), (viewer, False)):
        page.evaluate("sessionStorage.clear()")
        open_page(usher, page, who, "people", "People")
        nav = page.get_by_role("navigation")
        expect(nav.get_by_role("link", name="Directory settings")).to_have_count(0)
        expect(nav.get_by_role("link", name="Invite from directory")).to_have_count(1 if sees_invite else 0)
        page.goto(usher.base + "/#/directory-settings")
        expect(page.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
        expect(page.get_by_label("SCIM base URL", exact=True)).to_have_count(0)


def test_the_directory_pages_speak_french_and_german(usher, tenant, directory, page):
    two_companies(directory)
    open_directory(usher, page, tenant)
    page.locator("header").get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", level=1, name="Inviter depuis l’annuaire")).to_be_visible()
    expect(page.get_by_role("heading", name="Choisir une entreprise")).to_be_visible()
    page.goto(usher.base + "/#/directory-settings")
    expect(page.get_by_role("heading", level=1, name="Paramètres de l’annuaire")).to_be_visible()
    page.locator("header").get_by_label("Langue").select_option("de")
    expect(page.get_by_role("heading", level=1, name="Verzeichniseinstellungen")).to_be_visible()
    expect(page.get_by_role("button", name="Token erstellen")).to_be_visible()


# ---------------------------------------------------------------------------- accessibility and screens
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_axe_finds_nothing_on_the_directory_pages_and_nothing_scrolls_sideways(usher, tenant, directory, page, size):
    """Every axe-core rule, and no sideways scrolling, on each step before the review and on the
    settings page with a token just made; a screenshot of each, directory-<state>-<width>.png."""
    two_companies(directory)
    directory.person("Bartholomew-Maximilian", "Featherstonehaugh-Worthington", title="Principal Distinguished Engineer",
                     department="Research and Development", company="Globex")
    page.set_viewport_size(size)
    width = size["width"]

    def check(name):
        shot(page, f"directory-{name}-{width}")
        assert axe_violations(page) == [], name
        assert sideways_scrolling(page) == [], name

    open_directory(usher, page, tenant)
    expect(page.get_by_role("heading", name="Select a company")).to_be_visible()
    check("company")
    page.get_by_label(re.compile(r"^Globex")).check()
    page.get_by_role("button", name="Next").click()
    expect(people_rows(page)).to_have_count(5)
    page.get_by_label("Select Grace Hopper").check()
    page.get_by_label("Select Noemi Nomail").check()
    check("people")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Role for Grace Hopper")).to_be_visible()
    check("roles")
    page.goto(usher.base + "/#/directory-settings")
    expect(page.get_by_role("heading", name="SCIM tokens")).to_be_visible()
    expect(page.locator("tr", has_text="Test IdP")).to_be_visible()
    page.get_by_role("button", name="Add a group").click()
    page.get_by_label("Token name").fill("Okta")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    check("settings")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "375px"])
def test_axe_finds_nothing_on_the_directory_review_and_report(usher, tenant, directory, page, size):
    two_companies(directory)
    page.set_viewport_size(size)
    width = size["width"]

    def check(name):
        shot(page, f"directory-{name}-{width}")
        assert axe_violations(page) == [], name
        assert sideways_scrolling(page) == [], name

    open_directory(usher, page, tenant)
    choose_globex_people(page, ["Ada Lovelace", "Noemi Nomail"])
    page.get_by_role("button", name="Review invitations").click()
    expect(page.get_by_test_id("list-bad")).to_contain_text("No email address on file.")
    check("review")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_test_id("list-ok").get_by_role("heading")).to_have_text(re.compile(r"^Invitations sent\s*1$"))
    check("sent")
