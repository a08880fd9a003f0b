"""Phones (375 px wide): each table row becomes a card of labelled values, so nothing scrolls
sideways; the nav shows every page, the current one marked; the top bar is one row."""

from playwright.sync_api import expect

from conftest import PHONE, shot, sideways_scrolling, sign_in, unique_email


def open_console_on_a_phone(usher, page, email):
    page.set_viewport_size(PHONE)
    page.goto(usher.base + "/")
    sign_in(page, email)
    expect(page.get_by_role("heading", name="People")).to_be_visible()


def label_of(cell) -> str:
    """The label a stacked cell shows before its value (its ::before content), "" for none."""
    return cell.evaluate("""(el) => {
      const c = getComputedStyle(el, '::before').content;
      return c === 'none' || c === 'normal' ? '' : c.replace(/^"|"$/g, '');
    }""")


def test_on_a_phone_each_person_shows_name_role_status_and_actions_without_sideways_scrolling(usher, tenant, page):
    pat = unique_email("pat")
    tenant.add_member(pat, "admin", profile={"first_name": "Patricia", "last_name": "Longname-Worthington"})
    tenant.invite(unique_email("pending"), "viewer")
    open_console_on_a_phone(usher, page, tenant.owner_email)
    row = page.locator("tr[data-kind=member]", has_text=pat)
    menu_button = row.get_by_role("button", name=f"Actions for {pat}")
    row.scroll_into_view_if_needed()
    name = row.get_by_text("Patricia Longname-Worthington")
    for part in (name, row.get_by_text("Admin", exact=True), row.get_by_text("Member", exact=True), menu_button):
        expect(part).to_be_in_viewport(ratio=1)
    assert sideways_scrolling(page) == []
    # each value says what it is
    assert label_of(row.locator("td").filter(has_text="Admin")) == "Role"
    assert label_of(row.locator("td").filter(has_text="Member")) == "Status"
    assert label_of(row.locator("td").filter(has_text="Patricia")) == ""  # the row's title needs none

    # the row's menu opens beside the name, which stays in view
    menu_button.click()
    expect(page.get_by_role("menuitem", name="Change role")).to_be_in_viewport(ratio=1)
    expect(name).to_be_in_viewport(ratio=1)
    page.keyboard.press("Escape")
    expect(menu_button).to_be_focused()
    shot(page, "phone-people")


def test_on_a_phone_the_nav_shows_every_page_and_the_top_bar_is_one_row(usher, tenant, page):
    usher.create_tenant("Globex International", tenant.owner_email)  # two tenants: the bar has the switcher
    open_console_on_a_phone(usher, page, tenant.owner_email)
    nav = page.get_by_role("navigation")
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    for name in ("People", "Invite people", "Bulk invite", "Roles", "Workspaces", "Audit log", "My invitations"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_in_viewport(ratio=1)
    expect(nav.get_by_role("button", name="Leave this tenant")).to_be_in_viewport(ratio=1)
    expect(nav.get_by_role("link", name="Audit log")).to_have_attribute("aria-current", "page")

    bar = page.locator("header.topbar")
    for part in (bar.locator(".brand"), page.get_by_label("Tenant", exact=True), page.get_by_label("Language"),
                 bar.get_by_role("button", name="Sign out")):
        expect(part).to_be_in_viewport(ratio=1)
    height = bar.bounding_box()["height"]
    assert height <= 56, f"the top bar is {height} px high: more than one row"
    assert sideways_scrolling(page) == []
    shot(page, "phone-nav")
