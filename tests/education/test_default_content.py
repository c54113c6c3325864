import shutil

import pytest
from django.core.management import call_command

from education import default_content
from education.default_content import default_pages
from education.models import READING_GRADE_TARGET, EducationPage
from education.rendering import reading_grade, render_markdown

REQUIRED_SLUGS = {
    "what-is-iv-ketamine-infusion-therapy",
    "how-does-ketamine-work",
    "getting-started",
    "preparing-for-your-first-infusion",
    "what-happens-during-an-infusion",
    "after-your-infusion",
    "side-effects-and-safety",
    "other-ways-ketamine-is-given",
    "frequently-asked-questions",
}
URGENT_WORDS = "In an emergency, call 911. In a mental-health crisis, call or text 988"


@pytest.fixture
def loaded(db):
    call_command("load_default_content", verbosity=0)
    return EducationPage.objects.all()


def test_the_required_pages_ship_with_sources():
    pages = {page.slug: page for page in default_pages()}
    assert set(pages) >= REQUIRED_SLUGS
    for page in pages.values():
        assert page.references, page.slug
        assert all(ref["url"].startswith("https://") for ref in page.references), page.slug


@pytest.mark.parametrize("page", default_pages(), ids=lambda page: page.slug)
def test_every_default_page_reads_at_grade_8_or_below(page):
    text = "\n".join(
        [render_markdown(page.body).text]
        + [f"{faq['question']}\n{render_markdown(faq['answer']).text}" for faq in page.faqs]
    )
    assert reading_grade(text) <= READING_GRADE_TARGET


def test_loaded_pages_store_a_grade_of_8_or_below(loaded):
    assert loaded.count() == len(default_pages())
    for page in loaded:
        assert 0 < page.reading_grade <= READING_GRADE_TARGET, page.slug
        assert page.word_count > 300, page.slug


def test_after_your_infusion_covers_the_precautions(loaded):
    page = loaded.get(slug="after-your-infusion")
    text = page.body_text.lower()
    for must in ("driving", "alcohol", "rest", "decisions", "take you home", "911", "988"):
        assert must in text, must
    assert URGENT_WORDS in page.body_text
    assert "care-card--urgent" in page.body_html
    assert "care-card--contact" in page.body_html


def test_default_pages_are_published_without_an_invented_reviewer(loaded):
    for page in loaded:
        assert page.is_published
        assert page.reviewed_by is None and page.reviewer_name == ""
        assert page.last_reviewed_on is None
        assert page.next_review_due is not None


def test_other_ways_page_has_a_comparison_table(loaded):
    assert "<table>" in loaded.get(slug="other-ways-ketamine-is-given").body_html


def test_loading_twice_changes_nothing(loaded):
    before = {page.slug: (page.pk, page.updated_at) for page in loaded}
    call_command("load_default_content", verbosity=0)
    after = {page.slug: (page.pk, page.updated_at) for page in EducationPage.objects.all()}
    assert before == after


def test_dry_run_changes_nothing(db):
    call_command("load_default_content", "--dry-run", verbosity=0)
    assert not EducationPage.objects.exists()


def test_staff_edits_are_never_overwritten(loaded, tmp_path, monkeypatch):
    page = loaded.get(slug="after-your-infusion")
    page.body = "Our clinic's own wording."
    page.save()
    faq_page = loaded.get(slug="getting-started")
    faqs_before = faq_page.faqs.count()
    faq_page.faqs.first().delete()

    changed = tmp_path / "content"
    shutil.copytree(default_content.CONTENT_DIR, changed)
    for path in changed.glob("*.toml"):
        path.write_text(path.read_text().replace("call the clinic", "call our clinic"))
    monkeypatch.setattr(default_content, "CONTENT_DIR", changed)
    call_command("load_default_content", verbosity=0)

    assert EducationPage.objects.get(slug="after-your-infusion").body == (
        "Our clinic's own wording."
    )
    assert EducationPage.objects.get(slug="getting-started").faqs.count() == faqs_before - 1
    untouched = EducationPage.objects.get(slug="side-effects-and-safety")
    assert "call our clinic" in untouched.body  # unedited pages take the new default text


def test_a_default_page_staff_deleted_stays_deleted(loaded):
    loaded.get(slug="how-does-ketamine-work").delete()
    call_command("load_default_content", verbosity=0)
    assert not EducationPage.objects.filter(slug="how-does-ketamine-work").exists()
    assert EducationPage.objects.filter(slug="after-your-infusion").exists()
