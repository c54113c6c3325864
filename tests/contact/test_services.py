import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clinic.models import ClinicDetails
from contact.models import ContactSettings, Delivery, Inquiry
from contact.screening import ScreeningResult
from contact.services import (
    REFERENCE_ALPHABET,
    inquiry_assign,
    inquiry_mark_not_spam,
    inquiry_mark_spam,
    inquiry_set_status,
    inquiry_submit,
    route_recipients,
)

from .factories import TopicFactory


def submit(topic, **kwargs):
    fields = {"name": "Pat", "email": "pat@example.com", "message": "Parking?", **kwargs}
    return inquiry_submit(topic=topic, **fields)


def staff_recipients(inquiry):
    return inquiry.deliveries.get(kind=Delivery.Kind.STAFF_NOTIFICATION).recipients


@pytest.mark.django_db
def test_each_topic_routes_to_its_own_staff():
    billing = TopicFactory(label="Billing", recipients="billing@example.org\nowner@example.org")
    parking = TopicFactory(label="Parking", recipients="desk@example.org")
    assert staff_recipients(submit(billing)) == ["billing@example.org", "owner@example.org"]
    assert staff_recipients(submit(parking, message="Other")) == ["desk@example.org"]


@pytest.mark.django_db
def test_a_topic_can_route_to_a_staff_group():
    group = Group.objects.create(name="Billing team")
    users = get_user_model().objects
    users.create_user("amy", "amy@example.org", "x", is_staff=True).groups.add(group)
    users.create_user("gone", "gone@example.org", "x", is_active=False).groups.add(group)
    users.create_user("noemail", "", "x").groups.add(group)
    topic = TopicFactory(label="Billing", recipients="", staff_group=group)
    assert route_recipients(topic=topic, is_urgent=False) == ["amy@example.org"]


@pytest.mark.django_db
def test_urgent_inquiries_also_go_to_the_urgent_list(topic):
    contact_settings = ContactSettings.load()
    contact_settings.urgent_recipients = "oncall@example.org"
    contact_settings.urgent_staff_group = None
    contact_settings.save()
    inquiry = submit(topic, screening=ScreeningResult(urgent_matches=["overdos"]))
    assert staff_recipients(inquiry) == ["scheduling@example.org", "oncall@example.org"]
    assert inquiry.is_urgent and inquiry.screening_matches == "overdos"


@pytest.mark.django_db
def test_with_nobody_configured_the_clinic_address_gets_it():
    topic = TopicFactory(label="Unrouted", recipients="")
    assert route_recipients(topic=topic, is_urgent=False) == [ClinicDetails.load().email]


@pytest.mark.django_db
def test_the_acknowledgement_goes_to_the_sender_only(topic):
    inquiry = submit(topic)
    ack = inquiry.deliveries.get(kind=Delivery.Kind.ACKNOWLEDGEMENT)
    assert ack.recipients == ["pat@example.com"]


@pytest.mark.django_db
def test_references_are_short_readable_and_unique(topic, settings):
    settings.CONTACT_MAX_PER_HOUR = 100  # thirty from one address
    references = {submit(topic, message=f"Question {n}").reference for n in range(30)}
    assert len(references) == 30
    for reference in references:
        assert len(reference) == 7 and reference[3] == "-"
        assert set(reference.replace("-", "")) <= set(REFERENCE_ALPHABET)


@pytest.mark.django_db
def test_spam_is_kept_but_queues_no_email(topic):
    inquiry = submit(topic, spam_reason="filled the hidden field")
    assert inquiry.status == Inquiry.Status.SPAM
    assert not inquiry.deliveries.exists()


@pytest.mark.django_db
def test_a_false_positive_gets_its_emails_once_recovered(topic, front_desk_user):
    inquiry = submit(topic, spam_reason="sent too quickly after opening the form")
    inquiry_mark_not_spam(inquiry=inquiry, by=front_desk_user)
    inquiry_mark_not_spam(
        inquiry=inquiry, by=front_desk_user
    )  # twice by mistake: still one of each
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW and inquiry.spam_reason == ""
    assert inquiry.deliveries.count() == 2


@pytest.mark.django_db
def test_marking_spam_drops_the_emails_not_yet_sent(topic, front_desk_user):
    inquiry = submit(topic)
    inquiry_mark_spam(inquiry=inquiry, by=front_desk_user)
    assert inquiry.status == Inquiry.Status.SPAM
    assert not inquiry.deliveries.exists()


