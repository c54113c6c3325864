import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contact.models import Delivery, Inquiry, InquiryNote
from contact.services import inquiry_submit
from tests.education.factories import editor

from .factories import InquiryFactory

LIST_URL = reverse("admin:contact_inquiry_changelist")


def change_url(inquiry):
    return reverse("admin:contact_inquiry_change", args=[inquiry.pk])


def run_action(client, action, inquiries, **extra):
    return client.post(
        LIST_URL,
        {"action": action, "_selected_action": [i.pk for i in inquiries], **extra},
    )


@pytest.fixture
def desk_client(client, front_desk_user):
    client.force_login(front_desk_user)
    return client


@pytest.mark.django_db
def test_content_editors_cannot_see_inquiries(client, topic):
    inquiry = InquiryFactory(topic=topic)
    client.force_login(editor())
    assert client.get(LIST_URL).status_code == 403
    assert client.get(change_url(inquiry)).status_code == 403


@pytest.mark.django_db
def test_front_desk_sees_open_urgent_inquiries_first_then_newest(desk_client, topic):
    now = timezone.now()
    InquiryFactory(topic=topic, reference="OLD-AAA", received_at=now - timedelta(days=3))
    InquiryFactory(
        topic=topic, reference="URG-ENT", is_urgent=True, received_at=now - timedelta(days=2)
    )
    InquiryFactory(topic=topic, reference="NEW-EST", received_at=now)
    InquiryFactory(
        topic=topic,
        reference="URG-CLO",
        is_urgent=True,
        status="closed",
        received_at=now - timedelta(days=1),
    )
    # The inbox opens on open inquiries, urgent first; the closed one is under "All but spam".
    html = desk_client.get(LIST_URL).content.decode()
    order = [html.index(ref) for ref in ("URG-ENT", "NEW-EST", "OLD-AAA")]
    assert order == sorted(order)
    assert "URG-CLO" not in html
    assert 'href="?status=any"' in html and "All but spam" in html
    html = desk_client.get(LIST_URL + "?status=any").content.decode()
    order = [html.index(ref) for ref in ("URG-ENT", "NEW-EST", "URG-CLO", "OLD-AAA")]
    assert order == sorted(order)


@pytest.mark.django_db
def test_inbox_opens_on_open_inquiries_and_offers_all_of_them(desk_client, topic):
    for status in ["new", "in_progress", "waiting", "closed", "spam"]:
        InquiryFactory(topic=topic, reference=f"S-{status[:5].upper()}", status=status)
    shown = desk_client.get(LIST_URL).content.decode()
    assert all(reference in shown for reference in ["S-NEW", "S-IN_PR", "S-WAITI"])
    assert "S-CLOSE" not in shown and "S-SPAM" not in shown
    # The default choice is marked as chosen in the filter, so staff can see what they see.
    assert '<li class="selected">\n    <a href="?status=open"' in shown
    everything = desk_client.get(LIST_URL + "?status=all").content.decode()
    assert "S-CLOSE" in everything and "S-SPAM" in everything


@pytest.mark.django_db
def test_urgent_and_medical_flags_are_labels_first_in_each_row(desk_client, topic):
    InquiryFactory(topic=topic, reference="URG-MED", is_urgent=True, is_medical=True)
    InquiryFactory(topic=topic, reference="PLA-AIN")
    html = desk_client.get(LIST_URL).content.decode()

    def row_of(reference):
        at = html.index(reference)
        return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]

    # The flags cell comes first after the checkbox, then the reference (the link).
    urgent_row = row_of("URG-MED")
    assert re.findall(r'class="field-([a-z_]+)"', urgent_row)[:2] == ["flags", "reference"]
    flags_cell = re.search(r'<td class="field-flags">(.*?)</td>', urgent_row).group(1)
    assert flags_cell == (
        '<span class="inbox-flag inbox-flag--urgent">Urgent</span> '
        '<span class="inbox-flag inbox-flag--medical">Medical</span>'
    )
    # Words, not Django's boolean icons.
    assert "icon-yes.svg" not in html and "icon-no.svg" not in html
    assert "inbox-flag" not in row_of("PLA-AIN")
    assert "css/admin-inbox.css" in html


@pytest.mark.django_db
def test_spam_stays_out_of_the_inbox_unless_asked_for(desk_client, topic):
    InquiryFactory(topic=topic, reference="SPA-MMM", status="spam")
    InquiryFactory(topic=topic, reference="REA-LLL")
    html = desk_client.get(LIST_URL).content.decode()
    assert "REA-LLL" in html and "SPA-MMM" not in html
    assert "SPA-MMM" in desk_client.get(LIST_URL + "?status=spam").content.decode()


