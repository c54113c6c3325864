"""The notices every page links to: privacy, accessibility, the Notice of Privacy Practices and
the nondiscrimination notice (once staff approve it)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import ClinicDetails
from contact.models import Topic
from tests.education.factories import EducationPageFactory

pytestmark = pytest.mark.django_db
NPP = "https://clinic.example.org/notice-of-privacy-practices.pdf"


def sitemap_paths(client):
    xml = client.get(reverse("sitemap")).content.decode()
    return [re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"<loc>([^<]+)</loc>", xml)]


def footer(html):
    return html.split('<footer class="site-footer">')[1]


@pytest.fixture
def approved_notices():
    details = ClinicDetails.load()
    details.privacy_practices_url = NPP
    details.nondiscrimination_text = details.nondiscrimination_text.replace(
        "[[Fill in: name, phone and email]]", "Jo Lee, (555) 010-0150, rights@example.org"
    )
    details.nondiscrimination_confirmed = True
    details.full_clean()
    details.save()
    return details


def test_every_public_page_links_to_each_notice_in_its_footer(client, approved_notices):
    EducationPageFactory(title="After your infusion")
    paths = sitemap_paths(client)
    assert reverse("privacy") in paths and reverse("nondiscrimination") in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        links = footer(response.content.decode())
        for href in (reverse("privacy"), reverse("accessibility"), reverse("nondiscrimination")):
            assert f'href="{href}"' in links, (path, href)
        assert f'href="{NPP}"' in links, path


def test_the_nondiscrimination_notice_shows_only_once_approved(client):
    assert client.get(reverse("nondiscrimination")).status_code == 404
    assert reverse("nondiscrimination") not in footer(client.get("/").content.decode())
    assert reverse("nondiscrimination") not in sitemap_paths(client)


def test_the_notice_cannot_be_approved_with_a_fill_in_left():
    details = ClinicDetails.load()
    details.nondiscrimination_confirmed = True
    with pytest.raises(ValidationError, match="Fill in"):
        details.full_clean()


def test_the_approved_notice_shows_the_clinic_s_text(client, approved_notices):
    html = client.get(reverse("nondiscrimination")).content.decode()
    assert "Jo Lee, (555) 010-0150" in html
    assert "1-800-368-1019" in html


def test_without_a_notice_address_the_footer_leaves_it_out(client):
    assert "Notice of Privacy Practices" not in footer(client.get("/").content.decode())


def test_the_form_says_who_reads_messages_how_long_they_are_kept_and_no_health_details(
    client, settings
):
    settings.CONTACT_RETENTION_DAYS = 200
    html = client.get(reverse("contact:form")).content.decode()
    privacy = html.split('aria-labelledby="your-privacy"')[1].split("</section>")[0]
    assert "Only clinic staff who handle messages read it." in privacy
    assert "200 days after we close it" in privacy
    assert "do not write about your health" in privacy
    assert f'href="{reverse("privacy")}"' in privacy


def test_the_privacy_page_gives_the_real_retention_periods(client, settings):
    settings.CONTACT_RETENTION_DAYS, settings.CONTACT_SPAM_RETENTION_DAYS = 400, 21
    html = client.get(reverse("privacy")).content.decode()
    assert "400 days after we close it" in html and "after 21 days" in html


def test_a_barrier_can_be_reported_through_a_topic_routed_to_its_own_group(client):
    topic = Topic.objects.get(label="Problem using this website")
    assert topic.is_active and topic.staff_group.name == "Website accessibility"
    assert "Problem using this website" in client.get(reverse("contact:form")).content.decode()
    assert '"Problem using this website"' in client.get(reverse("accessibility")).content.decode()
