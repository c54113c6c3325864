"""The front desk's inbox in a real browser: urgency is the first thing in each row, at the
widths staff use, and the labels pass axe (WCAG 2.2 AA, colour contrast included)."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from contact.models import Topic
from tests.contact.factories import InquiryFactory

from . import journeys
from .test_accessibility import AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-password"
WIDTHS = [1280, 1024]

# The page, or the admin's box around the table (which scrolls on its own when the table is
# wider than the window).
PAGE_SCROLLS_SIDEWAYS = """() => {
  const root = document.documentElement;
  const results = document.querySelector("#changelist .results");
  return root.scrollWidth > root.clientWidth ||
    (results !== null && results.scrollWidth > results.clientWidth);
}"""


@pytest.fixture
def inbox(site):
    """A front-desk account and an inbox with urgent, medical, ordinary and closed inquiries,
    with long values, as a busy day has them."""
    desk = get_user_model().objects.create_user(
        "dana.front-desk-supervisor", "dana@example.org", PASSWORD, is_staff=True
    )
    desk.groups.add(Group.objects.get(name="Front desk"))
    topic = Topic.objects.order_by("-label").first()
    now = timezone.now()
    made = {}
    for reference, minutes_ago, fields in [
        ("NEW-EST", 1, {}),
        ("MED-ICL", 5, {"is_medical": True, "status": "in_progress", "assigned_to": desk}),
        ("URG-ENT", 90, {"is_urgent": True}),
        ("URG-MED", 200, {"is_urgent": True, "is_medical": True, "status": "waiting"}),
        ("CLO-SED", 2, {"is_urgent": True, "status": "closed"}),
        ("SPA-MMM", 3, {"status": "spam"}),
    ]:
        made[reference] = InquiryFactory(
            topic=topic,
            reference=reference,
            received_at=now - timedelta(minutes=minutes_ago),
            **fields,
        )
    return made


def sign_in(page, site):
    journeys.sign_in(page, site, "dana.front-desk-supervisor", PASSWORD)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_inbox_shows_urgent_and_medical_labels_first_within_the_window(
    new_context, site, inbox, browser_problems, width
):
    page = new_context(viewport={"width": width, "height": 800}).new_page()
    sign_in(page, site)
    page.get_by_role("link", name="Inquiries", exact=True).click()
    expect(page.locator("#result_list")).to_be_visible()

    # Open inquiries only, urgent first (then newest), and the filter says so.
    rows = page.locator("#result_list tbody tr")
    references = [text.strip() for text in rows.locator("th.field-reference").all_inner_texts()]
    assert references == ["URG-ENT", "URG-MED", "NEW-EST", "MED-ICL"]
    status_filter = page.locator("#changelist-filter")
    expect(status_filter.locator("li.selected", has_text="Open (new, in progress, waiting)"))
    expect(status_filter.get_by_role("link", name="All but spam")).to_be_visible()

    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS), f"the inbox scrolls sideways at {width}px"
    urgent = page.locator(".inbox-flag--urgent")
    medical = page.locator(".inbox-flag--medical")
    assert urgent.count() == 2 and medical.count() == 2
    for label, text in [(urgent.first, "Urgent"), (medical.first, "Medical")]:
        expect(label).to_be_visible()
        expect(label).to_have_text(text)
        box = label.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (text, box, width)
    # The label is the first cell after the checkbox in its row.
    first_row_cells = rows.first.locator("td, th")
    expect(first_row_cells.nth(1)).to_contain_text("Urgent")
    expect(first_row_cells.nth(2)).to_have_text("URG-ENT")

    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, results.generate_report()
    browser_problems.assert_none(page, f"inbox at {width}px")

    # "All but spam" shows the closed one too; the labels stay first.
    status_filter.get_by_role("link", name="All but spam").click()
    expect(page.locator("#result_list")).to_contain_text("CLO-SED")
    assert not page.evaluate(PAGE_SCROLLS_SIDEWAYS)