@pytest.mark.django_db
def test_inbox_search_and_filters(desk_client, topic):
    InquiryFactory(topic=topic, reference="FIN-DME", email="findme@example.com")
    InquiryFactory(topic=topic, reference="NOT-MEE")
    html = desk_client.get(LIST_URL + "?q=findme@example.com").content.decode()
    assert "FIN-DME" in html and "NOT-MEE" not in html
    html = desk_client.get(LIST_URL + "?q=FIN-DME").content.decode()
    assert "FIN-DME" in html and "NOT-MEE" not in html
    html = desk_client.get(LIST_URL + "?is_urgent__exact=1").content.decode()
    assert "FIN-DME" not in html


@pytest.mark.django_db
def test_inbox_list_query_count_does_not_grow_with_the_rows(
    desk_client, topic, django_assert_max_num_queries
):
    for _ in range(30):
        InquiryFactory(topic=topic, assigned_to=None)
    desk_client.get(LIST_URL)
    with django_assert_max_num_queries(12):
        desk_client.get(LIST_URL)


@pytest.mark.django_db
def test_assign_to_me_then_note_then_close(desk_client, topic, front_desk_user):
    inquiry = InquiryFactory(topic=topic)
    run_action(desk_client, "assign_to_me", [inquiry])
    inquiry.refresh_from_db()
    assert inquiry.assigned_to == front_desk_user
    assert inquiry.status == Inquiry.Status.IN_PROGRESS

    page = desk_client.get(change_url(inquiry))
    assert page.status_code == 200
    response = desk_client.post(
        change_url(inquiry),
        {
            "topic": topic.pk,
            "status": "waiting",
            "assigned_to": front_desk_user.pk,
            "notes-TOTAL_FORMS": "1",
            "notes-INITIAL_FORMS": "0",
            "notes-0-text": "Left a voicemail about Friday.",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = InquiryNote.objects.get()
    assert note.author == front_desk_user and note.text == "Left a voicemail about Friday."

    run_action(desk_client, "mark_closed", [inquiry])
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.CLOSED and inquiry.closed_at is not None


@pytest.mark.django_db
def test_patient_message_cannot_be_edited_by_staff(desk_client, topic):
    inquiry = InquiryFactory(topic=topic, message="Original words")
    html = desk_client.get(change_url(inquiry)).content.decode()
    assert 'name="message"' not in html and "Original words" in html


@pytest.mark.django_db
def test_change_page_shows_each_email_state_and_last_error(desk_client, topic):
    inquiry = inquiry_submit(topic=topic, name="Pat", email="pat@example.com", message="Hi")
    inquiry.deliveries.filter(kind=Delivery.Kind.ACKNOWLEDGEMENT).update(
        attempts=3, last_error="SMTPServerDisconnected: Connection unexpectedly closed"
    )
    html = desk_client.get(change_url(inquiry)).content.decode()
    assert "Waiting to send" in html
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in html


@pytest.mark.django_db
def test_spam_and_not_spam_actions(desk_client, topic):
    inquiry = inquiry_submit(topic=topic, name="Pat", email="pat@example.com", message="Hi")
    run_action(desk_client, "mark_spam", [inquiry])
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.SPAM and not inquiry.deliveries.exists()
    # Staff find it under the spam filter and recover it from there.
    desk_client.post(
        LIST_URL + "?status=spam",
        {"action": "mark_not_spam", "_selected_action": [inquiry.pk]},
    )
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW and inquiry.deliveries.count() == 2


@pytest.mark.django_db
def test_csv_export_streams_the_selected_rows_safely(desk_client, topic):
    chosen = InquiryFactory(topic=topic, name='=HYPERLINK("http://evil")', message="Hello")
    InquiryFactory(topic=topic, name="Not chosen")
    asked = run_action(desk_client, "export_csv", [chosen])
    assert not asked.streaming and "Why are you exporting" in asked.content.decode()
    response = run_action(desk_client, "export_csv", [chosen], reason="Audit of replies")
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][:4] == ["Reference", "Received", "Topic", "Status"]
    assert rows[1][3] == "New"  # as staff read it, not the code
    assert len(rows) == 2
    assert rows[1][0] == chosen.reference
    assert rows[1][7] == '\'=HYPERLINK("http://evil")'  # never a live formula


@pytest.mark.django_db
def test_inquiries_are_never_added_by_hand(desk_client):
    assert desk_client.get(reverse("admin:contact_inquiry_add")).status_code == 403


@pytest.mark.django_db
def test_assignee_filter_offers_staff_accounts_only(desk_client, django_user_model):
    django_user_model.objects.create_user("patientaccount", "p@example.com", "x")
    html = desk_client.get(LIST_URL).content.decode()
    assert "?assigned_to__id__exact=" in html  # the filter is there, with the desk user
    assert "patientaccount" not in html


@pytest.mark.django_db
def test_choosing_spam_in_the_status_menu_drops_unsent_emails_and_back_sends_them(
    desk_client, topic, front_desk_user
):
    inquiry = inquiry_submit(topic=topic, name="Pat", email="pat@example.com", message="Hi")

    def save_with_status(status):
        return desk_client.post(
            change_url(inquiry),
            {
                "topic": topic.pk,
                "status": status,
                "assigned_to": "",
                "notes-TOTAL_FORMS": "0",
                "notes-INITIAL_FORMS": "0",
                "deliveries-TOTAL_FORMS": str(inquiry.deliveries.count()),
                "deliveries-INITIAL_FORMS": str(inquiry.deliveries.count()),
            },
        )

    assert save_with_status("spam").status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "spam" and not inquiry.deliveries.exists()
    assert save_with_status("in_progress").status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "in_progress" and inquiry.spam_reason == ""
    assert inquiry.deliveries.count() == 2


@pytest.mark.django_db
def test_front_desk_handles_inquiries_but_cannot_delete_them_or_change_routing(desk_client, topic):
    inquiry = InquiryFactory(topic=topic)
    assert (
        desk_client.get(reverse("admin:contact_inquiry_delete", args=[inquiry.pk])).status_code
        == 403
    )
    assert (
        desk_client.get(reverse("admin:contact_topic_change", args=[topic.pk])).status_code == 200
    )
    html = desk_client.get(reverse("admin:contact_topic_change", args=[topic.pk])).content.decode()
    assert 'name="recipients"' not in html  # view only
    assert desk_client.get(reverse("admin:contact_screeningphrase_add")).status_code == 403
    assert desk_client.get(reverse("admin:contact_contactsettings_changelist")).status_code == 403
    assert desk_client.get(reverse("admin:contact_delivery_changelist")).status_code == 200


@pytest.mark.django_db
def test_clinical_reviewers_edit_the_screening_phrases(client):
    from tests.education.factories import reviewer

    client.force_login(reviewer())
    assert client.get(reverse("admin:contact_screeningphrase_add")).status_code == 200
    assert client.get(LIST_URL).status_code == 403  # but do not read the inbox


@pytest.mark.django_db
def test_inbox_counts_the_rows_shown_never_the_whole_table(desk_client, topic):
    """One COUNT, of the open inquiries the list shows: none over every inquiry (the
    "N total" that show_full_result_count would add)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    InquiryFactory(topic=topic)
    InquiryFactory(topic=topic, status=Inquiry.Status.CLOSED)
    with CaptureQueriesContext(connection) as queries:
        html = desk_client.get(LIST_URL).content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "WHERE" in counts[0].upper(), counts
    assert "1 inquiry" in html


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["184467440737095516", "99999999", "-3", "abc"])
def test_inbox_page_number_out_of_range_is_no_server_error(desk_client, topic, page):
    InquiryFactory(topic=topic)
    response = desk_client.get(LIST_URL, {"p": page})
    assert response.status_code in (200, 302)  # Django's own answer to a page that isn't there


# Screening phrases and examples: reviewers check their own changes.

PHRASE_ADD_URL = reverse("admin:contact_screeningphrase_add")
EXAMPLES_URL = reverse("admin:contact_screeningexample_changelist")
CHECK_URL = reverse("admin:contact_screeningexample_check")


@pytest.fixture
def reviewer_client(client):
    from tests.education.factories import reviewer

    client.force_login(reviewer())
    return client


@pytest.fixture
def crisis_example(db):
    from contact.models import ScreeningExample

    return ScreeningExample.objects.create(
        message="I keep a jar of budgie seed in the shed", expected="urgent"
    )


def phrase_form(phrase, kind="urgent", **extra):
    return {"phrase": phrase, "kind": kind, "is_active": "on", "note": "", **extra}


@pytest.mark.django_db
def test_checking_a_new_phrase_shows_the_examples_it_changes_and_saves_nothing(
    reviewer_client, crisis_example
):
    from contact.models import ScreeningPhrase

    before = ScreeningPhrase.objects.count()
    response = reviewer_client.post(PHRASE_ADD_URL, phrase_form("budgie seed", _check_examples="1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not saved yet" in html
    assert "Would now be right (1)" in html
    assert "jar of budgie seed" in html
    assert 'name="confirm_urgent_misses"' not in html  # nothing missed, nothing to confirm
    assert ScreeningPhrase.objects.count() == before


@pytest.mark.django_db
def test_a_change_that_would_miss_a_crisis_example_needs_a_tick_to_save(
    reviewer_client, crisis_example
):
    from contact.models import ScreeningPhrase

    phrase = ScreeningPhrase.objects.create(phrase="budgie seed", kind="urgent")
    url = reverse("admin:contact_screeningphrase_change", args=[phrase.pk])
    # Turning it into a medical phrase would take the urgent card away from the example.
    response = reviewer_client.post(url, phrase_form("budgie seed", kind="medical"))
    html = response.content.decode()
    assert "1 crisis or emergency example(s) would no longer get the urgent card" in html
    assert "Would now be wrong (1)" in html
    assert 'name="confirm_urgent_misses"' in html  # the box sits beside the list of misses
    phrase.refresh_from_db()
    assert phrase.kind == "urgent"

    response = reviewer_client.post(
        url, phrase_form("budgie seed", kind="medical", confirm_urgent_misses="on")
    )
    assert response.status_code == 302
    phrase.refresh_from_db()
    assert phrase.kind == "medical"


@pytest.mark.django_db
def test_a_phrase_screening_cannot_read_is_refused_with_the_reason(reviewer_client):
    response = reviewer_client.post(PHRASE_ADD_URL, phrase_form("kill @nobody"))
    assert "There is no group called @nobody" in response.content.decode()


@pytest.mark.django_db
def test_the_examples_list_says_what_screening_does_with_each_example_now(
    reviewer_client, crisis_example
):
    html = reviewer_client.get(EXAMPLES_URL + "?q=budgie").content.decode()
    assert "Wrong: no notice" in html
    from contact.models import ScreeningExample

    last_page = (ScreeningExample.objects.count() - 1) // 100 + 1
    html = reviewer_client.get(CHECK_URL + f"?page={last_page}").content.decode()
    assert "Examples on this page that screening gets wrong" in html
    assert "jar of budgie seed" in html
    assert "(no phrase matched)" in html


@pytest.mark.django_db
def test_the_default_examples_are_shipped_and_screened_right(reviewer_client):
    from contact.models import ScreeningExample
    from contact.screening_report import examples_check

    assert ScreeningExample.objects.count() >= 400
    check = examples_check(ScreeningExample.objects.all())
    assert len(check.wrong) <= len(check.results) // 100  # at most 1% wrong
    html = reviewer_client.get(EXAMPLES_URL + "?expected__exact=urgent").content.decode()
    assert "Right: urgent card" in html
    html = reviewer_client.get(CHECK_URL).content.decode()
    assert "Examples 1 to 100 of" in html
    assert "Next examples" in html


@pytest.mark.django_db
def test_screening_phrases_cannot_be_deleted_only_switched_off(reviewer_client):
    from contact.models import ScreeningPhrase

    phrase = ScreeningPhrase.objects.first()
    url = reverse("admin:contact_screeningphrase_delete", args=[phrase.pk])
    assert reviewer_client.post(url, {"post": "yes"}).status_code == 403
    assert ScreeningPhrase.objects.filter(pk=phrase.pk).exists()


@pytest.mark.django_db
def test_front_desk_cannot_edit_screening_examples(desk_client):
    assert desk_client.get(EXAMPLES_URL).status_code == 403
    assert desk_client.get(CHECK_URL).status_code == 403


@pytest.mark.django_db
def test_an_inquiry_told_to_staff_in_a_digest_says_so(desk_client, topic, settings):
    from contact.screening import ScreeningResult

    settings.CONTACT_URGENT_EMAILS_PER_HOUR = 0
    held = inquiry_submit(
        topic=topic, name="Pat", email="pat@example.com", message="Overdose",
        screening=ScreeningResult(urgent_matches=["overdos"]),
    )  # fmt: skip
    html = desk_client.get(change_url(held)).content.decode()
    assert "Urgent digest, waiting to send" in html
    ordinary = inquiry_submit(topic=topic, name="Kim", email="kim@example.com", message="Hi")
    html = desk_client.get(change_url(ordinary)).content.decode()
    assert "Its own email" in html
