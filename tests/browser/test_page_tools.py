"""The tools on patient pages, used as patients use them: the glossary term and the checklist
by keyboard and by touch, and the printed "After your infusion" checklist."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from clinic.models import ClinicDetails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AFTER = "/learn/after-your-infusion/"
PHONE = {"viewport": {"width": 375, "height": 740}, "has_touch": True, "is_mobile": True}


def first_glossary_term(page):
    button = page.locator(".edu-page__body button.glossary-term").first
    tip = page.locator("#" + button.get_attribute("popovertarget"))
    return button, tip


def test_a_glossary_term_opens_and_closes_by_keyboard(page, site):
    page.goto(site + AFTER)
    button, tip = first_glossary_term(page)
    expect(tip).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(button.inner_text().strip()[:3], ignore_case=True)
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    expect(button).to_be_focused()  # focus goes back where the reader was
    page.keyboard.press("Space")
    expect(tip).to_be_visible()
    tip.get_by_role("button", name="Close").click()
    expect(tip).to_be_hidden()


def test_a_glossary_term_opens_by_touch_and_closes_with_a_tap_outside(new_context, site):
    page = new_context(**PHONE).new_page()
    page.goto(site + AFTER)
    button, tip = first_glossary_term(page)
    button.scroll_into_view_if_needed()
    button.tap()
    expect(tip).to_be_visible()
    box = tip.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # fits the phone's screen
    page.touchscreen.tap(5, 5)
    expect(tip).to_be_hidden()


def test_a_screen_reader_hears_the_meaning_right_after_the_term(page, site):
    page.goto(site + AFTER)
    button, _tip = first_glossary_term(page)
    # The meaning follows the button in reading order.
    following = button.evaluate("(el) => el.nextElementSibling.id")
    assert following == button.get_attribute("popovertarget")
    # And the accessibility tree says whether it is open (Chromium's popover invoker state).
    cdp = page.context.new_cdp_session(page)

    def expanded():
        document = cdp.send("DOM.getDocument")
        node = cdp.send(
            "DOM.querySelector",
            {
                "nodeId": document["root"]["nodeId"],
                "selector": ".edu-page__body button.glossary-term",
            },
        )
        tree = cdp.send(
            "Accessibility.getPartialAXTree", {"nodeId": node["nodeId"], "fetchRelatives": False}
        )
        properties = {
            p["name"]: p["value"]["value"] for p in tree["nodes"][0].get("properties", [])
        }
        return properties.get("expanded")

    assert expanded() is False
    button.click()
    assert expanded() is True


def ticked(page):
    return page.locator(".checklist__box:checked")


def test_checklist_ticks_by_keyboard_and_stay_in_this_browser_only(new_context, site):
    context = new_context()
    page = context.new_page()
    page.goto(site + AFTER)
    boxes = page.locator(".checklist__box")
    assert boxes.count() >= 6
    boxes.nth(0).focus()
    page.keyboard.press("Tab")  # from one box to the next, by keyboard alone
    expect(boxes.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(ticked(page)).to_have_count(1)
    page.reload()
    expect(ticked(page)).to_have_count(1)
    expect(boxes.nth(1)).to_be_checked()
    page.locator(".checklist__box").nth(1).focus()
    page.keyboard.press("Space")
    page.reload()
    expect(ticked(page)).to_have_count(0)

    boxes.nth(0).check()
    other_visitor = new_context().new_page()
    other_visitor.goto(site + AFTER)
    expect(ticked(other_visitor)).to_have_count(0)


def test_checklist_ticks_by_touch_on_the_words_too(new_context, site):
    page = new_context(**PHONE).new_page()
    page.goto(site + AFTER)
    label = page.locator(".checklist label").first
    label.scroll_into_view_if_needed()
    label.tap()
    expect(page.locator(".checklist__box").first).to_be_checked()
    size = page.locator(".checklist__box").first.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.5.8 target size


def test_the_printed_after_your_infusion_keeps_each_checklist_on_one_page(page, site):
    clinic = ClinicDetails.load()
    page.goto(site + AFTER)
    page.locator(".checklist__box").first.check()  # a tick on screen is not printed
    pdf = PdfReader(io.BytesIO(page.pdf(format="Letter", print_background=True)))
    texts = [re.sub(r"\s+", " ", sheet.extract_text()) for sheet in pdf.pages]
    assert clinic.name in texts[0][:300] and clinic.phone in texts[0][:300]

    lists = page.eval_on_selector_all(
        ".checklist",
        "(lists) => lists.map((l) => [...l.querySelectorAll('label')]"
        ".map((label) => label.innerText.trim()))",
    )
    assert len(lists) >= 3
    for items in lists:
        pages = {
            number
            for item in items
            for number, text in enumerate(texts)
            if re.sub(r"\s+", " ", item)[:40] in text
        }
        assert len(pages) == 1, f"a checklist is split over pages {pages}: {items}"
    # The meanings of the page's words print in its word list (popovers do not print).
    assert "Words used on this page" in "".join(texts)


def test_the_ticks_of_a_list_can_be_cleared_on_a_shared_device(page, site):
    page.goto(site + AFTER)
    first_list = page.locator("ul.checklist").first
    first_list.locator(".checklist__box").first.check()
    page.get_by_role("button", name="Clear the ticks in this list").first.click()
    expect(first_list.locator(".checklist__box:checked")).to_have_count(0)
    page.reload()
    expect(page.locator(".checklist__box:checked")).to_have_count(0)


def test_printed_checkboxes_are_empty_even_when_ticked_on_screen(page, site):
    page.goto(site + AFTER)
    box = page.locator(".checklist__box").first
    box.check()
    page.emulate_media(media="print")
    look = box.evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.appearance, s.borderTopStyle]; }"
    )
    assert look == ["none", "solid"]
