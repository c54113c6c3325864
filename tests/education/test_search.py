import pytest
from django.db import connection
from django.urls import reverse

from education.models import EducationPage

from .factories import EducationPageFactory


@pytest.mark.django_db
def test_search_finds_and_highlights_published_pages(client, page):
    response = client.get(reverse("search"), {"q": "blood pressure"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{page.get_absolute_url()}"' in html
    assert "<mark>" in html.lower()


@pytest.mark.django_db
def test_search_ranks_the_page_about_the_subject_first(client):
    EducationPageFactory(title="Getting ready", slug="ready", body="Plan how to get home.")
    EducationPageFactory(
        title="Driving after an infusion",
        slug="driving",
        body="No driving until tomorrow. Driving too soon is unsafe.",
    )
    EducationPageFactory(title="Other", slug="other", body="Someone else is driving you home.")
    html = client.get(reverse("search"), {"q": "driving"}).content.decode()
    assert html.index('href="/learn/driving/"') < html.index('href="/learn/other/"')
    assert 'href="/learn/ready/"' not in html


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="stemming is PostgreSQL full-text search"
)
def test_postgres_search_matches_other_forms_of_a_word(client, page):
    html = client.get(reverse("search"), {"q": "checking pressures"}).content.decode()
    assert f'href="{page.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_search_follows_an_edit_at_once(client, page):
    # On PostgreSQL this is the stored, indexed search document being kept up to date.
    page.title = "Resting with a weighted blanket"
    page.save()
    html = client.get(reverse("search"), {"q": "blanket"}).content.decode()
    assert f'href="{page.get_absolute_url()}"' in html
    html = client.get(reverse("search"), {"q": "infusion"}).content.decode()
    assert f'href="{page.get_absolute_url()}"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "<script>alert(1)</script>", "'; DROP TABLE x; --", "a" * 5000, "\x00\x01"],
)
def test_empty_or_junk_search_gets_a_helpful_page(client, query):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "driving" in html  # a suggestion to try


@pytest.mark.django_db
def test_search_snippet_escapes_page_text(client):
    EducationPageFactory(body="Text with a literal &lt;script&gt;alert(1)&lt;/script&gt; driving")
    html = client.get(reverse("search"), {"q": "driving"}).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking is PostgreSQL's")
def test_postgres_search_ranks_a_bounded_number_of_matches(client, monkeypatch):
    from education import search

    monkeypatch.setattr(search, "RANKED_CANDIDATES", 2)
    for n in range(3):
        EducationPageFactory(title=f"Driving {n}", body="No driving until tomorrow.")
    EducationPageFactory(title="Draft", body="Driving.", status=EducationPage.Status.DRAFT)
    results, _ = search.search_pages("driving")
    assert len(results) == 2
    assert all(r.page.title.startswith("Driving") and "<mark>" in r.snippet for r in results)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("matching", "shown", "says_more"), [(3, 3, False), (10, 10, False), (11, 10, True)]
)
def test_search_shows_the_ten_best_and_says_when_more_match(client, matching, shown, says_more):
    for n in range(matching):
        EducationPageFactory(title=f"Page {n:02d}", body="No driving until tomorrow.")
    html = client.get(reverse("search"), {"q": "driving"}).content.decode()
    results = html[html.index('<ol class="search-results"') : html.index("</ol>")]
    assert results.count("<li>") == shown
    assert ("More pages match" in html) is says_more
    assert ("The 10 best matches" in html) is says_more
