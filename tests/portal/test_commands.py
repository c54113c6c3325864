import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from portal.models import ClinicDetails


@pytest.mark.django_db
def test_local_admin_is_created_with_the_printed_password(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_local_admin")
    out = capsys.readouterr().out
    password = out.split("password: ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser
    assert user.check_password(password)


@pytest.mark.django_db
def test_local_admin_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("ensure_local_admin")
    assert not get_user_model().objects.exists()


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
