import html as html_lib
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from education import default_content
from education.content_checks import (
    copied_runs,
    long_sentences,
    run_digest,
    shared_runs,
    word_runs,
)
from education.default_content import default_glossary, default_pages
from education.markup import Glossary, GlossaryEntry, cited_numbers, placeholders
from education.models import READING_GRADE_TARGET, EducationPage, GlossaryTerm
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
        has_placeholders = bool(placeholders(page.body))
        assert page.is_published != has_placeholders, page.slug
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


# Digests of every ten-word run of the source articles (../shared/seeds), made by
# `make source-digests`: the copy check runs everywhere without their text in the repository.
SOURCE_RUNS = {
    line
    for line in (Path(__file__).parent / "source_article_runs.txt").read_text().splitlines()
    if line and not line.startswith("#")
}


def page_text(page):
    return "\n".join(
        [page.title, page.summary, render_markdown(page.body).text]
        + [f"{faq['question']}\n{render_markdown(faq['answer']).text}" for faq in page.faqs]
    )


@pytest.mark.parametrize("page", default_pages(), ids=lambda page: page.slug)
def test_no_sentence_is_over_25_words(page):
    assert long_sentences(page_text(page)) == []


@pytest.mark.parametrize("page", default_pages(), ids=lambda page: page.slug)
def test_no_run_of_ten_words_is_copied_from_the_source_articles(page):
    assert len(SOURCE_RUNS) > 3000
    assert copied_runs(page_text(page), SOURCE_RUNS) == set()


def test_the_copy_check_finds_a_copied_run():
    source = "one two three four five six seven eight nine ten eleven"
    assert shared_runs("x one two three four five six seven eight nine ten", source) == {
        "one two three four five six seven eight nine ten"
    }
    assert shared_runs("one two three four five six seven eight nine", source) == set()
    digests = {run_digest(run) for run in word_runs(source)}
    assert copied_runs("x one two three four five six seven eight nine ten", digests) == {
        "one two three four five six seven eight nine ten"
    }


def test_the_sentence_check_finds_a_long_sentence():
    long = " ".join(["word"] * 26) + "."
    assert long_sentences(f"Short one. {long}\nAnother short one.") == [long]
    assert long_sentences("- a list item\n- another item") == []


@pytest.mark.parametrize("page", default_pages(), ids=lambda page: page.slug)
def test_every_source_is_cited_and_every_citation_has_a_source(page):
    cited = set(cited_numbers("\n".join([page.body, *(faq["answer"] for faq in page.faqs)])))
    assert cited == set(range(1, len(page.references) + 1))


@pytest.mark.parametrize("page", default_pages(), ids=lambda page: page.slug)
def test_warning_signs_sit_inside_the_urgent_card(page):
    html = render_markdown(page.body).html
    cards = re.findall(r'<div class="care-card care-card--urgent">(.*?)</div>', html, re.S)
    outside = re.sub(r'<div class="care-card care-card--urgent">.*?</div>', "", html, flags=re.S)
    assert "chest pain" not in outside.lower(), "warning signs belong inside the urgent card"
    if "chest pain" in html.lower():
        assert any("chest pain" in card.lower() and "911" in card for card in cards)
    for card in cards:
        assert URGENT_WORDS in card


MEDICAL_TERMS = [
    line.strip()
    for line in (Path(__file__).parent / "medical_terms.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def test_the_default_glossary_explains_every_medical_term_we_keep_a_list_of():
    glossary = Glossary(
        GlossaryEntry(
            term.term, term.meaning, term.term, (term.term, *term.other_forms.split(", "))
        )
        for term in default_glossary()
    )
    unexplained = [term for term in MEDICAL_TERMS if not glossary.entries_used(term)]
    assert unexplained == []


def test_every_medical_term_a_page_uses_is_explained_on_that_page(loaded, client):
    """Read as a patient would: wherever a listed term appears, the page shows its meaning."""
    meanings = {term.term: term.meaning for term in GlossaryTerm.objects.all()}
    glossary = GlossaryTerm.objects.as_glossary()
    for page in loaded.filter(status=EducationPage.Status.PUBLISHED):
        text = "\n".join([page.body_text, *(faq.answer_text for faq in page.faqs.all())])
        html = html_lib.unescape(client.get(page.get_absolute_url()).content.decode())
        for term in MEDICAL_TERMS:
            if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.I):
                entry = glossary.entries_used(term)[0]
                assert meanings[entry.term] in html, (page.slug, term)


def test_glossary_meanings_are_plain_short_and_our_own():
    terms = default_glossary()
    assert len(terms) >= 40
    for term in terms:
        assert long_sentences(term.meaning) == [], term.term
        assert copied_runs(term.meaning, SOURCE_RUNS) == set(), term.term
    text = "\n".join(term.meaning for term in terms)
    assert reading_grade(text) <= READING_GRADE_TARGET


def test_loaded_pages_explain_glossary_words_in_place(loaded):
    page = loaded.get(slug="what-is-iv-ketamine-infusion-therapy")
    assert 'class="glossary-term"' in page.body_html
    assert page.glossary_words


def test_pages_that_need_clinic_details_load_as_drafts_with_their_placeholders(loaded):
    drafts = loaded.filter(status=EducationPage.Status.DRAFT)
    assert {page.slug for page in drafts} >= {
        "costs-insurance-and-payment",
        "our-team-and-safety-standards",
    }
    for page in drafts:
        assert placeholders(page.body), page.slug
