"""Staff edit the glossary and check a page's sources in a real browser: the admin pages they
use pass axe (WCAG 2.2 AA), and a glossary edit shows on the patient page."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from education.models import EducationPage, GlossaryTerm

from .test_admin_screening import assert_accessible, reviewer_page  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_edits_a_glossary_meaning_and_the_page_explains_it(
    reviewer_page,  # noqa: F811 - the fixture
    site,
    browser_problems,
):
    page = reviewer_page
    page.goto(site + reverse("admin:education_glossaryterm_changelist"))
    assert_accessible(page)
    term = GlossaryTerm.objects.get(term="placebo")
    page.goto(site + reverse("admin:education_glossaryterm_change", args=[term.pk]))
    assert_accessible(page)
    page.get_by_label("Meaning").fill("A dummy treatment with no medicine in it.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(site + reverse("admin:education_glossaryterm_add"))
    assert_accessible(page)

    using = EducationPage.objects.filter(body_html__contains='popovertarget="term-placebo"').first()
    assert using is not None
    page.goto(site + using.get_absolute_url())
    page.locator('button.glossary-term[popovertarget="term-placebo"]').click()
    expect(page.locator("#term-placebo")).to_contain_text("no medicine in it")


def test_the_page_form_with_its_sources_check_passes_axe(
    reviewer_page,  # noqa: F811 - the fixture
    site,
):
    page = reviewer_page
    edu_page = EducationPage.objects.get(slug="after-your-infusion")
    page.goto(site + reverse("admin:education_educationpage_change", args=[edu_page.pk]))
    expect(page.get_by_text("Every source is cited")).to_be_visible()
    assert_accessible(page)


def test_the_revisions_and_compare_page_passes_axe(reviewer_page, site):  # noqa: F811
    from education import services

    page = reviewer_page
    edu_page = EducationPage.objects.get(slug="after-your-infusion")
    faq = edu_page.faqs.first()
    faq.answer += " Ask us if you are not sure."
    faq.save()
    services.page_revision_record(page=edu_page)
    page.goto(site + reverse("admin:education_educationpage_change", args=[edu_page.pk]))
    page.get_by_role("link", name="Revisions and compare").click()
    expect(page.get_by_role("heading", name="Revision 1 compared with revision 2")).to_be_visible()
    expect(page.get_by_text("Common questions (FAQs): changed")).to_be_visible()
    assert_accessible(page)


def test_the_staff_emails_list_and_an_email_pass_axe(reviewer_page, site):  # noqa: F811
    from django.contrib.auth.models import Permission

    from clinic.models import StaffEmail
    from education import services

    page = reviewer_page
    reviewer = get_user_model().objects.get(username="rita.reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="view_staffemail"))
    editor = get_user_model().objects.create_user(
        "eddie.editor", "eddie@example.org", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Content editors"))
    draft = EducationPage.objects.get(slug="after-your-infusion")
    draft.status = EducationPage.Status.DRAFT
    draft.save()
    services.page_submit_for_review(page=draft, user=editor, comment="New FAQ on driving.")
    email = StaffEmail.objects.get()

    page.goto(site + reverse("admin:clinic_staffemail_changelist"))
    expect(page.get_by_role("link", name=email.subject)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=email.subject).click()
    expect(page.get_by_text("New FAQ on driving.")).to_be_visible()
    assert_accessible(page)
