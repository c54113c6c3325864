import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_load_data_generator_adds_published_pages_and_inquiries():
    from contact.models import Inquiry
    from education.models import EducationPage

    with pytest.raises(CommandError, match="made-up data"):
        call_command("generate_load_data", "--pages", "1", "--inquiries", "1")
    call_command("load_default_content", verbosity=0)
    before = EducationPage.objects.published().count()
    call_command(
        "generate_load_data",
        "--pages", "30", "--inquiries", "600", "--yes-this-is-a-benchmark-database",
    )  # fmt: skip
    assert EducationPage.objects.published().count() == before + 30
    copy = EducationPage.objects.get(slug__startswith="load-0-")
    assert copy.body_html and copy.faqs.exists() and copy.references.exists()
    assert Inquiry.objects.count() == 600
    assert Inquiry.objects.values("reference").distinct().count() == 600
    assert Inquiry.objects.filter(status="closed", closed_at__isnull=False).exists()
