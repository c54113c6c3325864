"""Staff in the admin, in a real browser: an editor writes a page, a reviewer publishes it."""

import pytest
from playwright.sync_api import expect

from education.models import EducationPage
from tests.education.factories import editor, reviewer

from .journeys import sign_in
from .test_admin_screening import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "a-long-password"  # what the factories give staff users
TITLE = "Coming home after your first infusion"
SLUG = "coming-home-after-your-first-infusion"
QUESTION = "Can my partner drive me home?"
CITATION = "Example A. Recovery after ketamine infusion. J Example Med. 2024;1:1-5."


class StaffMember:
    """One member of staff working in the admin."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url

    def log_in(self, username):
        sign_in(self.page, self.base_url, username, PASSWORD)

    def log_out(self):
        self.page.get_by_role("button", name="Log out").click()
        expect(self.page.get_by_role("heading", name="Logged out")).to_be_visible()

    def open_education_pages(self):
        self.page.goto(self.base_url + "/admin/")
        self.page.get_by_role("link", name="Education pages", exact=True).click()
        expect(
            self.page.get_by_role("heading", name="Select education page to change")
        ).to_be_visible()


def test_editor_drafts_previews_and_submits_reviewer_publishes_patients_see_it(new_context, site):
    editor("edith")
    reviewer("rosa")
    staff_context = new_context()
    staff = StaffMember(staff_context.new_page(), site)
    page = staff.page

    # The editor writes a draft with an FAQ and a reference.
    staff.log_in("edith")
    staff.open_education_pages()
    page.get_by_role("link", name="Add education page").click()
    page.get_by_label("Title:").press_sequentially(TITLE)
    # The admin's own JavaScript fills in the slug: it runs under the site's CSP.
    expect(page.get_by_label("Slug:")).to_have_value(SLUG)
    page.get_by_label("Topic:").select_option(label="After your infusion")
    page.get_by_label("Summary:").fill("What to plan for the trip home and the rest of the day.")
    page.get_by_label("Body:").fill(
        "## Getting home\n\nAn adult must take you home. Do not drive until the next day."
    )
    # The inlines' "Add another" buttons are the admin's JavaScript too.
    page.get_by_role("button", name="Add another FAQ").click()
    page.locator("#id_faqs-0-question").fill(QUESTION)
    page.locator("#id_faqs-0-answer").fill("Yes, if they are an adult and have not had alcohol.")
    page.get_by_role("button", name="Add another Reference").click()
    page.locator("#id_references-0-citation").fill(CITATION)
    page.locator("#id_references-0-url").fill("https://doi.org/10.1000/example.1")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert EducationPage.objects.get(slug=SLUG).status == EducationPage.Status.DRAFT

    # Preview, in a new tab, as patients will see it.
    with staff_context.expect_page() as new_tab:
        page.get_by_role("link", name="Preview as patients will see it").click()
    preview = new_tab.value
    expect(preview.get_by_role("status")).to_contain_text("This is how patients will see the page")
    expect(preview.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(preview.locator("details.faq summary")).to_have_text(QUESTION)
    expect(preview.locator(".references")).to_contain_text(CITATION)
    preview.close()

    # Not published yet: patients cannot see it.
    visitor = new_context().new_page()
    assert visitor.goto(f"{site}/learn/{SLUG}/").status == 404

    # Submit for review, from the page itself. An editor is offered nothing else.
    workflow = page.locator(".workflow-panel")
    expect(workflow).to_contain_text("Draft: patients cannot see this page.")
    expect(workflow.get_by_role("link")).to_have_text(["Submit for review"])
    workflow.get_by_role("link", name="Submit for review").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Submit for review: {TITLE}").click()
    expect(page.locator(".messagelist")).to_contain_text("was submitted for clinical review")
    staff.log_out()

    # The clinical reviewer publishes it, on the page, after a confirmation naming it. The
    # list has no bulk publish or sign-off: a wrongly ticked row cannot go live.
    staff.log_in("rosa")
    staff.open_education_pages()
    action_labels = page.get_by_label("Action:").locator("option").all_inner_texts()
    assert not [
        label
        for label in action_labels
        if "Publish" in label or ("review" in label.lower() and "Submit" not in label)
    ]
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.locator(".workflow-panel")).to_contain_text("Waiting for clinical review")
    assert_accessible(page)
    page.locator(".workflow-panel").get_by_role("link", name="Publish", exact=True).click()
    expect(page.get_by_text("Patients will see it on the website at once.")).to_be_visible()
    page.get_by_role("button", name=f"Publish: {TITLE}").click()
    expect(page.locator(".messagelist")).to_contain_text("is published: patients can read it now")

    # An anonymous visitor now finds it.
    response = visitor.goto(f"{site}/learn/{SLUG}/")
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    visitor.locator("details.faq summary").click()
    expect(visitor.locator(".faq__answer")).to_contain_text("Yes, if they are an adult")
    expect(visitor.get_by_role("link", name="https://doi.org/10.1000/example.1")).to_be_visible()


def test_reviewer_asks_for_changes_editor_fixes_and_resubmits_then_it_goes_live(new_context, site):
    from tests.education.factories import EducationPageFactory, FAQFactory, TopicFactory

    author = editor("edith")
    reviewer("rosa")
    draft = EducationPageFactory(
        title=TITLE,
        slug=SLUG,
        topic=TopicFactory(slug="after"),
        status=EducationPage.Status.IN_REVIEW,
        author=author,
    )
    FAQFactory(page=draft, question=QUESTION, answer="Yes.")
    staff = StaffMember(new_context().new_page(), site)
    page = staff.page

    # The reviewer reads it and asks for a change, with a comment.
    staff.log_in("rosa")
    page.goto(f"{site}/admin/education/educationpage/{draft.pk}/change/")
    page.locator(".workflow-panel").get_by_role("link", name="Request changes").click()
    assert_accessible(page)
    page.get_by_label("What needs to change (required)").fill(
        "Say that the driver must be an adult who has not had alcohol."
    )
    page.get_by_role("button", name=f"Request changes: {TITLE}").click()
    expect(page.locator(".messagelist")).to_contain_text("is back with its editor")
    staff.log_out()

    # The editor sees it on their home page and on the page, fixes the FAQ and resubmits.
    staff.log_in("edith")
    expect(page.locator("#my-pages-panel")).to_contain_text("Changes requested")
    page.locator("#my-pages-panel").get_by_role("link", name=TITLE).click()
    expect(page.locator(".workflow-panel")).to_contain_text("must be an adult who has not had")
    page.locator("#id_faqs-0-answer").fill("Yes, if they are an adult and have not had alcohol.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.locator(".workflow-panel").get_by_role("link", name="Submit for review").click()
    page.get_by_label("A note for the reviewer: what changed (optional)").fill("Done.")
    page.get_by_role("button", name=f"Submit for review: {TITLE}").click()
    staff.log_out()

    # The reviewer publishes, and a patient reads the fixed answer.
    staff.log_in("rosa")
    expect(page.locator("#waiting-for-review-panel")).to_contain_text(TITLE)
    page.locator("#waiting-for-review-panel").get_by_role("link", name=TITLE).click()
    expect(page.locator(".workflow-panel")).to_contain_text("Submitted for review")
    page.locator(".workflow-panel").get_by_role("link", name="Publish", exact=True).click()
    page.get_by_role("button", name=f"Publish: {TITLE}").click()
    visitor = new_context().new_page()
    visitor.goto(f"{site}/learn/{SLUG}/")
    visitor.locator("details.faq summary").click()
    expect(visitor.locator(".faq__answer")).to_contain_text("have not had alcohol")


def test_an_editor_changes_a_live_faq_the_reviewer_compares_and_publishes_it(new_context, site):
    editor("edith")
    reviewer("rosa")
    live = EducationPage.objects.get(slug="after-your-infusion")
    question = live.faqs.first().question
    staff = StaffMember(new_context().new_page(), site)
    page = staff.page
    visitor = new_context().new_page()

    # The editor cannot change the live page itself, but starts draft changes of it.
    staff.log_in("edith")
    page.goto(f"{site}/admin/education/educationpage/{live.pk}/change/")
    page.locator(".workflow-panel").get_by_role("link", name="Start draft changes").click()
    page.get_by_role("button", name=f"Start draft changes: {live.title}").click()
    expect(page.locator(".workflow-panel")).to_contain_text("Draft changes of the live page")
    page.locator("#id_faqs-0-answer").fill("A new answer, written by the editor.")
    page.get_by_role("button", name="Save and continue editing").click()
    page.locator(".workflow-panel").get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name=f"Submit for review: {live.title}").click()
    staff.log_out()

    # Patients still read the live answer.
    visitor.goto(f"{site}{live.get_absolute_url()}")
    visitor.locator("details.faq summary").first.click()
    expect(visitor.locator(".faq__answer").first).not_to_contain_text("written by the editor")

    # The reviewer compares the changes with the live page, then publishes them.
    staff.log_in("rosa")
    page.locator("#waiting-for-review-panel").get_by_role("link").first.click()
    page.get_by_role("link", name="Compare these changes with the live page").click()
    expect(page.get_by_text("Common questions (FAQs): changed")).to_be_visible()
    expect(page.get_by_text("Body: no change")).to_be_visible()
    expect(page.locator(".text-diff").first).to_contain_text("written by the editor")
    assert_accessible(page)
    page.go_back()
    page.locator(".workflow-panel").get_by_role("link", name="Publish changes").click()
    page.get_by_role("button", name=f"Publish changes: {live.title}").click()
    expect(page.locator(".messagelist")).to_contain_text("its changes are on the live page now")

    visitor.goto(f"{site}{live.get_absolute_url()}")
    visitor.locator("details.faq summary", has_text=question).click()
    expect(visitor.locator(".faq__answer").first).to_contain_text("written by the editor")
