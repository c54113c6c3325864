"""Replying from the inquiry page, canned replies, the timeline, and the access record."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import ClinicDetails
from contact import services
from contact.models import CannedReply, Delivery, Inquiry, InquiryEvent, InquiryNote
from contact.notifications import deliveries_send_due
from tests.factories import UserFactory

from .factories import InquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(front_desk_user, client):
    client.force_login(front_desk_user)
    return client


@pytest.fixture
def inquiry(topic):
    return InquiryFactory(topic=topic, name="Pat Example", email="pat@example.com")


def change_url(inquiry):
    return reverse("admin:contact_inquiry_change", args=[inquiry.pk])


def reply_url(inquiry, **query):
    url = reverse("admin:contact_inquiry_reply", args=[inquiry.pk])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def events(kind):
    return list(InquiryEvent.objects.filter(kind=kind))


def test_a_reply_survives_a_mail_server_outage_and_arrives_once(
    smtp_server, inquiry, front_desk_user
):
    services.inquiry_reply_send(
        inquiry=inquiry, by=front_desk_user, body="Friday at 2 pm works. See you then."
    )
    now = timezone.now()
    assert deliveries_send_due(now=now) == (0, 1)  # the mail server is down
    smtp_server.start()
    later = now + datetime.timedelta(minutes=5)
    assert deliveries_send_due(now=later) == (1, 0)
    assert deliveries_send_due(now=later + datetime.timedelta(hours=1)) == (0, 0)
    [message] = smtp_server.handler.messages()
    assert message["To"] == "pat@example.com"
    assert message["Reply-To"] == ClinicDetails.load().email
    assert inquiry.reference in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert "Friday at 2 pm works." in body and inquiry.reference in body
    assert "Can I move my appointment" not in body  # their message is not copied back


def test_replying_from_the_page_sets_the_status_and_shows_on_the_timeline(
    desk, inquiry, front_desk_user
):
    form = desk.get(reply_url(inquiry)).content.decode()
    assert "To <strong>Pat Example</strong>" in form
    response = desk.post(
        reply_url(inquiry), {"body": "Please send your insurance card.", "then_status": "waiting"}
    )
    assert response.status_code == 302 and response.url == change_url(inquiry)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.WAITING
    page = desk.get(change_url(inquiry)).content.decode()
    assert "Please send your insurance card." in page and "Waiting to send" in page
    deliveries_send_due()
    page = desk.get(change_url(inquiry)).content.decode()
    assert "(Sent " in page
    assert "Status changed New to Waiting on patient" in page
    assert [e.actor for e in events(InquiryEvent.Kind.REPLIED)] == [front_desk_user]


def test_a_reply_is_refused_when_empty_on_spam_or_with_another_status(
    desk, inquiry, front_desk_user
):
    response = desk.post(reply_url(inquiry), {"body": "   ", "then_status": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    with pytest.raises(ValidationError):
        services.inquiry_reply_send(
            inquiry=inquiry, by=front_desk_user, body="Hi", then_status=Inquiry.Status.SPAM
        )
    services.inquiry_mark_spam(inquiry=inquiry, by=front_desk_user)
    response = desk.post(reply_url(inquiry), {"body": "Hello", "then_status": ""}, follow=True)
    assert "marked as spam" in response.content.decode()
    assert not inquiry.replies.exists()
    assert not Delivery.objects.filter(kind=Delivery.Kind.REPLY).exists()


def test_a_canned_reply_is_inserted_with_its_placeholders_filled_in(desk, inquiry, topic):
    clinic = ClinicDetails.load()
    canned = CannedReply.objects.create(
        title="Parking",
        topic=topic,
        body="Hello {name}, about {reference}: park behind {clinic_name}. Call {clinic_phone}.",
    )
    CannedReply.objects.create(title="Billing only", topic=TopicFactory(), body="Other topic")
    html = desk.get(reply_url(inquiry, canned=canned.pk)).content.decode()
    assert (
        f"Hello Pat Example, about {inquiry.reference}: park behind {clinic.name}. "
        f"Call {clinic.phone}."
    ) in html
    assert "Parking" in html and "Billing only" not in html  # another topic's is not offered
    assert desk.get(reply_url(inquiry, canned="x²")).status_code == 200


def test_a_canned_reply_names_only_known_placeholders():
    reply = CannedReply(title="Odd", body="Hi {name.__class__} and {email}")
    with pytest.raises(ValidationError) as error:
        reply.full_clean()
    assert "{email}" in str(error.value) and "{name.__class__}" in str(error.value)
    # Whatever is stored, filling in reads only the values given, never an attribute.
    assert reply.filled_in({"{name}": "Pat"}) == "Hi {name.__class__} and {email}"


def test_opening_replying_assigning_and_spam_are_in_the_access_record(
    desk, inquiry, front_desk_user
):
    desk.get(change_url(inquiry))
    services.inquiry_assign(inquiry=inquiry, user=front_desk_user, by=front_desk_user)
    services.inquiry_mark_spam(inquiry=inquiry, by=front_desk_user)
    services.inquiry_mark_not_spam(inquiry=inquiry, by=front_desk_user)
    kinds = list(
        InquiryEvent.objects.filter(inquiry=inquiry)
        .order_by("at", "pk")
        .values_list("kind", "actor")
    )
    assert kinds == [
        ("opened", front_desk_user.pk),
        ("assigned", front_desk_user.pk),
        ("status", front_desk_user.pk),  # assigning a new inquiry puts it in progress
        ("spam", front_desk_user.pk),
        ("not_spam", front_desk_user.pk),
    ]


def test_an_export_asks_why_and_records_the_reason_and_row_count(desk, topic):
    chosen = [InquiryFactory(topic=topic) for _ in range(3)]
    data = {"action": "export_csv", "_selected_action": [i.pk for i in chosen]}
    list_url = reverse("admin:contact_inquiry_changelist")
    assert not desk.post(list_url, data).streaming
    assert events(InquiryEvent.Kind.EXPORTED) == []
    response = desk.post(list_url, {**data, "reason": "Monthly billing check"})
    b"".join(response.streaming_content)
    exported = events(InquiryEvent.Kind.EXPORTED)
    assert sorted(e.reference for e in exported) == sorted(i.reference for i in chosen)
    assert {e.detail for e in exported} == {"Reason: Monthly billing check"}


def test_csv_times_are_in_the_clinic_s_time_zone_and_flags_are_yes_or_no(desk, topic, settings):
    settings.TIME_ZONE = "America/New_York"
    received = datetime.datetime(2026, 7, 1, 16, 30, 12, 345678, tzinfo=datetime.UTC)
    chosen = InquiryFactory(topic=topic, received_at=received, is_urgent=True)
    response = desk.post(
        reverse("admin:contact_inquiry_changelist"),
        {"action": "export_csv", "_selected_action": [chosen.pk], "reason": "Audit"},
    )
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    header, row = list(csv.reader(io.StringIO(text)))
    values = dict(zip(header, row, strict=True))
    assert values["Received"] == "2026-07-01 12:30"  # 16:30 UTC is 12:30 in New York in July
    assert (values["Urgent"], values["Medical"]) == ("Yes", "No")


def test_erasing_a_sender_keeps_the_record_without_their_details(inquiry, front_desk_user):
    services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body="Reply text")
    call_command("purge_inquiries", "--erase-email", "pat@example.com", stdout=io.StringIO())
    assert not Inquiry.objects.exists()
    record = list(InquiryEvent.objects.order_by("at", "pk"))
    assert [e.kind for e in record] == ["replied", "status", "erased"]
    assert all(e.inquiry_id is None and e.reference == inquiry.reference for e in record)
    stored = " ".join(f"{e.detail} {e.actor_name}" for e in record)
    assert "Pat" not in stored and "pat@example.com" not in stored and "Reply text" not in stored


def test_purging_keeps_the_record_entries(inquiry, front_desk_user):
    services.inquiry_set_status(inquiry=inquiry, status=Inquiry.Status.CLOSED, by=front_desk_user)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        closed_at=timezone.now() - datetime.timedelta(days=400)
    )
    call_command("purge_inquiries", stdout=io.StringIO())
    assert not Inquiry.objects.exists()
    [entry] = InquiryEvent.objects.all()
    assert entry.reference == inquiry.reference and entry.inquiry_id is None


def test_nobody_can_change_or_delete_the_record_and_only_superusers_list_it(
    client, desk, inquiry, front_desk_user
):
    desk.get(change_url(inquiry))
    entry = InquiryEvent.objects.get()
    list_url = reverse("admin:contact_inquiryevent_changelist")
    assert desk.get(list_url).status_code == 403
    boss = UserFactory(username="boss", is_superuser=True)
    client.force_login(boss)
    assert client.get(list_url + f"?actor__id__exact={front_desk_user.pk}").status_code == 200
    entry_url = reverse("admin:contact_inquiryevent_change", args=[entry.pk])
    assert "Save" not in client.get(entry_url).content.decode()
    assert client.post(entry_url, {"detail": "changed"}).status_code == 403
    delete_url = reverse("admin:contact_inquiryevent_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    client.post(
        list_url, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert InquiryEvent.objects.get().detail == entry.detail
    # Nor can an inquiry be deleted in the admin without a trace: erasure is the command's.
    inquiry_delete = reverse("admin:contact_inquiry_delete", args=[inquiry.pk])
    assert client.post(inquiry_delete, {"post": "yes"}).status_code == 403
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()


def test_assigned_to_offers_front_desk_members_only(desk, inquiry):
    UserFactory(username="edna", groups=["Content editors"])
    UserFactory(username="dana", groups=["Front desk"])
    html = desk.get(change_url(inquiry)).content.decode()
    options = html.split('name="assigned_to"')[1].split("</select>")[0]
    assert ">dana<" in options and ">desk<" in options and "edna" not in options


def test_the_topic_s_acknowledgement_text_is_in_its_acknowledgement(topic, mailoutbox):
    topic.acknowledgement_text = "Billing staff are in on Tuesdays and Thursdays."
    topic.save()
    services.inquiry_submit(
        topic=topic, name="Pat", email="pat@example.com", message="Is my bill right?"
    )
    deliveries_send_due()
    [ack] = [m for m in mailoutbox if m.to == ["pat@example.com"]]
    assert "Billing staff are in on Tuesdays and Thursdays." in ack.body
    assert "Is my bill right?" not in ack.body


def test_the_inquiry_page_costs_the_same_queries_with_many_notes_and_replies(
    desk, inquiry, front_desk_user
):
    def queries():
        desk.get(change_url(inquiry))
        with CaptureQueriesContext(connection) as captured:
            assert desk.get(change_url(inquiry)).status_code == 200
        return len(captured)

    InquiryNote.objects.create(inquiry=inquiry, author=front_desk_user, text="Called, no answer.")
    services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body="First reply")
    few = queries()
    for n in range(10):
        InquiryNote.objects.create(inquiry=inquiry, author=front_desk_user, text=f"Note {n}")
        services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body=f"Reply {n}")
    assert queries() == few
    assert few <= 19, few  # page, timeline, access list, inlines, second factor (19 when written)


def test_saving_a_note_keeps_an_assignee_who_is_not_in_the_front_desk(desk, inquiry):
    boss = UserFactory(username="boss", is_superuser=True)
    Inquiry.objects.filter(pk=inquiry.pk).update(assigned_to=boss)
    html = desk.get(change_url(inquiry)).content.decode()
    options = html.split('name="assigned_to"')[1].split("</select>")[0]
    assert f'value="{boss.pk}" selected' in options
    data = {
        "topic": inquiry.topic_id,
        "status": inquiry.status,
        "assigned_to": boss.pk,
        "notes-TOTAL_FORMS": 1,
        "notes-INITIAL_FORMS": 0,
        "notes-0-text": "Called, left a message.",
        "deliveries-TOTAL_FORMS": 0,
        "deliveries-INITIAL_FORMS": 0,
    }
    assert desk.post(change_url(inquiry), data).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == boss and inquiry.notes.count() == 1
    assert not events(InquiryEvent.Kind.ASSIGNED)


def test_a_front_desk_lead_edits_what_a_topic_says_never_where_it_goes(client, topic):
    lead = UserFactory(username="lead", groups=["Front desk", "Front desk leads"])
    client.force_login(lead)
    url = reverse("admin:contact_topic_change", args=[topic.pk])
    data = {
        "label": "Anything",
        "description": "Changed",
        "recipients": "attacker@example.net",
        "acknowledgement_text": "Bring your insurance card.",
        "response_target_minutes": 240,
        "is_active": "on",
        "order": 0,
    }
    assert client.post(url, data).status_code == 302
    topic.refresh_from_db()
    assert topic.acknowledgement_text == "Bring your insurance card."
    assert topic.response_target_minutes == 240
    assert topic.recipients == "scheduling@example.org" and topic.label == "Rescheduling"


def test_marking_spam_keeps_a_reply_staff_wrote(inquiry, front_desk_user, mailoutbox):
    services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body="Our reply.")
    services.inquiry_mark_spam(inquiry=inquiry, by=front_desk_user)
    deliveries_send_due()
    assert [m.body.split("\n")[0] for m in mailoutbox] == ["Our reply."]


def test_a_double_click_sends_one_reply(inquiry, front_desk_user):
    first = services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body="Yes, Friday.")
    again = services.inquiry_reply_send(inquiry=inquiry, by=front_desk_user, body="Yes, Friday.")
    assert again == first
    assert Delivery.objects.filter(kind=Delivery.Kind.REPLY).count() == 1


def test_replying_needs_the_reply_permission(client, inquiry):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="viewer")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_inquiry", "change_inquiry"])
    )
    client.force_login(viewer)
    assert "Reply to the sender" not in client.get(change_url(inquiry)).content.decode()
    assert client.get(reply_url(inquiry)).status_code == 403
    assert client.post(reply_url(inquiry), {"body": "Hi"}).status_code == 403
    assert not inquiry.replies.exists()


def test_the_inquiry_page_says_who_opened_or_exported_it(desk, inquiry, front_desk_user):
    services.export_record(
        inquiries=Inquiry.objects.filter(pk=inquiry.pk), by=front_desk_user, reason="Audit"
    )
    desk.get(change_url(inquiry))
    html = desk.get(change_url(inquiry)).content.decode()
    access = html.split('class="module inquiry-access"')[1].split("</details>")[0]
    assert access.count("Opened by desk") == 2  # the view before, and this one
    assert "Exported to CSV (Reason: Audit) by desk" in access


def test_the_inbox_shows_names_and_a_safe_preview_to_staff_allowed_them(client, desk, topic):
    InquiryFactory(topic=topic, name="Robin Sender", message="Line one\r\nline\x00two <b>x</b>")
    html = desk.get(reverse("admin:contact_inquiry_changelist")).content.decode()
    assert "Robin Sender" in html
    assert "Line one line two &lt;b&gt;x&lt;/b&gt;" in html
    viewer = UserFactory(username="viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_inquiry"))
    client.force_login(viewer)
    html = client.get(reverse("admin:contact_inquiry_changelist")).content.decode()
    assert "Robin Sender" not in html and "Line one" not in html
