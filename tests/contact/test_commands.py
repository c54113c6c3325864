import csv
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
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


def write_set(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["label", "style", "message"])
        writer.writerows(rows)
    return str(path)


@pytest.mark.django_db
def test_screening_report_prints_recall_per_class_and_lists_the_misses(tmp_path):
    labelled = write_set(
        tmp_path / "set.csv",
        [
            ("crisis", "plain", "I want to end my life"),
            ("crisis", "plain", "the weather is lovely"),  # a miss: nothing crisis-like in it
            ("medical", "plain", "Can I take my Zoloft that morning?"),
            ("ordinary", "plain", "Where do I park?"),
        ],
    )
    out = StringIO()
    call_command("screening_report", "--set", labelled, stdout=out)
    report = out.getvalue()
    assert "crisis        1 of 2 " in report
    assert "urgent recall 50.0%" in report
    assert "medical recall 100.0%" in report
    assert "ordinary given a notice 0.0%" in report
    assert "p95" in report
    assert "crisis (urgent) got no notice: the weather is lovely" in report
    assert "Below the thresholds" in report


@pytest.mark.django_db
def test_screening_report_check_fails_below_the_thresholds_and_passes_above(tmp_path):
    failing = write_set(tmp_path / "bad.csv", [("crisis", "plain", "the weather is lovely")])
    with pytest.raises(CommandError, match=r"urgent recall 0\.0% < 98%"):
        call_command("screening_report", "--set", failing, "--check", stdout=StringIO())
    passing = write_set(tmp_path / "good.csv", [("crisis", "plain", "I want to end my life")])
    call_command("screening_report", "--set", passing, "--check", stdout=StringIO())


@pytest.mark.django_db
def test_screening_report_measures_the_reviewers_examples(tmp_path):
    out = StringIO()
    call_command("screening_report", "--examples", "--check", stdout=out)
    assert "screening examples (admin)" in out.getvalue()


def test_screening_report_explains_a_set_it_cannot_read(tmp_path, db):
    with pytest.raises(CommandError, match="Could not read a labelled set"):
        call_command("screening_report", "--set", str(tmp_path / "missing.csv"))


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