@pytest.mark.django_db
def test_assigning_a_new_inquiry_puts_it_in_progress(topic, front_desk_user):
    inquiry = inquiry_assign(inquiry=submit(topic), user=front_desk_user, by=front_desk_user)
    assert inquiry.assigned_to == front_desk_user
    assert inquiry.status == Inquiry.Status.IN_PROGRESS


@pytest.mark.django_db
def test_closing_stamps_the_date_and_reopening_clears_it(topic, front_desk_user):
    desk = front_desk_user
    inquiry = inquiry_set_status(inquiry=submit(topic), status=Inquiry.Status.CLOSED, by=desk)
    assert inquiry.closed_at is not None
    inquiry = inquiry_set_status(inquiry=inquiry, status=Inquiry.Status.WAITING, by=desk)
    assert inquiry.closed_at is None


@pytest.mark.django_db
def test_addresses_are_stored_in_lower_case_so_resends_are_recognised(topic):
    first = submit(topic, email="  Pat@Example.COM ")
    assert first.email == "pat@example.com"
    assert submit(topic, email="pat@example.com") == first


@pytest.mark.django_db
def test_two_requests_with_the_same_form_at_once_store_one_inquiry(topic, monkeypatch):
    # A double click on PostgreSQL: both requests pass the duplicate check before either
    # commits. The unique submission key lets only one row in.
    monkeypatch.setattr("contact.services.find_duplicate", lambda **kwargs: None)
    first = submit(topic, form_token="token-1")
    second = submit(topic, form_token="token-1")
    assert second == first
    assert Inquiry.objects.count() == 1 and Delivery.objects.count() == 2
    # The same words from a fresh form (a new question) are a new inquiry.
    assert submit(topic, form_token="token-2") != first


@pytest.mark.django_db
def test_urgent_inquiries_go_to_the_urgent_staff_group(topic):
    group = Group.objects.create(name="On call")
    get_user_model().objects.create_user("nurse", "oncall-nurse@example.org", "x").groups.add(group)
    contact_settings = ContactSettings.load()
    contact_settings.urgent_recipients = ""
    contact_settings.urgent_staff_group = group
    contact_settings.save()
    assert route_recipients(topic=topic, is_urgent=True) == [
        "scheduling@example.org",
        "oncall-nurse@example.org",
    ]
    assert route_recipients(topic=topic, is_urgent=False) == ["scheduling@example.org"]


@pytest.mark.django_db
def test_an_address_gets_at_most_one_acknowledgement_an_hour(topic):
    first = submit(topic, message="First question")
    second = submit(topic, message="Second question")
    other = submit(topic, email="kim@example.com", message="First question")
    kinds = lambda inquiry: sorted(inquiry.deliveries.values_list("kind", flat=True))  # noqa: E731
    assert kinds(first) == ["ack", "staff"]
    assert kinds(second) == ["staff"]  # staff still hear about it
    assert kinds(other) == ["ack", "staff"]
    an_hour_ago = timezone.now() - datetime.timedelta(minutes=61)
    Delivery.objects.filter(inquiry=first).update(created_at=an_hour_ago)
    assert kinds(submit(topic, message="Third question")) == ["ack", "staff"]


@pytest.mark.django_db
def test_past_three_urgent_an_hour_from_one_sender_staff_get_a_digest(topic, settings):
    assert settings.CONTACT_URGENT_EMAILS_PER_HOUR == 3
    urgent = ScreeningResult(urgent_matches=["overdos"])
    inquiries = [
        submit(topic, message=f"overdose {n}", screening=urgent, client_hash=f"net-{n}")
        for n in range(5)
    ]
    own = [i for i in inquiries if i.deliveries.filter(kind="staff").exists()]
    assert own == inquiries[:3]
    digest = inquiries[3].staff_digest
    assert digest is not None and inquiries[4].staff_digest == digest
    assert digest.kind == Delivery.Kind.URGENT_DIGEST and digest.inquiry is None
    assert all(i.status == Inquiry.Status.NEW and i.is_urgent for i in inquiries)
    # Another sender (another address, no shared network) is counted on its own.
    other = submit(topic, email="kim@example.com", message="overdose", screening=urgent)
    assert other.deliveries.filter(kind="staff").exists()


@pytest.mark.django_db
def test_the_service_refuses_a_new_message_past_the_hourly_limit(topic, settings):
    from contact.services import TooManyInquiries

    settings.CONTACT_MAX_PER_HOUR = 2
    submit(topic, message="One")
    submit(topic, message="Two")
    with pytest.raises(TooManyInquiries):
        submit(topic, message="Three")
    # An urgent message is never refused.
    assert submit(topic, message="Four", screening=ScreeningResult(urgent_matches=["x"])).is_urgent
    assert Inquiry.objects.count() == 3
