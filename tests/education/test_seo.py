import json

import pytest
from django.urls import reverse
from django.utils import timezone

from .factories import EducationPageFactory, signed_off


def _json_ld(html):
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
def test_json_ld_describes_the_page_faqs_and_breadcrumbs(client, page):
    data = _json_ld(client.get(page.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org"
    types = {item["@type"]: item for item in data["@graph"]}
    assert set(types) == {"MedicalWebPage", "FAQPage"}
    medical = types["MedicalWebPage"]
    assert medical["name"] == "After your infusion"
    assert medical["url"] == "http://testserver/learn/after-your-infusion/"
    assert "reviewedBy" not in medical  # never an invented reviewer
    crumbs = medical["breadcrumb"]
    assert crumbs["@type"] == "BreadcrumbList"
    assert [c["name"] for c in crumbs["itemListElement"]] == [
        "Home",
        page.topic.title,
        "After your infusion",
    ]
    question = types["FAQPage"]["mainEntity"][0]
    assert question["name"] == "Can I drive home?"
    assert question["acceptedAnswer"]["text"] == "No, not until tomorrow."


@pytest.mark.django_db
def test_json_ld_names_a_real_reviewer_once_there_is_one(client, page):
    import datetime

    signed_off(page, on=datetime.date(2026, 3, 1))
    data = _json_ld(client.get(page.get_absolute_url()).content.decode())
    medical = next(item for item in data["@graph"] if item["@type"] == "MedicalWebPage")
    assert medical["lastReviewed"] == "2026-03-01"
    assert medical["reviewedBy"]["name"] == "Dr. Ada Example"


@pytest.mark.django_db
def test_json_ld_cannot_be_broken_out_of_by_page_text(client):
    page = EducationPageFactory(title="Title </script><script>alert(1)</script>")
    html = client.get(page.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert _json_ld(html)["@graph"][0]["name"] == page.title


@pytest.mark.django_db
def test_page_has_canonical_description_and_open_graph(client, page):
    html = client.get(page.get_absolute_url()).content.decode()
    url = "http://testserver/learn/after-your-infusion/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta name="description" content="{page.summary}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="After your infusion">' in html


@pytest.mark.django_db
def test_canonical_address_is_the_public_one_whatever_host_was_asked(client, page, settings):
    settings.SITE_URL = "https://clinic.example.org/"
    html = client.get(page.get_absolute_url(), HTTP_HOST="localhost").content.decode()
    url = "https://clinic.example.org/learn/after-your-infusion/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert _json_ld(html)["@graph"][0]["url"] == url
    assert "localhost" not in html


@pytest.mark.django_db
def test_sitemap_lists_published_pages_with_last_modified(client, page):
    xml = client.get(reverse("sitemap")).content.decode()
    assert "<loc>http://testserver/learn/after-your-infusion/</loc>" in xml
    # Sitemap dates are the clinic's local dates, which differ from UTC around midnight.
    assert f"<lastmod>{timezone.localdate(page.updated_at):%Y-%m-%d}</lastmod>" in xml
    assert "<loc>http://testserver/learn/topic/after/</loc>" in xml
    assert "<loc>http://testserver/location/</loc>" in xml


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
