"""A clinical sign-off belongs to the exact text that was signed."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from education import services
from education.models import EducationPage

from .factories import EducationPageFactory, FAQFactory, ReferenceFactory, reviewer, signed_off
from .test_admin import change_url, form_data

pytestmark = pytest.mark.django_db
SIGNED = "Medically reviewed by Dr. Ada Example"


def review_line(client, page):
    html = client.get(page.get_absolute_url()).content.decode()
    return html[html.index('<p class="review-line">') :].split("</p>", 1)[0]


def test_patients_see_the_reviewer_only_over_the_text_that_was_signed(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # each visit renders the page as stored now
    page = EducationPageFactory()
    FAQFactory(page=page, answer="First answer.")
    signed_off(page, on=timezone.localdate())
    assert SIGNED in review_line(client, page)

    page.body += "\n\nA sentence the reviewer never saw."
    page.save()
    assert SIGNED not in review_line(client, page)
    assert "Last updated" in review_line(client, page)
    assert EducationPage.objects.review_due().filter(pk=page.pk).exists()

    signed_off(page, on=timezone.localdate())
    assert SIGNED in review_line(client, page)


@pytest.mark.parametrize("change", ["faq", "source"])
def test_a_changed_faq_or_source_also_needs_a_new_sign_off(client, change):
    reviewer_user = reviewer()
    page = EducationPageFactory(status=EducationPage.Status.PUBLISHED)
    faq = FAQFactory(page=page, question="Can I drive?", answer="Not until tomorrow.")
    ReferenceFactory(page=page, order=1)
    signed_off(page, on=timezone.localdate(), by=reviewer_user)
    client.force_login(reviewer_user)
    data = form_data(
        page,
        **{
            "faqs-TOTAL_FORMS": 1,
            "faqs-INITIAL_FORMS": 1,
            "faqs-0-id": faq.pk,
            "faqs-0-page": page.pk,
            "faqs-0-order": 1,
            "faqs-0-question": faq.question,
            "faqs-0-answer": "Yes, if you feel fine." if change == "faq" else faq.answer,
        },
    )
    if change == "source":
        ref = page.references.get()
        data.update(
            {
                "references-TOTAL_FORMS": 1,
                "references-INITIAL_FORMS": 1,
                "references-0-id": ref.pk,
                "references-0-page": page.pk,
                "references-0-order": 1,
                "references-0-citation": "A different study.",
                "references-0-url": ref.url,
            }
        )
    else:
        ref = page.references.get()
        data.update(
            {
                "references-TOTAL_FORMS": 1,
                "references-INITIAL_FORMS": 1,
                "references-0-id": ref.pk,
                "references-0-page": page.pk,
                "references-0-order": 1,
                "references-0-citation": ref.citation,
                "references-0-url": ref.url,
            }
        )
    assert client.post(change_url(page), data).status_code == 302
    client.logout()
    assert SIGNED not in review_line(client, page)
    client.force_login(reviewer_user)
    listing = client.get(reverse("admin:education_educationpage_changelist")).content.decode()
    assert "Changed since the review of" in listing


def test_saving_without_changing_the_text_keeps_the_sign_off(client):
    reviewer_user = reviewer()
    page = signed_off(EducationPageFactory(), on=timezone.localdate(), by=reviewer_user)
    client.force_login(reviewer_user)
    assert client.post(change_url(page), form_data(page)).status_code == 302
    client.logout()
    assert SIGNED in review_line(client, page)


def test_the_migration_keeps_only_sign_offs_given_after_the_last_change():
    kept = signed_off(EducationPageFactory(), on=timezone.localdate())
    lost = signed_off(EducationPageFactory(), on=timezone.localdate() - datetime.timedelta(days=3))
    EducationPage.objects.update(reviewed_content_fingerprint="", content_fingerprint="")
    migration = importlib.import_module("education.migrations.0008_signoff_bound_to_text")
    migration.bind_signoffs(apps, schema_editor=None)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.is_clinically_reviewed
    assert not lost.is_clinically_reviewed and lost.content_fingerprint


def test_the_sign_off_service_stamps_the_current_text():
    page = EducationPageFactory()
    services.page_mark_reviewed(page=page, user=reviewer())
    page.refresh_from_db()
    assert page.reviewed_content_fingerprint == page.content_fingerprint != ""
