import pytest
from django.core.management import call_command

from clinic.models import ClinicDetails


@pytest.mark.django_db
def test_default_content_never_overwrites_edited_clinic_details():
    call_command("load_default_content")
    details = ClinicDetails.load()
    details.name = "Edited by staff"
    details.save()
    call_command("load_default_content")
    assert ClinicDetails.load().name == "Edited by staff"


@pytest.mark.django_db
def test_default_content_dry_run_changes_nothing():
    call_command("load_default_content", "--dry-run")
    assert not ClinicDetails.objects.exists()
