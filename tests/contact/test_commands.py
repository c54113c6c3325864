import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from contact.models import Inquiry, InquiryNote

from .factories import InquiryFactory


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


@pytest.fixture
def aged_inquiries(topic):
    return {
        "old_closed": InquiryFactory(topic=topic, status="closed", closed_at=days_ago(400)),
        "recent_closed": InquiryFactory(topic=topic, status="closed", closed_at=days_ago(100)),
        "old_open": InquiryFactory(topic=topic, status="waiting", received_at=days_ago(500)),
        "old_spam": InquiryFactory(topic=topic, status="spam", received_at=days_ago(31)),
        "new_spam": InquiryFactory(topic=topic, status="spam", received_at=days_ago(2)),
    }


def remaining():
    return set(Inquiry.objects.values_list("reference", flat=True))


@pytest.mark.django_db
def test_purge_deletes_old_closed_and_old_spam_only(aged_inquiries, capsys):
    InquiryNote.objects.create(inquiry=aged_inquiries["old_closed"], text="Done")
    call_command("purge_inquiries")
    assert "Deleted 1 closed inquiries older than 365 days and 1 spam" in capsys.readouterr().out
    kept = {"recent_closed", "old_open", "new_spam"}
    assert remaining() == {aged_inquiries[name].reference for name in kept}
    assert not InquiryNote.objects.exists()
    call_command("purge_inquiries")  # idempotent
    assert len(remaining()) == 3


@pytest.mark.django_db
def test_purge_dry_run_changes_nothing(aged_inquiries, capsys):
    call_command("purge_inquiries", "--dry-run")
    assert "Would delete 1 closed" in capsys.readouterr().out
    assert len(remaining()) == 5


@pytest.mark.django_db
def test_retention_periods_come_from_settings(aged_inquiries, settings):
    settings.CONTACT_RETENTION_DAYS = 30
    call_command("purge_inquiries")
    assert aged_inquiries["recent_closed"].reference not in remaining()


@pytest.mark.django_db
def test_purge_drops_address_hashes_after_two_days(topic):
    old = InquiryFactory(topic=topic, client_hash="ab" * 32, received_at=days_ago(3))
    new = InquiryFactory(topic=topic, client_hash="cd" * 32)
    call_command("purge_inquiries")
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.client_hash == "" and new.client_hash == "cd" * 32


@pytest.mark.django_db
def test_erase_removes_everything_from_one_address(topic, capsys):
    mine = InquiryFactory(topic=topic, email="me@example.com")
    InquiryNote.objects.create(inquiry=mine, text="Called back")
    InquiryFactory(topic=topic, email="me@example.com", status="closed")
    other = InquiryFactory(topic=topic, email="other@example.com")
    call_command("purge_inquiries", "--erase-email", "  ME@example.com ", "--dry-run")
    assert Inquiry.objects.count() == 3
    call_command("purge_inquiries", "--erase-email", "  ME@example.com ")
    assert "Deleted 2 inquiries" in capsys.readouterr().out.splitlines()[-1]
    assert remaining() == {other.reference}
    assert not InquiryNote.objects.exists()


@pytest.mark.django_db
def test_purge_drops_sent_digests_once_their_inquiries_are_gone(topic):
    from contact.models import Delivery

    sent = Delivery.objects.create(kind="digest", status="sent", sent_at=timezone.now())
    still_listing = Delivery.objects.create(kind="digest", status="sent", sent_at=timezone.now())
    InquiryFactory(topic=topic, is_urgent=True, staff_digest=still_listing)
    waiting = Delivery.objects.create(kind="digest")
    call_command("purge_inquiries")
    assert set(Delivery.objects.values_list("pk", flat=True)) == {still_listing.pk, waiting.pk}
    assert sent.pk not in Delivery.objects.values_list("pk", flat=True)
