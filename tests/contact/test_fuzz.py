"""Whatever anyone types into any field, the contact form answers without a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
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
def test_arbitrary_text_in_every_field_never_gets_a_server_error(client, topic, values):
    before = Inquiry.objects.count()
    response = client.post("/contact/", form_data(topic, **values))
    assert response.status_code in (200, 302, 413)
    if response.status_code != 302:
        assert Inquiry.objects.count() == before  # an error page stored nothing
