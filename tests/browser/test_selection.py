"""The coordinator's selection, on a desktop and on a phone, in Danish and in English, and by keyboard.

While the round recruits, the board reads and shortlists and says that decisions wait; the round moves to Selecting on
its page; decisions are made in place and in bulk (select all); the board sorts; the accepted are told with the
notify step, from a preview of each e-mail in the person's language, and the outbox has the e-mails.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from mentorby.tenants.demo import DEMO_PASSWORD
from tests.browser.test_city_signup import _sign_in
from tests.browser.test_recruitment import recruiting_round

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _t(app, lang: str, text: str, plural: str | None = None, num: int | None = None, **params) -> str:
    """The catalogue's text in `lang`, as the page shows it."""
    from flask_babel import force_locale, gettext, ngettext

    with app.test_request_context(), force_locale(lang):
        return ngettext(text, plural, num, **params) if plural else gettext(text, **params)


def _language(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        page.locator("form.lang button").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def _tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Reach `target` with the Tab key alone from the start of the page's content, and see its focus ring."""
    expect(target).to_be_visible()
    page.locator("#main").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            outline = target.evaluate("element => getComputedStyle(element).outlineStyle")
            assert outline != "none", "the focused element shows no focus ring"
            return
    raise AssertionError(f"{target} is not reached with the Tab key")


def _open(page: Page, link: Locator) -> None:
    """Follow a link and wait until the new page has loaded: htmx and the board's script act only from then on."""
    link.click()
    page.wait_for_load_state("load")


def _outbox(app, emails: list[str]) -> dict[str, tuple[str, str]]:
    """E-mail address -> (kind, body) of the newest message to it."""
    from sqlalchemy import select

    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.models import OutboxMessage
    from mentorby.platform.tenancy import cross_tenant

    with app.app_context(), cross_tenant(db.session):
        rows = db.session.execute(
            select(OutboxMessage.to_email, OutboxMessage.kind, OutboxMessage.body)
            .where(OutboxMessage.to_email.in_(emails)).order_by(OutboxMessage.id)
        ).all()
    return {to: (kind, body) for to, kind, body in rows}


@pytest.mark.parametrize(("screen", "lang"), [("desktop", "en"), ("desktop", "da"), ("phone", "en"),
                                              ("phone", "da")])
def test_select_decide_sort_and_notify(page: Page, live_server, screen: str, lang: str):
    base, app = live_server
    tag = f"{screen}-{lang}"
    people = [("mentee", f"Amira {tag}", f"amira.{tag}@example.org", "da"),
              ("mentee", f"Bruno {tag}", f"bruno.{tag}@example.org", "en"),
              ("mentee", f"Chen {tag}", f"chen.{tag}@example.org", "en"),
              ("mentor", f"Erik {tag}", f"erik.{tag}@example.org", "da"),
              ("mentor", f"Freja {tag}", f"freja.{tag}@example.org", "en"),
              ("mentor", f"Gustav {tag}", f"gustav.{tag}@example.org", "da")]
    round_name = f"Runde {tag}"
    recruiting_round(app, round_name, people)

    def t(text, *args, **params):
        return _t(app, lang, text, *args, **params)

    page.set_viewport_size(SIZES[screen])
    _sign_in(page, base, "koordinator@lyngby-taarbaek.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name=re.compile("Sign out|Log ud"))).to_be_visible()
    page.goto(f"{base}/lyngby-taarbaek/coordinator/")
    _language(page, lang)
    page.get_by_role("link", name=t("Rounds"), exact=True).click()
    page.get_by_role("link", name=round_name).click()
    _open(page, page.get_by_role("link", name=t("Selection board")))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Selection board"))

    # --- recruiting: read and shortlist; decisions wait, and the board says where they are made.
    expect(page.locator("#phase-note")).to_contain_text(t("Recruitment is open:"))
    expect(page.locator("#notify-panel")).to_contain_text(t("People are told of decisions once recruitment has "
                                                            "closed."))
    amira = page.get_by_label(t("Status of %(name)s", name=f"Amira {tag}"))
    expect(amira.locator("option[value=accepted]")).to_have_count(0)
    # The keyboard walks the options without saving anything; Escape puts the saved status back, Enter saves.
    _tab_to(page, amira)
    page.keyboard.press("ArrowDown")
    hint = page.locator(f"tr:has-text('Amira {tag}') .unsaved")
    expect(hint).to_be_visible()
    expect(hint).to_have_text(t("Not saved yet: Enter saves, Escape undoes."))
    shortlisted = t("Shortlisted")
    expect(page.locator("#counters")).not_to_contain_text(shortlisted)
    page.keyboard.press("Escape")
    expect(amira).to_have_value("submitted")
    expect(hint).to_have_text("")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(f"tr:has-text('Amira {tag}') .saved")).to_be_visible()
    expect(page.locator("#counters")).to_contain_text(shortlisted)
    expect(amira).to_have_value("shortlisted")
    expect(amira).to_be_focused()  # the saved row comes back with the focus where it was

    # --- the round moves to Selecting on its page (reached by keyboard from the board).
    to_round = page.get_by_role("link", name=t("Go to the round's page"))
    _tab_to(page, to_round)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    close = page.get_by_role("button", name=t("Close applications and select"))
    _tab_to(page, close)
    page.keyboard.press("Enter")
    expect(page.get_by_text(t("The round is now: %(status)s.", status=t("Selecting")))).to_be_visible()
    _open(page, page.get_by_role("link", name=t("Selection board")))
    expect(page.locator("#phase-note")).to_contain_text(t("Selection:"))

    # --- decisions in place; nobody is told yet, and the counters and notify buttons follow.
    for person, status in (("Amira", "accepted"), ("Bruno", "waitlisted"), ("Chen", "declined")):
        select = page.get_by_label(t("Status of %(name)s", name=f"{person} {tag}"))
        select.select_option(status)
        expect(page.locator(f"tr:has-text('{person} {tag}') .saved")).to_be_visible()
    expect(page.locator("#counters")).to_contain_text(t("%(n)d of %(c)d accepted", n=1, c=20))
    expect(page.locator("#notify-panel")).to_contain_text(t("Notify the wait-listed (%(n)d)", n=1))
    expect(page.locator("#notify-panel")).to_contain_text(t("Notify the declined (%(n)d)", n=1))
    expect(page.locator(f"tr:has-text('Amira {tag}')")).to_contain_text(t("not told yet"))

    # --- select all mentors and accept them in one go, by keyboard.
    page.get_by_label(t("Role"), exact=True).select_option("mentor")
    expect(page.locator(f"tr:has-text('Amira {tag}')")).to_have_count(0)
    select_all = page.get_by_role("link", name=t("Select all"), exact=True)
    _tab_to(page, select_all)
    page.keyboard.press("Enter")
    for person in ("Erik", "Freja", "Gustav"):
        expect(page.get_by_label(t("Select %(name)s", name=f"{person} {tag}"))).to_be_checked()
    bulk = page.get_by_label(t("Set the selected to"))
    _tab_to(page, bulk)
    bulk.select_option("accepted")
    apply = page.get_by_role("button", name=t("Apply to selected"))
    _tab_to(page, apply)
    page.keyboard.press("Enter")
    expect(page.get_by_text(t("%(num)d application changed.", "%(num)d applications changed.", 3))
           ).to_be_visible()
    expect(page.locator("#counters")).to_contain_text(t("%(n)d of %(c)d accepted", n=3, c=20))
    expect(page.locator("#notify-panel")).to_contain_text(t("Notify the accepted (%(n)d)", n=4))

    # --- sort by name, both ways, by keyboard; a filter then keeps the order.
    page.get_by_label(t("Role"), exact=True).select_option("")
    expect(page.locator(f"tr:has-text('Amira {tag}')")).to_have_count(1)
    by_name = page.locator("th", has=page.get_by_role("link", name=re.compile(f"^{t('Name')}")))
    _tab_to(page, by_name.get_by_role("link"))
    page.keyboard.press("Enter")
    expect(by_name).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("table.board tbody tr").first).to_contain_text(f"Amira {tag}")
    _tab_to(page, by_name.get_by_role("link"))
    page.keyboard.press("Enter")
    expect(by_name).to_have_attribute("aria-sort", "descending")
    expect(page.locator("table.board tbody tr").first).to_contain_text(f"Gustav {tag}")
    page.get_by_label(t("Status"), exact=True).select_option("accepted")
    expect(page).to_have_url(re.compile(r"sort=name.*dir=desc|dir=desc.*sort=name"))
    expect(page.locator("table.board tbody tr")).to_have_count(4)
    expect(page.locator("table.board tbody tr").first).to_contain_text(f"Gustav {tag}")

    # --- notify the accepted: a preview of each e-mail in the person's own language, then one send.
    notify = page.get_by_role("link", name=t("Notify the accepted (%(n)d)", n=4))
    _tab_to(page, notify)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Notify the accepted"))
    previews = page.locator(".mail-preview")
    expect(previews).to_have_count(4)
    expect(previews.filter(has_text=f"Amira {tag}").locator(".mail-body")).to_have_attribute("lang", "da")
    expect(previews.filter(has_text=f"Amira {tag}")).to_contain_text("Invitation til Lyngby-Taarbæk Vidensby")
    expect(previews.filter(has_text=f"Freja {tag}").locator(".mail-body")).to_have_attribute("lang", "en")
    expect(previews.filter(has_text=f"Freja {tag}")).to_contain_text(f"Your application to {round_name} is accepted")
    send = page.get_by_role("button", name=t("Send %(num)d e-mail", "Send %(num)d e-mails", 4))
    _tab_to(page, send)
    page.keyboard.press("Enter")
    expect(page.get_by_text(t("%(num)d e-mail is on its way.", "%(num)d e-mails are on their way.", 4))
           ).to_be_visible()
    told = page.locator(".told-list tbody tr")
    expect(told).to_have_count(4)
    expect(page.locator(".told-list")).to_contain_text(re.compile(f"{t('Sent')}|{t('Waiting to be sent')}"))
    expect(page.get_by_text(t("Nobody waits to hear this decision."))).to_be_visible()

    outbox = _outbox(app, [email for _role, _name, email, _locale in people])
    accepted = [email for role, name, email, _ in people if role == "mentor" or name.startswith("Amira")]
    assert {email: outbox[email][0] for email in accepted} == dict.fromkeys(accepted, "invitation")
    assert "Åbn dette link" in outbox[f"amira.{tag}@example.org"][1]  # her own language, not the page's
    assert "Open this link" in outbox[f"freja.{tag}@example.org"][1]
    assert f"bruno.{tag}@example.org" not in outbox and f"chen.{tag}@example.org" not in outbox  # not yet notified

    # Back on the board, the accepted are told and the others still wait.
    _open(page, page.get_by_role("link", name=re.compile(t("Selection board"))).first)
    expect(page.locator(f"tr:has-text('Amira {tag}')")).to_contain_text(t("told"))
    expect(page.locator("#notify-panel")).not_to_contain_text(t("Notify the accepted (%(n)d)", n=4))
    expect(page.locator("#notify-panel")).to_contain_text(t("Notify the declined (%(n)d)", n=1))
