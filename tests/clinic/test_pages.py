import pytest
from django.test import override_settings
from django.urls import reverse

from clinic.models import ClinicDetails


@pytest.mark.django_db
def test_home_page_has_landmarks_and_a_skip_link(client):
    html = client.get(reverse("home")).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    for landmark in ("<header", '<nav aria-label="Main">', '<main id="main"', "<footer"):
        assert landmark in html
    assert '<aside class="urgent-help" aria-label="Urgent help">' in html


@pytest.mark.django_db
def test_location_page_shows_address_hours_and_written_directions(client):
    details = ClinicDetails.load()
    details.written_directions = "Take the lift to floor 2.\nTurn left."
    details.save()
    html = client.get(reverse("location")).content.decode()
    assert "<li>Take the lift to floor 2.</li>" in html
    assert details.opening_hours_lines[0] in html
    assert details.address_lines[0] in html


@pytest.mark.django_db
def test_location_map_is_not_embedded_until_asked_for(client):
    details = ClinicDetails.load()
    details.map_embed_url = "https://maps.example.com/embed?q=clinic"
    details.save()
    html = client.get(reverse("location")).content.decode()
    assert "<iframe" not in html
    assert 'data-map-src="https://maps.example.com/embed?q=clinic"' in html
    assert "Show the map" in html


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404_with_urgent_help(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert 'href="tel:988"' in html
    assert f'href="{reverse("home")}"' in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.clinic.urls_with_error")
def test_server_error_gets_the_friendly_500_with_urgent_help(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong on our side" in html
    assert 'href="tel:911"' in html
    assert 'href="tel:988"' in html
    assert 'href="/"' in html


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
