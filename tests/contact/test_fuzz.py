"""Whatever anyone types into any field, the contact form answers without a server error."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contact.models import Inquiry

from .factories import form_data

# Any text a browser can send: every Unicode character but lone surrogates, which UTF-8
# cannot encode.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=3000)
FIELDS = [
    "name",
    "email",
    "phone",
    "reply_by",
    "topic",
    "message",
    "understands_not_medical",
    "website",
    "form_started",
    "send_anyway",
]


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    # The client and topic are the same for every example; each example adds at most one row.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, any_text)))
@example(values={"email": "\u0130\u0130@example.com"})
@example(values={"email": "pat@ex\ufffdample.com"})
@example(values={"name": "\u0130" * 100, "message": "\u2028" * 2000})
def test_arbitrary_text_in_every_field_never_gets_a_server_error(client, topic, values):
    before = Inquiry.objects.count()
    response = client.post("/contact/", form_data(topic, **values))
    # 429: past the hourly limit, the form says so (and keeps the text); nothing is stored.
    assert response.status_code in (200, 302, 413, 429)
    if response.status_code != 302:
        assert Inquiry.objects.count() == before  # an error page stored nothing


@pytest.mark.django_db
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    email=st.emails(),
    name=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=100),
    message=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=2000),
)
def test_any_accepted_submission_is_stored_and_its_emails_are_sent(
    client, topic, email, name, message
):
    """Past the form: the service and the email worker get whatever the form lets through."""
    from django.test import override_settings

    from contact.models import Delivery
    from contact.notifications import deliveries_send_due

    # Every example comes from one address: lift the hourly limits so each reaches the service,
    # and the urgent-email limit, past which staff hear in a digest that waits a few minutes
    # (tests/contact/test_services.py covers the digest).
    with override_settings(
        CONTACT_MAX_PER_HOUR=10**9,
        CONTACT_MAX_PER_HOUR_PER_NETWORK=10**9,
        CONTACT_URGENT_EMAILS_PER_HOUR=10**9,
    ):
        data = form_data(topic, email=email, name=name, message=message, send_anyway="1",
                         notice_shown="urgent")  # fmt: skip
        response = client.post("/contact/", data)
    assert response.status_code in (200, 302)
    _sent, failed = deliveries_send_due()
    assert failed == 0
    assert not Delivery.objects.filter(status=Delivery.Status.PENDING).exists()
