import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clinic.caching import CONTENT_VERSION_KEY
from clinic.models import CLINIC_DETAILS_CACHE_KEY, ClinicDetails
from education.models import EducationPage
from tests.education.factories import EducationPageFactory

from .conftest import NO_INLINE_ROWS

PAGES = ["home", "location"]


@pytest.mark.django_db
def test_every_page_shows_the_clinic_details_and_urgent_help(client):
    details = ClinicDetails.load()
    for name in PAGES:
        html = client.get(reverse(name)).content.decode()
        assert details.name in html
        assert f'href="{details.phone_uri}"' in html
        assert 'href="tel:911"' in html
        assert 'href="tel:988"' in html
        assert "It is not medical advice" in html


@pytest.mark.django_db(transaction=True)
def test_editing_clinic_details_in_the_admin_changes_every_page_on_the_next_request(
    admin_client_logged_in,
):
    client = admin_client_logged_in
    details = ClinicDetails.load()
    client.get(reverse("home"))  # warm the cache with the old details

    form = {
        field.name: getattr(details, field.name)
        for field in ClinicDetails._meta.concrete_fields
        if field.name not in {"id", "updated_at"}
    }
    form.update(NO_INLINE_ROWS)
    form.update(name="Riverside Infusion Center", phone="(555) 010-0199", crisis_line_number="988")
    response = client.post(
        reverse("admin:clinic_clinicdetails_change", args=[details.pk]), form, follow=True
    )
    assert response.status_code == 200
    assert not (response.context and response.context.get("errors")), response.context["errors"]

    for name in PAGES:
        html = client.get(reverse(name)).content.decode()
        assert "Riverside Infusion Center" in html
        assert 'href="tel:5550100199"' in html


@pytest.mark.django_db
def test_clinic_details_are_read_from_the_cache_after_the_first_request(
    client, django_assert_num_queries
):
    ClinicDetails.load()
    client.get(reverse("location"))
    with django_assert_num_queries(0):
        client.get(reverse("location"))


@pytest.mark.django_db
def test_the_admin_list_goes_straight_to_the_one_record(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:clinic_clinicdetails_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:clinic_clinicdetails_change", args=[1])


def test_phone_link_keeps_only_digits_and_plus():
    assert ClinicDetails(phone="+1 (555) 010-0123 ext").phone_uri == "tel:+15550100123"


@pytest.mark.django_db
def test_a_page_reads_the_clinic_details_from_the_cache_once(settings, cache_reads):
    """An education page uses the details three times (template, structured data,
    Last-Modified); each read is a round trip to Redis in production."""
    settings.PAGE_CACHE_SECONDS = 0
    page = EducationPageFactory(status=EducationPage.Status.PUBLISHED)
    ClinicDetails.cached()
    cache_reads.clear()
    assert Client().get(page.get_absolute_url()).status_code == 200
    # Read together with the content version they were cached under: one round trip.
    details_reads = [keys for keys in cache_reads if CLINIC_DETAILS_CACHE_KEY in keys]
    assert details_reads == [[CONTENT_VERSION_KEY, CLINIC_DETAILS_CACHE_KEY]]


@pytest.mark.django_db
def test_details_whose_cache_clearing_was_lost_are_read_again_within_a_minute(client):
    ClinicDetails.objects.update_or_create(pk=ClinicDetails.SINGLETON_PK, defaults={"name": "Old"})
    assert "Old" in client.get(reverse("location")).content.decode()
    # Renamed, and the clearing of the cached details never happened (Redis was unreachable).
    ClinicDetails.objects.filter(pk=ClinicDetails.SINGLETON_PK).update(name="Renamed Clinic")
    assert "Renamed Clinic" not in client.get(reverse("location")).content.decode()
    later = time.time() + 61
    with time_machine.travel(later, tick=False):
        assert "Renamed Clinic" in client.get(reverse("location")).content.decode()
