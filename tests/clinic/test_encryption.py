"""What patients write is encrypted in the database, readable only with the configured keys."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, transaction

from clinic.encryption import UnreadableText
from contact import services
from contact.models import Inquiry
from tests.contact.factories import TopicFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MESSAGE = "I am scared about my first infusion on Friday"


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def submit(topic=None, **kwargs):
    return services.inquiry_submit(
        topic=topic or TopicFactory(),
        name="Pat Example",
        email="pat@example.com",
        message=MESSAGE,
        phone="555-010-0199",
        **kwargs,
    )


def test_a_raw_read_of_an_inquiry_shows_no_message_or_phone_but_the_app_reads_them():
    inquiry = submit()
    stored_message = raw("contact_inquiry", "message", inquiry.pk)
    stored_phone = raw("contact_inquiry", "phone", inquiry.pk)
    assert "scared" not in stored_message and stored_message.startswith("gAAAAA")
    assert "0199" not in stored_phone
    # Name, email and reference stay clear: staff search by them.
    assert raw("contact_inquiry", "email", inquiry.pk) == "pat@example.com"
    fresh = Inquiry.objects.get(pk=inquiry.pk)
    assert (fresh.message, fresh.phone) == (MESSAGE, "555-010-0199")
    assert Inquiry.objects.filter(name="Pat Example").get() == inquiry


def test_a_reply_is_encrypted_too():
    inquiry = submit()
    reply = services.inquiry_reply_send(
        inquiry=inquiry, by=UserFactory(username="desk"), body="See you on Friday, Pat."
    )
    assert "Friday" not in raw("contact_inquiryreply", "body", reply.pk)


def test_no_phone_stays_empty():
    inquiry = services.inquiry_submit(
        topic=TopicFactory(), name="Kim", email="kim@example.com", message="Parking?"
    )
    assert raw("contact_inquiry", "phone", inquiry.pk) == ""


def test_a_resend_is_still_recognised_though_messages_are_encrypted():
    topic = TopicFactory()
    first = submit(topic)
    assert submit(topic) == first
    assert Inquiry.objects.count() == 1


def test_rotation_re_encrypts_every_row_and_the_old_key_then_fails(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    inquiry = submit()
    before = raw("contact_inquiry", "message", inquiry.pk)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "contact.Inquiry: 1 rows" in out.getvalue()
    after = raw("contact_inquiry", "message", inquiry.pk)
    assert after != before
    assert Fernet(new).decrypt(after.encode()).decode() == MESSAGE

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert Inquiry.objects.get(pk=inquiry.pk).message == MESSAGE
    settings.FIELD_ENCRYPTION_KEYS = [old]
    assert Inquiry.objects.get(pk=inquiry.pk).message == UnreadableText.NOTICE


def test_rows_stored_before_encryption_are_read_and_then_encrypted():
    inquiry = submit()
    with connection.cursor() as cursor:  # as the table held them before the migration
        cursor.execute(
            "UPDATE contact_inquiry SET message = %s WHERE id = %s", ["Old clear text", inquiry.pk]
        )
    assert Inquiry.objects.get(pk=inquiry.pk).message == "Old clear text"
    call_command("rotate_encryption_key", stdout=io.StringIO())
    assert raw("contact_inquiry", "message", inquiry.pk).startswith("gAAAAA")
    assert Inquiry.objects.get(pk=inquiry.pk).message == "Old clear text"


def test_a_value_no_key_can_read_shows_a_notice_and_is_never_written_back(settings, caplog):
    from contact.notifications import deliveries_send_due

    inquiry = submit()
    reply = services.inquiry_reply_send(
        inquiry=inquiry, by=UserFactory(username="desk"), body="See you Friday."
    )
    stored = raw("contact_inquiry", "message", inquiry.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the wrong key
    with caplog.at_level("ERROR"):
        unreadable = Inquiry.objects.get(pk=inquiry.pk)
    assert unreadable.message == UnreadableText.NOTICE
    assert "cannot be read" in caplog.text and "scared" not in caplog.text
    # Saving it back is refused: the stored original survives for when the key returns.
    with pytest.raises(ValueError, match="Refusing to overwrite"), transaction.atomic():
        unreadable.save()
    with pytest.raises(ValueError, match="Refusing to overwrite"), transaction.atomic():
        call_command("rotate_encryption_key", stdout=io.StringIO())
    assert raw("contact_inquiry", "message", inquiry.pk) == stored
    # The email worker goes on: the reply waits (retried), it is never sent as the notice.
    sent, failed = deliveries_send_due()
    assert (sent, failed) == (2, 1)  # the staff email and acknowledgement go; the reply waits
    reply.refresh_from_db()
    assert reply.delivery.status == "pending"
