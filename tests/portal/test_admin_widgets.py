import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_admin_date_and_time_inputs_have_labels(admin_client, admin_user):
    """templates/admin/widgets/split_datetime.html is used (FORM_RENDERER reads TEMPLATES)."""
    html = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content
    html = html.decode()
    assert '<label for="id_date_joined_0">Date:</label>' in html
    assert '<label for="id_date_joined_1">Time:</label>' in html
