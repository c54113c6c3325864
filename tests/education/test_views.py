import pytest
from django.urls import reverse
from django.utils.http import http_date

from clinic.models import ClinicDetails
from education.models import EducationPage

from .factories import EducationPageFactory, FAQFactory, ReferenceFactory, TopicFactory, signed_off

HIDDEN_STATUSES = [EducationPage.Status.DRAFT, EducationPage.Status.IN_REVIEW]


@pytest.mark.django_db
def test_published_page_shows_everything_a_patient_needs(client, page):
    html = client.get(page.get_absolute_url()).content.decode()
    assert "<h1>After your infusion</h1>" in html
    assert '<nav class="page-contents"' in html
    assert '<a href="#first-section">First section</a>' in html
    assert '<h2 id="first-section">First section</h2>' in html
    assert '<details class="faq">' in html and "<summary>Can I drive home?</summary>" in html
    assert "https://doi.org/10.1000/test." in html
    assert '<nav aria-label="Breadcrumb"' in html
    assert "Last updated" in html and "Medically reviewed" not in html
    assert 'href="tel:988"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_unpublished_page_is_a_404_for_the_public(client, status):
    page = EducationPageFactory(status=status)
    assert client.get(page.get_absolute_url()).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("status", HIDDEN_STATUSES)
def test_unpublished_pages_appear_nowhere_public(client, status):
    visible = EducationPageFactory(title="Visible page about driving", slug="visible")
    hidden = EducationPageFactory(
        title="Secret draft about driving", slug="secret-draft", status=status
    )
    hidden.related_from.add(visible)
    visible.related_pages.add(hidden)

    places = {
        "home": client.get(reverse("home")),
        "topic": client.get(visible.topic.get_absolute_url()),
        "related": client.get(visible.get_absolute_url()),
        "search": client.get(reverse("search"), {"q": "driving"}),
        "sitemap": client.get(reverse("sitemap")),
    }
    for place, response in places.items():
        content = response.content.decode()
        assert response.status_code == 200, place
        assert "secret-draft" not in content, place
        assert "Secret draft" not in content, place
    assert "Visible page about driving" in places["search"].content.decode()


@pytest.mark.django_db
def test_reviewed_page_names_its_reviewer_and_dates(client, page):
    import datetime

    signed_off(page, on=datetime.date(2026, 3, 1))
    html = client.get(page.get_absolute_url()).content.decode()
    assert "Medically reviewed by Dr. Ada Example, MD, psychiatrist on" in html
    assert "March 1, 2026" in html and "March 1, 2027" in html


def _page_with(n):
    topic = TopicFactory()
    page = EducationPageFactory(topic=topic)
    for _ in range(n):
        FAQFactory(page=page)
        ReferenceFactory(page=page)
        page.related_pages.add(EducationPageFactory(topic=topic))
    return page


@pytest.mark.django_db
@pytest.mark.parametrize("items", [0, 1, 12])
def test_page_query_count_is_constant(client, django_assert_num_queries, items):
    page = _page_with(items)
    ClinicDetails.cached()  # the clinic details come from the cache on every later page
    # page and topic, FAQs, references, related pages, the next page of the journey
    with django_assert_num_queries(5):
        response = client.get(page.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('<details class="faq">') == items


@pytest.mark.django_db
def test_repeat_visit_gets_304_by_etag_and_by_date(client, page):
    first = client.get(page.get_absolute_url())
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]

    by_etag = client.get(page.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert by_etag.status_code == 304
    by_date = client.get(
        page.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]}
    )
    assert by_date.status_code == 304


@pytest.mark.django_db
def test_an_edit_makes_the_old_etag_and_date_stale(
    client, page, django_capture_on_commit_callbacks
):
    first = client.get(page.get_absolute_url())
    page.body += "\n\nA new sentence."
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
    again = client.get(page.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert "A new sentence." in again.content.decode()


@pytest.mark.django_db
def test_last_modified_follows_the_clinic_details_too(client, page):
    details = ClinicDetails.load()
    details.save()
    response = client.get(page.get_absolute_url())
    newest = max(page.updated_at, ClinicDetails.load().updated_at)
    assert response["Last-Modified"] == http_date(newest.timestamp())


@pytest.mark.django_db
def test_home_shows_the_journey_in_order_with_after_your_infusion_one_click_away(client, page):
    html = client.get(reverse("home")).content.decode()
    titles = [
        "About the treatment",
        "Before your visit",
        "During your infusion",
        "After your infusion",
        "Questions",
    ]
    positions = [html.index(f">{title}</a>") for title in titles]
    assert positions == sorted(positions)
    assert f'href="{page.get_absolute_url()}"' in html


@pytest.mark.django_db
def test_topic_page_lists_its_published_pages(client, page):
    response = client.get(page.topic.get_absolute_url())
    assert f'href="{page.get_absolute_url()}"' in response.content.decode()
    assert client.get("/learn/topic/no-such-topic/").status_code == 404


@pytest.mark.django_db
def test_pages_are_compressed_and_a_repeat_visit_still_gets_304(client, page):
    import gzip

    url = page.get_absolute_url()
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "After your infusion" in html
    assert len(response.content) < len(html.encode()) / 2
    repeat = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert repeat.status_code == 304


@pytest.mark.django_db
def test_related_pages_include_staff_choices_from_other_topics(client, page):
    other_topic = TopicFactory(slug="before", title="Before your visit", order=2)
    chosen = EducationPageFactory(title="Getting ready", topic=other_topic)
    EducationPageFactory(title="Not chosen", topic=other_topic)
    page.related_pages.add(chosen)
    html = client.get(page.get_absolute_url()).content.decode()
    related = html[html.index('class="related-pages"') :]
    assert "Getting ready" in related and "Not chosen" not in related


@pytest.mark.django_db
def test_related_pages_are_the_first_five_of_staff_choices_and_topic_in_order():
    topic, other_topic = TopicFactory(), TopicFactory()
    page = EducationPageFactory(topic=topic, order=0, title="The page itself")
    for order, title in [(5, "E"), (1, "B"), (1, "A"), (4, "D"), (6, "F"), (2, "C2")]:
        EducationPageFactory(topic=topic, order=order, title=title)
    EducationPageFactory(topic=topic, order=0, title="A draft", status="draft")
    page.related_pages.add(
        EducationPageFactory(topic=other_topic, order=2, title="C1 chosen"),
        EducationPageFactory(topic=other_topic, order=9, title="Z chosen, too late"),
        EducationPageFactory(topic=other_topic, order=0, title="Chosen draft", status="draft"),
        EducationPage.objects.get(title="B"),  # chosen and in the topic: listed once
        page,  # a page that names itself is never its own related page
    )
    titles = [related.title for related in EducationPage.objects.published().related_to(page)]
    assert titles == ["A", "B", "C1 chosen", "C2", "D"]
