"""The notices every page links to: privacy, accessibility, free language help (taglines in 15
languages), the Notice of Privacy Practices and the nondiscrimination notice (once staff approve
it)."""

import re
import unicodedata
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clinic.models import ClinicDetails, LanguageTagline
from contact.models import Topic
from tests.education.factories import EducationPageFactory
from tests.factories import PRIVACY_PRACTICES_URL, approve_notices

pytestmark = pytest.mark.django_db


def sitemap_paths(client):
    xml = client.get(reverse("sitemap")).content.decode()
    return [re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"<loc>([^<]+)</loc>", xml)]


def footer(html):
    return html.split('<footer class="site-footer">')[1]


@pytest.fixture
def approved_notices():
    return approve_notices(ClinicDetails.load())


def test_every_public_page_links_to_each_notice_in_its_footer(client, approved_notices):
    EducationPageFactory(title="After your infusion")
    paths = sitemap_paths(client)
    assert reverse("privacy") in paths and reverse("nondiscrimination") in paths
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        links = footer(response.content.decode())
        for name in ("privacy", "accessibility", "language_help", "nondiscrimination"):
            href = reverse(name)
            assert f'href="{href}"' in links, (path, href)
        assert f'href="{PRIVACY_PRACTICES_URL}"' in links, path


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


# The scripts a language's letters are written in (the first word of each letter's Unicode name).
SCRIPTS = {
    "zh": {"CJK"},
    "ja": {"CJK", "HIRAGANA", "KATAKANA"},
    "ko": {"HANGUL"},
    "ru": {"CYRILLIC"},
    "ar": {"ARABIC"},
    "hi": {"DEVANAGARI"},
}


class TaglineCollector(HTMLParser):
    """Each tagline on the page: its lang and dir attributes and the text inside them."""

    def __init__(self):
        super().__init__()
        self.taglines, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in ("br", "img")
        elif tag == "li" and dict(attrs).get("lang"):
            self.depth = 1
            self.taglines.append({**dict(attrs), "text": ""})

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.taglines[-1]["text"] += data


def taglines_on_page(client):
    collector = TaglineCollector()
    collector.feed(client.get(reverse("language_help")).content.decode())
    return collector.taglines


def scripts_of(text):
    return {unicodedata.name(ch).split()[0] for ch in text if unicodedata.category(ch)[0] == "L"}


def test_the_language_help_page_has_15_taglines_each_marked_with_its_own_language(client):
    shown = taglines_on_page(client)
    stored = list(LanguageTagline.objects.all())
    assert len(shown) == len(stored) == 15
    assert len({tagline["lang"] for tagline in shown}) == 15
    for tagline, record in zip(shown, stored, strict=True):
        assert tagline["lang"] == record.language_code
        assert record.own_name in tagline["text"] and record.text in tagline["text"]
        expected = SCRIPTS.get(tagline["lang"].split("-")[0], {"LATIN"})
        # The own name and the sentence are in the language's script; the phone number is not
        # a letter. A text pasted under the wrong language tag fails here.
        assert scripts_of(record.own_name + record.text) <= expected, record.english_name
        assert tagline["dir"] == ("rtl" if tagline["lang"] == "ar" else "ltr")


def test_each_tagline_ends_with_the_clinic_s_phone_number(client):
    details = ClinicDetails.load()
    details.phone = "(555) 010-0199"
    details.save()
    for tagline in taglines_on_page(client):
        assert tagline["text"].rstrip().endswith("(555) 010-0199"), tagline["lang"]


def test_a_tagline_staff_add_shows_on_the_page_and_one_they_delete_goes(
    client, django_capture_on_commit_callbacks
):
    assert "de" in [tagline["lang"] for tagline in taglines_on_page(client)]  # now cached
    with django_capture_on_commit_callbacks(execute=True):  # the cached page is let go
        LanguageTagline.objects.filter(language_code="de").delete()
        LanguageTagline.objects.create(
            language_code="fa",
            english_name="Persian (Farsi)",
            own_name="فارسی",
            direction="rtl",
            text="اگر به زبان فارسی صحبت می‌کنید، کمک زبانی رایگان در دسترس شماست. تماس بگیرید:",
            position=16,
        )
    langs = [tagline["lang"] for tagline in taglines_on_page(client)]
    assert "de" not in langs and langs[-1] == "fa"
    assert taglines_on_page(client)[-1]["dir"] == "rtl"


@pytest.mark.parametrize(
    ("code", "direction", "error"),
    [
        ("ar", "ltr", "right to left"),
        ("fa-IR", "ltr", "right to left"),
        ("ckb", "ltr", "right to left"),
        ("pa-Arab", "ltr", "right to left"),
        ("Spanish", "ltr", "language tag"),
        ("es_US", "ltr", "language tag"),
    ],
)
def test_a_wrong_language_tag_or_direction_is_refused_with_a_clear_error(code, direction, error):
    tagline = LanguageTagline(
        language_code=code, english_name="x", own_name="x", text="x", direction=direction
    )
    with pytest.raises(ValidationError, match=error):
        tagline.full_clean()


def test_a_right_to_left_tagline_with_its_direction_is_accepted():
    LanguageTagline(
        language_code="ur", english_name="Urdu", own_name="اردو", text="x", direction="rtl"
    ).full_clean()
