"""Revisions keep a page whole (FAQs and sources included), and any two can be compared."""

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from education.models import EducationPage, PageRevision

from .factories import EducationPageFactory, FAQFactory, editor, reviewer
from .test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


def revisions_url(page, **query):
    url = reverse("admin:education_educationpage_revisions", args=[page.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def faq_form(page, faq, answer):
    return form_data(
        page,
        **{
            "faqs-TOTAL_FORMS": 1,
            "faqs-INITIAL_FORMS": 1,
            "faqs-0-id": faq.pk,
            "faqs-0-page": page.pk,
            "faqs-0-order": 1,
            "faqs-0-question": faq.question,
            "faqs-0-answer": answer,
        },
    )


def test_an_faq_change_is_a_revision_of_the_page_shown_with_readable_labels(client):
    page = EducationPageFactory(status=EducationPage.Status.DRAFT, title="Getting home")
    faq = FAQFactory(page=page, question="Can my partner drive?", answer="Yes.")
    client.force_login(editor())
    assert client.post(change_url(page), faq_form(page, faq, "Yes.")).status_code == 302
    assert client.post(change_url(page), faq_form(page, faq, "Yes.")).status_code == 302
    assert page.revisions.count() == 1  # saving the same text again keeps no new revision
    client.post(change_url(page), faq_form(page, faq, "Yes, if they have had no alcohol."))
    assert [r.number for r in page.revisions.all()] == [2, 1]

    html = client.get(revisions_url(page)).content.decode()
    assert "Revision 1 compared with revision 2" in html
    assert "Common questions (FAQs): changed" in html
    assert "Title: no change" in html and "Body: no change" in html
    assert '<span class="diff-removed">- Answer: Yes.</span>' in html
    assert '<span class="diff-added">+ Answer: Yes, if they have had no alcohol.</span>' in html
    assert "in_review" not in html and "None" not in html


def test_any_two_revisions_can_be_compared(client):
    page = EducationPageFactory(status=EducationPage.Status.DRAFT, summary="First summary.")
    client.force_login(reviewer())
    for summary in ("First summary.", "Second summary.", "Third summary."):
        client.post(change_url(page), form_data(page, summary=summary))
    html = client.get(revisions_url(page, **{"from": 1, "to": 3})).content.decode()
    assert "Revision 1 compared with revision 3" in html
    assert "- First summary." in html and "+ Third summary." in html
    assert "Second summary." not in html.split("<table>")[0]
    for junk in ("x", "999", "\u00b2", "9" * 5000):
        response = client.get(revisions_url(page, **{"from": junk, "to": junk}))
        assert response.status_code == 200  # unknown numbers fall back to the latest two
        assert "Revision 2 compared with revision 3" in response.content.decode()


def test_revisions_are_for_staff_only(client):
    page = EducationPageFactory()
    response = client.get(revisions_url(page))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_default_content_starts_each_page_with_one_revision_and_a_rerun_adds_none():
    call_command("load_default_content", verbosity=0)
    counts = {page.slug: page.revisions.count() for page in EducationPage.objects.all()}
    assert set(counts.values()) == {1}
    call_command("load_default_content", verbosity=0)
    assert PageRevision.objects.count() == len(counts)
    revision = EducationPage.objects.get(slug="after-your-infusion").revisions.get()
    assert revision.content["faqs"] and revision.content["references"]


def test_a_restore_from_history_is_a_revision_too(client):
    page = EducationPageFactory(status=EducationPage.Status.DRAFT, body="Version one.")
    client.force_login(reviewer())
    client.post(change_url(page), form_data(page, body="Version one."))
    client.post(change_url(page), form_data(page, body="Version two."))
    first = page.history.filter(body="Version one.").earliest()
    restore = reverse(
        "admin:education_educationpage_simple_history", args=[page.pk, first.history_id]
    )
    assert client.post(restore, form_data(first.instance)).status_code == 302
    assert [r.content["body"].strip() for r in page.revisions.all()] == [
        "Version one.",
        "Version two.",
        "Version one.",
    ]


def test_the_migration_gives_each_existing_page_its_first_revision():
    page = EducationPageFactory(title="Before revisions")
    FAQFactory(page=page, question="An old question?")
    PageRevision.objects.all().delete()
    migration = importlib.import_module("education.migrations.0010_page_revisions")
    migration.first_revisions(apps, schema_editor=None)
    revision = page.revisions.get()
    assert revision.number == 1 and revision.content["title"] == "Before revisions"
    assert revision.content["faqs"][0]["question"] == "An old question?"
