"""The coordinator closes recruitment, accepts a mentor and two mentees, proposes pairs, and publishes."""

import re

import pytest
from playwright.sync_api import Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_actions_usable, assert_no_sideways_scroll
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import _english

pytestmark = pytest.mark.browser

ROUND = "Forår 2027"


def open_round(page: Page, base: str) -> str:
    """The demo's recruiting round's page, as the signed-in coordinator; returns its address."""
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name=ROUND).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ROUND)
    return page.url


def close_recruitment(page: Page, round_url: str) -> None:
    """Move the round to "Selecting" on its page (decisions, speed networking and matching need it)."""
    page.goto(round_url)
    button = page.get_by_role("button", name="Close applications and select")
    if button.count():
        button.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Selecting")


def reopen_recruitment(page: Page, round_url: str) -> None:
    """Back to "Recruiting", as the demo had it: later browser tests apply to this round through its public forms."""
    page.goto(round_url)
    page.get_by_role("button", name="Open recruitment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recruiting")


def accept(page: Page, round_url: str, names: tuple[str, ...]) -> None:
    """Accept these applicants on the round's selection board (as the board is on this branch)."""
    page.goto(round_url)
    page.get_by_role("link", name="Selection board").click()
    chosen = 0
    for name in names:
        # Another browser test may have accepted them already.
        if page.locator("tr", has_text=name).get_by_label(f"Status of {name}").input_value() != "accepted":
            page.get_by_label(f"Select {name}").check()
            chosen += 1
    if chosen:
        page.get_by_label("Set the selected to").select_option("accepted")
        page.get_by_role("button", name="Apply to selected").click()
    for name in names:
        expect(page.locator("tr", has_text=name).get_by_label(f"Status of {name}")).to_have_value("accepted")


def test_propose_change_and_publish(page: Page, live_server):
    base, _app = live_server
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    _english(page)  # the demo coordinator chose Danish, unless an earlier test switched
    round_url = open_round(page, base)

    # While the round recruits, the board says why it proposes nothing yet and leads to the round's page.
    page.goto(round_url.rstrip("/") + "/matching")
    if page.get_by_role("button", name="Open recruitment").count() == 0:  # not left selecting by another test
        expect(page.locator("#why-no-matching")).to_contain_text("Pairs are made once recruitment has closed")
        expect(page.get_by_role("button", name="Propose pairs")).to_have_count(0)
        page.get_by_role("link", name="Go to the round's page to move it on").click()
        expect(page.get_by_role("button", name="Close applications and select")).to_be_visible()
    close_recruitment(page, round_url)
    accept(page, round_url, ("Sofie Holm", "Ana Rodrigues", "Wei Chen"))
    expect(page.locator("#counters")).to_contain_text("Mentees: 2 of 20 accepted")

    page.goto(round_url.rstrip("/") + "/matching")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching")
    # The picker chooses no one until the coordinator does, and shows each candidate's score and places.
    picker = page.get_by_label("Mentor for Ana Rodrigues", exact=True)
    expect(picker).to_have_value("")
    expect(picker.locator("option").nth(1)).to_have_text(re.compile(r"^Sofie Holm – score \d+ – 1 place free$"))
    page.get_by_role("button", name="Set Mentor for Ana Rodrigues").click()
    expect(page.get_by_role("alert")).to_have_text("Choose a mentor for Ana Rodrigues in the list first.")

    page.get_by_label("Priority").select_option("everyone_matched")
    page.get_by_role("button", name="Propose pairs").click()
    # Sofie takes one mentee: the other is unmatched, with the reason in plain words.
    expect(page.get_by_text("every suitable mentor is full")).to_be_visible()
    expect(page.get_by_text(re.compile(r"1 proposed, 0 published"))).to_be_visible()
    expect(page.locator("#last-run")).to_contain_text("Best pairs overall (optimal), everyone matched first")

    # Groups: no mentor offered one. The board says so, and that the proposal on it is still the optimal one's.
    page.get_by_label("Method").select_option("groups")
    page.get_by_role("button", name="Propose pairs").click()
    expect(page.get_by_role("alert")).to_contain_text("proposed nothing. No mentor offered to mentor a group")
    expect(page.get_by_role("alert")).to_contain_text("Nothing on the board has changed.")
    expect(page.get_by_text(re.compile(r"1 proposed, 0 published"))).to_be_visible()
    expect(page.locator("#last-run")).to_contain_text("Best pairs overall (optimal), everyone matched first")
    expect(page.get_by_text(re.compile("pairs? proposed with"))).to_have_count(0)

    # Stable: Sofie (one place) takes the mentee she scores highest; the other waits, with the same reason in words.
    page.get_by_label("Method").select_option("stable")
    page.get_by_role("button", name="Propose pairs").click()
    expect(page.locator("#last-run")).to_contain_text("Stable: no two would rather have each other")
    expect(page.get_by_text(re.compile(r"1 proposed, 0 published"))).to_be_visible()
    expect(page.get_by_text("every suitable mentor is full")).to_be_visible()

    # Every action on the board can be read and reached with the keyboard.
    assert assert_actions_usable(page, "#matching-board") >= 8

    page.get_by_role("button", name="Publish 1 proposed pair").click()
    expect(page.get_by_text(re.compile(r"0 proposed, 1 published"))).to_be_visible()
    expect(page.locator("table.board")).to_contain_text("published")

    # The score weights lead back to this board, and saving returns to it.
    page.get_by_role("link", name="Score weights").click()
    expect(page.get_by_role("link", name=f"Back to the matching board of {ROUND}")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matching")
    expect(page.get_by_text("The next proposal uses these weights")).to_be_visible()

    # On a phone, each mentee is a card: nothing is cut off, in either language.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert_no_sideways_scroll(page)
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_text(re.compile(r"0 foreslået, 1 offentliggjort"))).to_be_visible()
    assert_no_sideways_scroll(page)
    page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    reopen_recruitment(page, round_url)

    # A running round's board: published pairs get a new mentor or end, behind summaries that must work too.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/lyngby-taarbaek/coordinator/cohorts/")
    page.get_by_role("link", name="Vinter 2026").click()
    page.get_by_role("link", name="Matching").click()
    expect(page.locator("summary").first).to_be_visible()
    assert assert_actions_usable(page, "#matching-board") >= 12
    # On a phone, a new mentor's picker, opened, stays within its card: its options are as long as names and scores.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("details summary").first.click()
    expect(page.locator("details[open] select").first).to_be_visible()
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_board_check_finds_faint_unreachable_and_unmarked_actions(browser):
    """The check itself: white on white, out of the tab order, or no focus ring each fail it (no axe here)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<div id="b"><button>Pin</button> <a href="#x">Forbid</a></div>')
    assert assert_actions_usable(page, "#b") == 2
    page.set_content('<div id="b"><button style="color: #fff; background: none">Pin</button></div>')
    with pytest.raises(AssertionError, match="too faint"):
        assert_actions_usable(page, "#b")
    page.set_content('<div style="background: rgba(0, 0, 0, .9)" id="b"><a href="#x" style="color: #111">Pin</a></div>')
    with pytest.raises(AssertionError, match="too faint"):
        assert_actions_usable(page, "#b")
    page.set_content('<div id="b"><button>Pin</button><button tabindex="-1">Forbid</button></div>')
    with pytest.raises(AssertionError, match="never reaches"):
        assert_actions_usable(page, "#b")
    page.set_content('<style>button:focus { outline: none }</style><div id="b"><button>Pin</button></div>')
    with pytest.raises(AssertionError, match="no focus ring"):
        assert_actions_usable(page, "#b")
    context.close()
