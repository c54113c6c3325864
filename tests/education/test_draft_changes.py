"""Draft changes of a live page: patients keep the live text until a reviewer publishes."""

import re
import shutil

import pytest
from django.core.management import call_command
from django.db.models import ProtectedError

from education import default_content, services
from education.fingerprints import page_fingerprint
from education.models import EducationPage, PageRevision

from .factories import EducationPageFactory, FAQFactory, ReferenceFactory, editor, reviewer
from .test_admin import change_url, confirm, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_page():
    page = EducationPageFactory(
        title="After your infusion", status=EducationPage.Status.PUBLISHED, body="Live body."
    )
    FAQFactory(page=page, question="Can I drive?", answer="Not today.", order=1)
    ReferenceFactory(page=page, order=1)
    services.page_revision_record(page=page)
    return page


def faq_answer_on_site(client, page):
    html = client.get(page.get_absolute_url()).content.decode()
    return re.search(r'<div class="faq__answer">(.*?)</div>', html, re.S).group(1)


def test_an_editor_changes_a_live_page_through_draft_changes_and_a_reviewer_publishes_them(
    client, live_page, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 0
    author, checker = editor("edna"), reviewer("rhea")
    client.force_login(author)
    started = confirm(client, live_page, "draft")
    draft = EducationPage.objects.get(draft_of=live_page)
    assert started.redirect_chain[-1][0] == change_url(draft)
    assert draft.status == EducationPage.Status.DRAFT and draft.author == author
    assert [f.answer for f in draft.faqs.all()] == ["Not today."]

    faq = draft.faqs.get()
    data = form_data(
        draft,
        **{
            "faqs-TOTAL_FORMS": 1,
            "faqs-INITIAL_FORMS": 1,
            "faqs-0-id": faq.pk,
            "faqs-0-page": draft.pk,
            "faqs-0-order": 1,
            "faqs-0-question": faq.question,
            "faqs-0-answer": "Not until tomorrow, after a full night's sleep.",
        },
    )
    assert client.post(change_url(draft), data).status_code == 302
    confirm(client, draft, "submit", comment="Clearer driving rule.")
    client.logout()
    assert "Not today." in faq_answer_on_site(client, live_page)  # patients: still live text
    assert client.get(f"/learn/{draft.slug}/").status_code == 404

    client.force_login(checker)
    html = client.get(change_url(live_page)).content.decode()
    assert "open the draft changes" in html
    confirm(client, EducationPage.objects.get(pk=draft.pk), "review")
    with django_capture_on_commit_callbacks(execute=True):
        published = confirm(client, EducationPage.objects.get(pk=draft.pk), "publish")
    assert "its changes are on the live page now" in published.content.decode()
    assert not EducationPage.objects.filter(pk=draft.pk).exists()
    live_page.refresh_from_db()
    assert live_page.status == EducationPage.Status.PUBLISHED
    assert live_page.is_clinically_reviewed  # the sign-off on the copy covers the same text
    assert live_page.reviewed_revision.page == live_page
    assert live_page.comments.get().text == "Clearer driving rule."
    assert live_page.references.count() == 1
    assert live_page.revisions.count() == 2
    client.logout()
    assert "full night's sleep" in faq_answer_on_site(client, live_page)


def test_unsigned_changes_publish_without_the_old_sign_off(live_page):
    reviewer_user = reviewer()
    services.page_mark_reviewed(page=live_page, user=reviewer_user)
    draft = services.page_draft_start(page=live_page, user=editor())
    draft.body = "A new body nobody signed."
    draft.save()
    services.page_publish_changes(draft=draft, user=reviewer_user)
    live_page.refresh_from_db()
    assert live_page.body.strip() == "A new body nobody signed."
    assert not live_page.is_clinically_reviewed and live_page.is_changed_since_review


def test_one_working_copy_per_live_page_and_only_reviewers_publish_it(client, live_page):
    author = editor()
    draft = services.page_draft_start(page=live_page, user=author)
    assert services.page_draft_start(page=live_page, user=author) == draft
    assert "draft" not in services.page_actions_for(page=live_page, user=author)
    with pytest.raises(services.PermissionDenied):
        services.page_publish_changes(draft=draft, user=author)
    client.force_login(author)
    refused = confirm(client, draft, "publish")
    assert "that action is not open to you now" in refused.content.decode()
    assert EducationPage.objects.filter(pk=draft.pk).exists()


def test_a_working_copy_with_a_placeholder_cannot_be_published(live_page):
    draft = services.page_draft_start(page=live_page, user=editor())
    draft.body = "Costs [[Fill in: price]]."
    draft.save()
    with pytest.raises(services.ValidationError, match="Fill in the placeholders"):
        services.page_publish_changes(draft=draft, user=reviewer())
    live_page.refresh_from_db()
    assert live_page.body == "Live body."


def test_the_page_list_names_working_copies(client, live_page):
    services.page_draft_start(page=live_page, user=editor())
    client.force_login(reviewer())
    html = client.get("/admin/education/educationpage/").content.decode()
    assert "After your infusion (draft changes of the live page)" in html
    assert PageRevision.objects.filter(page__draft_of=live_page).exists()


def test_draft_changes_compare_with_the_live_page(client, live_page):
    draft = services.page_draft_start(page=live_page, user=editor())
    faq = draft.faqs.get()
    faq.answer = "Not until tomorrow."
    faq.save()
    services.page_revision_record(page=draft)
    client.force_login(reviewer())
    form = client.get(change_url(draft)).content.decode()
    assert "Compare these changes with the live page" in form
    html = client.get(
        f"/admin/education/educationpage/{draft.pk}/revisions/?against=live"
    ).content.decode()
    assert "These draft changes compared with the live page" in html
    assert "- Answer: Not today." in html and "+ Answer: Not until tomorrow." in html
    assert "Body: no change" in html


def test_publishing_changes_never_undoes_a_newer_edit_of_the_live_page(live_page):
    draft = services.page_draft_start(page=live_page, user=editor())
    live_page.body = "An urgent safety fix, made on the live page."
    live_page.save()
    with pytest.raises(services.ValidationError, match="The live page changed after"):
        services.page_publish_changes(draft=draft, user=reviewer())
    live_page.refresh_from_db()
    assert live_page.body == "An urgent safety fix, made on the live page."


def test_a_live_page_with_draft_changes_is_neither_unpublished_nor_deleted_under_them(
    live_page,
):
    services.page_draft_start(page=live_page, user=editor())
    with pytest.raises(services.ValidationError, match="draft changes open"):
        services.page_unpublish(page=live_page, user=reviewer())
    with pytest.raises(ProtectedError):
        live_page.delete()


def test_publishing_changes_keeps_the_live_pages_related_pages(live_page):
    other = EducationPageFactory(status=EducationPage.Status.PUBLISHED)
    live_page.related_pages.add(other)
    draft = services.page_draft_start(page=live_page, user=editor())
    services.page_publish_changes(draft=draft, user=reviewer())
    assert list(live_page.related_pages.all()) == [other]


def test_the_second_of_two_publishes_is_told_the_copy_is_gone(live_page):
    checker = reviewer()
    draft = services.page_draft_start(page=live_page, user=editor())
    seen = draft.content_fingerprint
    services.page_apply_action(page=draft, user=checker, action="publish", seen_fingerprint=seen)
    with pytest.raises(services.ValidationError, match="This page is gone"):
        services.page_apply_action(
            page=draft, user=checker, action="publish", seen_fingerprint=seen
        )


def test_line_breaks_stored_the_old_way_give_the_same_digest():
    page = EducationPageFactory(body="One.\nTwo.")
    FAQFactory(page=page, answer="Line one.\nLine two.")
    before = page_fingerprint(page)
    EducationPage.objects.filter(pk=page.pk).update(body="One.\r\nTwo.")
    page.faqs.update(answer="Line one.\r\nLine two.")
    page.refresh_from_db()
    assert page_fingerprint(page) == before


def test_new_default_text_leaves_a_page_with_draft_changes_alone(tmp_path, monkeypatch):
    call_command("load_default_content", verbosity=0)
    live = EducationPage.objects.get(slug="after-your-infusion")
    services.page_draft_start(page=live, user=editor())
    changed = tmp_path / "content"
    shutil.copytree(default_content.CONTENT_DIR, changed)
    for path in changed.glob("*.toml"):
        path.write_text(path.read_text().replace("call the clinic", "call our clinic"))
    monkeypatch.setattr(default_content, "CONTENT_DIR", changed)
    call_command("load_default_content", verbosity=0)
    live.refresh_from_db()
    assert "call our clinic" not in live.body


def test_related_pages_are_chosen_among_pages_not_their_working_copies(client, live_page):
    """A copy holding draft changes has the live page's title and is deleted when its changes
    are published: offered as a related page, it would be a second "After your infusion"."""
    other = EducationPageFactory(title="Between infusions", status=EducationPage.Status.DRAFT)
    copy = services.page_draft_start(page=live_page, user=editor())
    client.force_login(editor())
    form = client.get(change_url(other)).context["adminform"].form
    choices = form.fields["related_pages"].queryset
    assert live_page in choices and copy not in choices
