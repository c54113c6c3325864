"""Revisions keep a page whole (FAQs and sources included), and any two can be compared."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from education import services
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


def restore_url(page, number):
    return reverse("admin:education_educationpage_restore", args=[page.pk, number])


def live_page_with_two_revisions(client):
    """A live page whose FAQ answer was changed (revision 2) after it was first kept (1)."""
    page = EducationPageFactory(title="Getting home", body="Old body.")
    faq = FAQFactory(page=page, question="Can I drive?", answer="Not today.")
    services.page_revision_record(page=page)
    faq.answer = "Not until tomorrow."
    faq.save()
    page.body = "New body."
    page.save()
    services.page_revision_record(page=page)
    return page


def test_restoring_an_old_revision_of_a_live_page_makes_draft_changes_not_a_live_change(
    client, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    page = live_page_with_two_revisions(client)
    client.force_login(editor())
    confirmation = client.get(restore_url(page, 1)).content.decode()
    assert "Restore revision 1" in confirmation and "Getting home" in confirmation
    assert "patients keep reading the live page" in confirmation
    assert page.revisions.count() == 2  # asking to confirm changes nothing

    response = client.post(restore_url(page, 1))
    copy = EducationPage.objects.get(draft_of=page)
    assert response.url == change_url(copy)
    assert copy.status == EducationPage.Status.DRAFT and copy.body == "Old body."
    assert [f.answer for f in copy.faqs.all()] == ["Not today."]
    page.refresh_from_db()
    assert page.status == EducationPage.Status.PUBLISHED and page.body == "New body."
    assert [f.answer for f in page.faqs.all()] == ["Not until tomorrow."]
    public = client.get(page.get_absolute_url()).content.decode()
    assert "Not until tomorrow." in public and "Not today." not in public
    assert page.revisions.count() == 2  # the live page has no new revision: nothing changed


def test_restoring_a_draft_s_old_revision_puts_its_text_back_in_draft(client):
    page = EducationPageFactory(status=EducationPage.Status.IN_REVIEW, summary="First summary.")
    services.page_revision_record(page=page)
    page.summary = "Second summary."
    page.save()
    services.page_revision_record(page=page)
    client.force_login(reviewer())
    client.post(restore_url(page, 1))
    page.refresh_from_db()
    assert page.summary == "First summary." and page.status == EducationPage.Status.DRAFT
    assert [r.number for r in page.revisions.all()] == [3, 2, 1]  # the restore is kept too
    assert page.revisions.get(number=3).content["summary"] == "First summary."


def test_the_revisions_page_offers_restore_only_to_those_who_may(client):
    page = live_page_with_two_revisions(client)
    client.force_login(editor())
    html = client.get(revisions_url(page)).content.decode()
    assert restore_url(page, 1) in html and restore_url(page, 2) not in html  # 2 is current
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_educationpage"))
    client.force_login(viewer)
    assert restore_url(page, 1) not in client.get(revisions_url(page)).content.decode()
    client.post(restore_url(page, 1))
    assert not EducationPage.objects.filter(draft_of=page).exists()
    page.refresh_from_db()
    assert page.body == "New body."


def test_a_revision_number_that_does_not_exist_is_a_404(client):
    page = live_page_with_two_revisions(client)
    client.force_login(editor())
    assert client.get(restore_url(page, 9)).status_code == 404
    assert client.post(restore_url(page, 9)).status_code == 404


def test_a_revision_of_another_page_cannot_be_restored_into_this_one():
    page = EducationPageFactory(status=EducationPage.Status.DRAFT)
    other = EducationPageFactory(status=EducationPage.Status.DRAFT)
    revision = services.page_revision_record(page=other)
    with pytest.raises(ValidationError):
        services.page_revision_restore(page=page, revision=revision, user=editor())


def test_restoring_is_refused_over_another_editor_s_open_draft_changes(client):
    page = live_page_with_two_revisions(client)
    services.page_draft_start(page=page, user=editor("edna"))
    with pytest.raises(ValidationError, match="draft changes open by edna"):
        services.page_revision_restore(
            page=page, revision=page.revisions.get(number=1), user=editor("ed")
        )
    copy = EducationPage.objects.get(draft_of=page)
    assert copy.body == "New body."  # edna's copy is untouched
