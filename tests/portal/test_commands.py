import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_local_accounts_are_created_with_the_printed_passwords(settings, capsys):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8765"  # make run PORT=8765
    call_command("create_local_accounts")
    out = capsys.readouterr().out
    assert f"Local accounts for http://127.0.0.1:8765/{settings.ADMIN_URL} " in out
    printed = dict(re.findall(r"^\s+(\w+)\s+password: (\S+)", out, flags=re.MULTILINE))
    assert set(printed) == {"admin", "editor", "reviewer", "frontdesk"}
    users = get_user_model().objects
    for username, password in printed.items():
        assert users.get(username=username).check_password(password), username
    assert users.get(username="admin").is_superuser
    editor = users.get(username="editor")
    assert not editor.is_superuser
    assert editor.has_perm("education.change_educationpage")
    assert not editor.has_perm("education.publish_educationpage")
    assert users.get(username="reviewer").has_perm("education.publish_educationpage")
    front_desk = users.get(username="frontdesk")
    assert front_desk.has_perm("contact.change_inquiry")
    assert not front_desk.has_perm("education.change_educationpage")
    assert not editor.has_perm("contact.view_inquiry")


@pytest.mark.django_db
def test_local_accounts_refuse_to_be_made_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("create_local_accounts")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_local_code_prints_what_the_app_would_show_and_only_when_debugging(settings, capsys):
    from tests.factories import UserFactory, current_code, second_factor_device

    settings.DEBUG = True
    call_command("create_local_accounts")
    assert "manage.py local_code USERNAME" in capsys.readouterr().out
    device = second_factor_device(UserFactory(username="nina"))
    with time_machine.travel("2027-03-01 09:00:10", tick=False):  # no 30-second step between
        call_command("local_code", "nina")
        assert capsys.readouterr().out.strip() == current_code(device)
    with pytest.raises(CommandError, match="no authenticator yet"):
        call_command("local_code", "editor")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("local_code", "nina")
