"""A clinical sign-off belongs to the exact text that was signed."""

import importlib
import shutil

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from education import default_content, services
from education.fingerprints import page_fingerprint
from education.models import EducationPage, GlossaryTerm

from .factories import (
    EducationPageFactory,
    FAQFactory,
    GlossaryTermFactory,
    ReferenceFactory,
    reviewer,
    signed_off,
)
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


def test_the_migration_keeps_only_sign_offs_with_no_text_change_after_them():
    today = timezone.localdate()
    kept = signed_off(EducationPageFactory(title="Kept"), on=today)
    kept.status = EducationPage.Status.PUBLISHED  # publishing is no change to the text
    kept.save()
    edited_same_day = signed_off(EducationPageFactory(title="Edited"), on=today)
    edited_same_day.body = "Text nobody reviewed."
    edited_same_day.save()
    faq_added = signed_off(EducationPageFactory(title="FAQ added"), on=today)
    FAQFactory(page=faq_added, answer="An answer nobody reviewed.")
    never_signed = EducationPageFactory(title="Never signed")
    EducationPage.objects.update(reviewed_content_fingerprint="", content_fingerprint="")

    migration = importlib.import_module("education.migrations.0008_signoff_bound_to_text")
    migration.bind_signoffs(apps, schema_editor=None)

    signed = {page.title: page.is_clinically_reviewed for page in EducationPage.objects.all()}
    assert signed == {"Kept": True, "Edited": False, "FAQ added": False, "Never signed": False}
    assert (
        never_signed.content_fingerprint
        or EducationPage.objects.get(title="Never signed").content_fingerprint
    )


def test_a_changed_glossary_meaning_on_the_page_needs_a_new_sign_off():
    GlossaryTermFactory(term="placebo", slug="placebo", other_forms="", meaning="A dummy.")
    page = signed_off(
        EducationPageFactory(body="Compared with a placebo."), on=timezone.localdate()
    )
    assert page.is_clinically_reviewed
    GlossaryTerm.objects.filter(term="placebo").update(meaning="A different meaning.")
    services.pages_rerender(words=["placebo"])
    page.refresh_from_db()
    assert not page.is_clinically_reviewed


def test_new_default_text_never_replaces_a_signed_off_page(tmp_path, monkeypatch):
    call_command("load_default_content", verbosity=0)
    page = signed_off(
        EducationPage.objects.get(slug="after-your-infusion"), on=timezone.localdate()
    )
    changed = tmp_path / "content"
    shutil.copytree(default_content.CONTENT_DIR, changed)
    for path in changed.glob("*.toml"):
        path.write_text(path.read_text().replace("call the clinic", "call our clinic"))
    monkeypatch.setattr(default_content, "CONTENT_DIR", changed)
    call_command("load_default_content", verbosity=0)
    page.refresh_from_db()
    assert "call our clinic" not in page.body and page.is_clinically_reviewed
    assert "call our clinic" in EducationPage.objects.get(slug="side-effects-and-safety").body


def test_the_sign_off_service_stamps_the_current_text():
    page = EducationPageFactory(body="Signed text.")
    FAQFactory(page=page, answer="A signed answer.")
    services.page_mark_reviewed(page=page, user=reviewer())
    page.refresh_from_db()
    # The digest stored at sign-off is the digest of the text as stored, worked out afresh.
    assert page.reviewed_content_fingerprint == page_fingerprint(page, with_glossary=True)


def test_a_sign_off_keeps_the_revision_it_was_given_on(client):
    page = EducationPageFactory(body="The signed text.")
    user = reviewer()
    signed_off(page, on=timezone.localdate(), by=user)
    signed_revision = page.reviewed_revision
    assert signed_revision.content["body"].strip() == "The signed text."
    client.force_login(user)
    assert f"(revision {signed_revision.number})" in client.get(change_url(page)).content.decode()

    page.body = "Changed after the sign-off."
    page.save()
    services.page_revision_record(page=page, user=user)
    page.refresh_from_db()
    assert page.reviewed_revision == signed_revision  # the signed text is still there to read
    assert page.revisions.count() == 2


def test_line_breaks_a_browser_sends_are_no_change_to_the_signed_text():
    page = signed_off(
        EducationPageFactory(body="First line.\nSecond line."), on=timezone.localdate()
    )
    page.body = "First line.\r\nSecond line."
    page.save()
    page.refresh_from_db()
    assert page.is_clinically_reviewed
