"""Glossary terms, citations, placeholders and the next step, as staff and patients meet them."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from education import default_content, services
from education.models import EducationPage, GlossaryTerm

from .factories import (
    EducationPageFactory,
    FAQFactory,
    GlossaryTermFactory,
    ReferenceFactory,
    TopicFactory,
    reviewer,
)
from .test_admin import change_url, confirm, form_data

pytestmark = pytest.mark.django_db


def test_a_page_explains_its_glossary_words_in_place_and_lists_them(client):
    GlossaryTermFactory(term="dissociation", slug="dissociation")
    page = EducationPageFactory(body="Some people feel dissociation. Dissociation fades.")
    FAQFactory(page=page, answer="Dissociation is normal.")
    html = client.get(page.get_absolute_url()).content.decode()
    assert html.count('class="glossary-term"') == 1
    assert 'popovertarget="term-dissociation"' in html
    words = re.search(r'<section class="page-glossary".*?</section>', html, re.S).group(0)
    assert "<dt>Dissociation</dt><dd>Feeling detached" in words
    assert f'href="{reverse("glossary")}"' in words


def test_words_only_the_faqs_use_are_listed_too():
    GlossaryTermFactory(term="placebo", slug="placebo", other_forms="", meaning="A dummy.")
    page = EducationPageFactory(body="Nothing special here.")
    FAQFactory(page=page, answer="Compared with a placebo.")
    services.page_derived_fields_save(page=page)
    page.refresh_from_db()
    assert [word["term"] for word in page.glossary_words] == ["placebo"]


def test_the_glossary_page_lists_every_term_with_an_anchor(client):
    GlossaryTermFactory(term="placebo", slug="placebo", other_forms="", meaning="A dummy.")
    GlossaryTermFactory(term="IV", slug="iv", other_forms="", meaning="A drip into a vein.")
    html = client.get(reverse("glossary")).content.decode()
    assert html.index('id="word-iv"') < html.index('id="word-placebo"')
    assert "<dt>Placebo</dt>" in html and "<dd>A drip into a vein.</dd>" in html


def test_a_glossary_edit_in_the_admin_reaches_every_page_at_once(
    client, django_capture_on_commit_callbacks
):
    page = EducationPageFactory(body="Compared with a placebo.")
    assert "glossary-term" not in client.get(page.get_absolute_url()).content.decode()
    client.force_login(reviewer())
    with django_capture_on_commit_callbacks(execute=True):  # the cached page is let go
        response = client.post(
            reverse("admin:education_glossaryterm_add"),
            {
                "term": "placebo",
                "other_forms": "",
                "meaning": "A dummy treatment.",
                "slug": "placebo",
            },
        )
    assert response.status_code == 302
    client.logout()
    html = client.get(page.get_absolute_url()).content.decode()
    assert 'popovertarget="term-placebo"' in html and "A dummy treatment." in html
    assert page.history.count() == 1  # the text staff wrote did not change


def test_sources_link_back_to_where_the_body_cites_them(client):
    page = EducationPageFactory(body="A claim.[^2]")
    ReferenceFactory(page=page, order=1)
    ReferenceFactory(page=page, order=2)
    html = client.get(page.get_absolute_url()).content.decode()
    assert '<a href="#source-2" id="cite-2"' in html
    assert '<li id="source-1">' in html and '<li id="source-2">' in html
    assert html.count('class="citation-back') == 1 and 'href="#cite-2"' in html


def test_each_page_ends_with_the_next_step_of_the_journey(client):
    first = EducationPageFactory(topic=TopicFactory(slug="before", order=2), order=1, title="B")
    second = EducationPageFactory(topic=first.topic, order=2, title="A")
    later_topic = EducationPageFactory(topic=TopicFactory(slug="after", order=4), order=1)
    EducationPageFactory(topic=first.topic, order=3, status=EducationPage.Status.DRAFT)

    def next_link(page):
        html = client.get(page.get_absolute_url()).content.decode()
        nav = re.search(
            r'<nav class="next-step[^"]*" aria-label="Next step">(.*?)</nav>', html, re.S
        )
        return re.search(r'href="([^"]+)"', nav.group(1)).group(1)

    assert next_link(first) == second.get_absolute_url()
    assert next_link(second) == later_topic.get_absolute_url()  # drafts are skipped
    assert next_link(later_topic) == reverse("contact:form")


def test_a_page_with_placeholders_cannot_be_published_by_any_path(client):
    page = EducationPageFactory(
        status=EducationPage.Status.IN_REVIEW, body="Price: [[Fill in: price of one infusion]]."
    )
    user = reviewer()
    with pytest.raises(ValidationError, match=r"\[\[Fill in: price of one infusion\]\]"):
        services.page_publish(page=page, user=user)
    client.force_login(user)
    response = confirm(client, page, "publish")
    assert "Fill in the placeholders before publishing" in response.content.decode()
    page.refresh_from_db()
    assert page.status == EducationPage.Status.IN_REVIEW

    live = EducationPageFactory(status=EducationPage.Status.PUBLISHED)
    response = client.post(change_url(live), form_data(live, body="[[Fill in: a name]]"))
    assert response.status_code == 200
    assert "Fill in the placeholders before publishing" in response.content.decode()

    faq_page = EducationPageFactory(status=EducationPage.Status.IN_REVIEW)
    FAQFactory(page=faq_page, answer="It costs [[Fill in: price]].")
    with pytest.raises(ValidationError):
        services.page_publish(page=faq_page, user=user)


def test_load_default_content_keeps_staff_edits_to_glossary_terms(tmp_path, monkeypatch):
    content = tmp_path / "content"
    content.mkdir()
    glossary = content / "glossary.toml"
    glossary.write_text(
        '[[terms]]\nterm = "placebo"\nmeaning = "A dummy."\n\n'
        '[[terms]]\nterm = "IV"\nalso = ["IVs"]\nmeaning = "A drip into a vein."\n'
    )
    monkeypatch.setattr(default_content, "CONTENT_DIR", content)
    call_command("load_default_content", verbosity=0)
    assert GlossaryTerm.objects.get(term="IV").other_forms == "IVs"

    edited = GlossaryTerm.objects.get(term="placebo")
    edited.meaning = "Our own words."
    edited.save()
    GlossaryTerm.objects.get(term="IV").delete()
    glossary.write_text(
        glossary.read_text().replace("A dummy.", "New default.")
        + ('\n[[terms]]\nterm = "mania"\nmeaning = "Very high mood."\n')
    )
    call_command("load_default_content", verbosity=0)
    assert GlossaryTerm.objects.get(term="placebo").meaning == "Our own words."
    assert not GlossaryTerm.objects.filter(term="IV").exists()  # deleted by staff stays deleted
    assert GlossaryTerm.objects.get(term="mania").meaning == "Very high mood."


def test_the_admin_says_which_sources_are_not_cited_and_which_citations_have_no_source(client):
    page = EducationPageFactory(body="A claim.[^1] Another.[^3]")
    ReferenceFactory(page=page, order=1)
    ReferenceFactory(page=page, order=2)
    FAQFactory(page=page, answer="Cited in an answer.[^2]")
    client.force_login(reviewer())
    html = client.get(change_url(page)).content.decode()
    assert "[^3] has no source 3 in the list." in html
    assert "is never cited" not in html

    page.faqs.all().delete()
    html = client.get(change_url(page)).content.decode()
    assert "Source 2 is never cited" in html


def test_a_live_page_cannot_gain_an_faq_that_keeps_a_placeholder(client):
    page = EducationPageFactory(status=EducationPage.Status.PUBLISHED)
    client.force_login(reviewer())
    data = form_data(
        page,
        **{
            "faqs-TOTAL_FORMS": 1,
            "faqs-0-order": 1,
            "faqs-0-question": "How much is it?",
            "faqs-0-answer": "It costs [[Fill in: price]].",
        },
    )
    response = client.post(change_url(page), data)
    assert response.status_code == 200
    assert "Fill in the placeholders before publishing" in response.content.decode()
    assert not page.faqs.exists()


def test_every_page_is_reached_once_even_when_topics_share_an_order():
    first = EducationPageFactory(topic=TopicFactory(slug="one", order=1), order=1)
    second = EducationPageFactory(topic=TopicFactory(slug="two", order=1), order=1)
    third = EducationPageFactory(topic=second.topic, order=1, title=second.title)
    published = EducationPage.objects.published()
    seen, page = [first], first
    while (page := published.next_in_journey(page)) is not None:
        seen.append(page)
    assert sorted(p.pk for p in seen) == sorted([first.pk, second.pk, third.pk])
    assert len(seen) == 3


def test_a_glossary_term_keeps_its_meaning_on_one_line_and_its_words_to_itself(client):
    GlossaryTermFactory(term="infusion", slug="infusion", other_forms="drip", meaning="A drip.")
    client.force_login(reviewer())
    response = client.post(
        reverse("admin:education_glossaryterm_add"),
        {
            "term": "IV drip",
            "other_forms": "Drip",
            "meaning": "Line one.\r\nLine two.",
            "slug": "iv",
        },
    )
    assert "Another term already explains these words: Drip (infusion)." in (
        response.content.decode()
    )
    response = client.post(
        reverse("admin:education_glossaryterm_add"),
        {"term": "IV", "other_forms": "", "meaning": "Line one.\r\nLine two.", "slug": "iv"},
    )
    assert response.status_code == 302
    assert GlossaryTerm.objects.get(term="IV").meaning == "Line one. Line two."


def test_a_glossary_change_renders_only_the_pages_that_use_its_words():
    using = EducationPageFactory(body="Compared with a placebo.")
    other = EducationPageFactory(body="Nothing to explain here.")
    GlossaryTermFactory(term="placebo", slug="placebo", other_forms="", meaning="A dummy.")
    EducationPage.objects.filter(pk=other.pk).update(body_html="<p>stale on purpose</p>")
    assert services.pages_rerender(words=["placebo"]) == 1
    using.refresh_from_db()
    other.refresh_from_db()
    assert 'popovertarget="term-placebo"' in using.body_html
    assert other.body_html == "<p>stale on purpose</p>"


def test_load_default_content_leaves_out_a_default_term_staff_renamed(tmp_path, monkeypatch):
    content = tmp_path / "content"
    content.mkdir()
    (content / "glossary.toml").write_text('[[terms]]\nterm = "placebo"\nmeaning = "A dummy."\n')
    monkeypatch.setattr(default_content, "CONTENT_DIR", content)
    call_command("load_default_content", verbosity=0)
    term = GlossaryTerm.objects.get(term="placebo")
    term.term = "placebo pill"
    term.save()
    call_command("load_default_content", verbosity=0)
    assert list(GlossaryTerm.objects.values_list("term", flat=True)) == ["placebo pill"]
