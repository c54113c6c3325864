import logging
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.models import CLINIC_DETAILS_CACHE_KEY, ClinicDetails
from contact.models import Delivery, Inquiry, ScreeningPhrase
from contact.notifications import deliveries_send_due

from .factories import form_data, started_seconds_ago

FORM_URL = "/contact/"


def post(client, topic_, **overrides):
    return client.post(FORM_URL, form_data(topic_, **overrides))


@pytest.mark.django_db
def test_form_says_what_it_is_for_and_how_to_get_urgent_help(client, topic):
    html = client.get(FORM_URL).content.decode()
    assert "Please include non-medical questions only" in html
    assert 'href="tel:5550100123"' in html  # the clinic's phone
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert "Fields marked with an asterisk" in html
    assert "Up to 2,000 characters" in html
    assert 'maxlength="2000"' in html
    assert "I understand this form is not for medical questions or emergencies." in html
    # Each topic with its one-line description.
    assert "Rescheduling" in html and "What this topic is for." in html


@pytest.mark.django_db
def test_only_active_topics_are_offered(client, topic):
    topic.is_active = False
    topic.save()
    assert "Rescheduling" not in client.get(FORM_URL).content.decode()


@pytest.mark.django_db
def test_contact_form_page_costs_a_fixed_number_of_queries(
    client, topic, django_assert_num_queries
):
    client.get(FORM_URL)  # clinic details now cached
    # Topics for the form; nothing else.
    with django_assert_num_queries(1):
        assert client.get(FORM_URL).status_code == 200


@pytest.mark.django_db
def test_good_submit_redirects_to_a_thank_you_page_with_a_reference(client, topic):
    response = post(client, topic)
    assert response.status_code == 302
    assert response["Location"] == reverse("contact:sent")  # nothing personal in the URL
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Inquiry.Status.NEW
    assert inquiry.email == "pat@example.com"
    assert set(inquiry.deliveries.values_list("kind", flat=True)) == {
        Delivery.Kind.STAFF_NOTIFICATION,
        Delivery.Kind.ACKNOWLEDGEMENT,
    }
    page = client.get(response["Location"]).content.decode()
    assert inquiry.reference in page
    assert "We usually reply within one working day." in page
    assert "If it becomes urgent" in page


@pytest.mark.django_db
def test_refresh_and_resubmit_do_not_send_twice(client, topic):
    post(client, topic)
    for _ in range(2):
        assert client.get(reverse("contact:sent")).status_code == 200
    # The browser resends the same form (back button, double click): still one inquiry.
    post(client, topic)
    assert Inquiry.objects.count() == 1
    assert Delivery.objects.count() == 2


@pytest.mark.django_db
def test_thank_you_page_without_a_submission_goes_back_to_the_form(client):
    response = client.get(reverse("contact:sent"))
    assert response.status_code == 302
    assert response["Location"] == reverse("contact:form")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"email": "not-an-email"}, "email", "Please check your email address"),
        ({"email": ""}, "email", "Please give your email address"),
        ({"name": ""}, "name", "Please tell us your name"),
        ({"message": ""}, "message", "Please write your question"),
        ({"message": "x" * 2001}, "message", "Please shorten your message to 2,000 characters"),
        ({"topic": None}, "topic", "Please choose what your question is about"),
        ({"topic": "999999"}, "topic", "Select a valid choice"),
        ({"understands_not_medical": None}, "understands_not_medical", "Please tick this box"),
        ({"name": "Pat\x07Example"}, "name", "Please remove the special characters"),
        ({"message": "Hello\x00there"}, "message", "Null characters are not allowed"),
        ({"message": "Hi\x1b[31m there"}, "message", "Please remove the special characters"),
        ({"reply_by": "phone"}, "phone", "Please give a phone number so we can call you"),
        ({"phone": "call me maybe"}, "phone", "Please check your phone number"),
        ({"reply_by": "pigeon"}, "reply_by", "Select a valid choice"),
        (
            {"message": "See https://a.example http://b.example www.c.example"},
            "message",
            "Please include no more than 2 links",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, topic, overrides, field, error):
    response = post(client, topic, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert error in html
    # The summary links to the field, and the field points at its error for screen readers.
    target = f"id_{field}_0" if field in ("topic", "reply_by") else f"id_{field}"
    assert f'href="#{target}"' in html
    assert f"{field}_error" in html
    assert "Error: Contact us" in html
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_entered_values_are_kept_after_an_error(client, topic):
    html = post(client, topic, email="oops", message="Where do I park?").content.decode()
    assert 'value="Pat Example"' in html
    assert 'value="oops"' in html
    assert "Where do I park?</textarea>" in html


@pytest.mark.django_db
def test_a_very_long_message_gets_the_length_error_and_stores_nothing(client, topic):
    response = post(client, topic, message="x" * 100_000)
    assert "Please shorten your message to 2,000 characters" in response.content.decode()
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_an_emergency_shows_the_urgent_card_before_anything_is_sent(client, topic):
    message = "Since my infusion I have chest pain and feel strange."
    html = post(client, topic, message=message).content.decode()
    assert "If you need help now, please do not wait for a reply" in html
    assert 'href="tel:911"' in html and 'href="tel:988"' in html
    assert 'name="send_anyway"' in html
    assert message in html  # kept, so they can send or change it
    assert Inquiry.objects.count() == 0

    assert 'name="notice_shown" value="urgent"' in html
    response = post(client, topic, message=message, send_anyway="1", notice_shown="urgent")
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.is_urgent
    assert "chest pain" in inquiry.screening_matches


@pytest.mark.django_db
def test_a_message_made_urgent_after_a_medical_notice_still_shows_the_urgent_card(client, topic):
    first = "What dose of my medication is usual?"
    assert "Is this a medical question?" in post(client, topic, message=first).content.decode()
    # They edit the message, then press "Send my message anyway" on the medical notice.
    edited = first + " I took too many last night."
    response = post(client, topic, message=edited, send_anyway="1", notice_shown="medical")
    assert "If you need help now" in response.content.decode()
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_crisis_words_in_any_case_or_apostrophe_style_are_urgent(client, topic):
    html = post(client, topic, message="I CAN\u2019T BREATHE well tonight").content.decode()
    assert "If you need help now" in html


@pytest.mark.django_db
def test_a_medical_question_gets_a_gentle_notice_and_can_still_be_sent(client, topic):
    message = "What dose of my antidepressant should I take before the visit?"
    html = post(client, topic, message=message).content.decode()
    assert "Is this a medical question?" in html
    assert "Edit my message" in html and "Send my message anyway" in html
    assert Inquiry.objects.count() == 0

    post(client, topic, message=message, send_anyway="1")
    inquiry = Inquiry.objects.get()
    assert inquiry.is_medical and not inquiry.is_urgent
    assert inquiry.deliveries.count() == 2


@pytest.mark.django_db
def test_screening_uses_the_list_staff_edit(client, topic):
    message = "Can my dog come along to the appointment?"
    assert post(client, topic, message=message).status_code == 302
    ScreeningPhrase.objects.create(phrase="dog", kind=ScreeningPhrase.Kind.MEDICAL)
    assert (
        "Is this a medical question?"
        in post(client, topic, message=message + " Please!").content.decode()
    )


@pytest.mark.django_db
def test_the_honeypot_is_stored_silently_as_spam_and_never_emailed(client, topic):
    response = post(client, topic, website="http://spam.example")
    assert response.status_code == 302  # a bot learns nothing; no person sees that field
    inquiry = Inquiry.objects.get()
    assert inquiry.status == Inquiry.Status.SPAM
    assert "hidden field" in inquiry.spam_reason
    assert not inquiry.deliveries.exists()


def stamp_in(html):
    return re.search(r'name="form_started" value="([^"]*)"', html).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("stamp", ["forged", "", "not-even:a:signature"])
def test_a_missing_or_forged_stamp_asks_to_send_again_with_the_text_kept(client, topic, stamp):
    message = "Can I bring my sister to the first visit?"
    response = post(client, topic, message=message, form_started=stamp)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your message has not been sent yet. Please check it, then press Send again." in html
    assert 'id="error-summary"' in html
    assert f"{message}</textarea>" in html
    assert Inquiry.objects.count() == 0  # not stored as spam behind the sender's back
    # Pressing Send again (with the fresh stamp the page carries) sends it.
    fresh = stamp_in(html)
    assert fresh != stamp
    assert post(client, topic, message=message, form_started=fresh).status_code == 302
    assert Inquiry.objects.get().status == Inquiry.Status.NEW


@pytest.mark.django_db
def test_a_form_sent_within_seconds_of_opening_asks_to_send_again(client, topic):
    message = "Where do I park for the 8 am slot?"
    html = post(client, topic, message=message, form_started=started_seconds_ago(1)).content
    html = html.decode()
    assert "Please check it, then press Send again." in html
    assert f"{message}</textarea>" in html
    assert Inquiry.objects.count() == 0
    # A person who presses Send again at once is not caught a second time.
    response = post(client, topic, message=message, form_started=stamp_in(html))
    assert response.status_code == 302
    assert Inquiry.objects.get().status == Inquiry.Status.NEW


@pytest.mark.django_db
def test_an_urgent_message_with_a_forged_stamp_comes_back_with_the_urgent_card(client, topic):
    message = "I want to end my life, please help"
    for stamp in ["forged", ""]:
        response = post(
            client, topic, message=message, send_anyway="1", notice_shown="urgent",
            form_started=stamp,
        )  # fmt: skip
        assert response.status_code == 200
        html = response.content.decode()
        assert "If you need help now, please do not wait for a reply" in html
        assert 'href="tel:911"' in html and 'href="tel:988"' in html
        assert "Please check it, then press Send again." in html
        assert f"{message}</textarea>" in html
        assert 'name="send_anyway"' in html
        assert Inquiry.objects.count() == 0
    # "Send my message anyway" on that page sends it, flagged urgent.
    post(client, topic, message=message, send_anyway="1", notice_shown="urgent",
         form_started=stamp_in(html))  # fmt: skip
    inquiry = Inquiry.objects.get()
    assert inquiry.is_urgent and inquiry.status == Inquiry.Status.NEW


@pytest.mark.django_db
def test_past_the_hourly_limit_a_sender_is_told_and_keeps_the_text(client, topic, settings):
    settings.CONTACT_MAX_PER_HOUR = 3
    for n in range(3):
        # A different IP address each time: only the email address is the same.
        response = client.post(
            FORM_URL,
            form_data(topic, message=f"Question number {n} about parking."),
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        )
        assert response.status_code == 302
    message = "One more question about parking, sorry."
    response = client.post(FORM_URL, form_data(topic, message=message), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429
    html = response.content.decode()
    assert "We already have several messages from you this hour" in html
    assert "not been sent" in html and 'href="tel:5550100123"' in html
    assert f"{message}</textarea>" in html and 'value="pat@example.com"' in html
    assert list(Inquiry.objects.values_list("status", flat=True)) == ["new"] * 3
    assert not Inquiry.objects.filter(message=message).exists()


@pytest.mark.django_db
def test_a_resend_of_a_stored_message_past_the_limit_is_not_refused(client, topic, settings):
    # A double click on the last message allowed: the second request must not say "not sent".
    settings.CONTACT_MAX_PER_HOUR = 1
    assert post(client, topic).status_code == 302
    assert post(client, topic).status_code == 302
    assert Inquiry.objects.count() == 1


@pytest.mark.django_db
def test_patients_sharing_one_network_are_not_limited_like_one_person(client, topic, settings):
    # A clinic's Wi-Fi: many people, one address, well below the network limit.
    assert settings.CONTACT_MAX_PER_HOUR_PER_NETWORK == 30
    for n in range(12):
        response = post(client, topic, email=f"person{n}@example.com")
        assert response.status_code == 302
    assert set(Inquiry.objects.values_list("status", flat=True)) == {"new"}
    assert Inquiry.objects.count() == 12


@pytest.mark.django_db
def test_the_network_limit_counts_the_ip_address_across_email_addresses(client, topic, settings):
    settings.CONTACT_MAX_PER_HOUR_PER_NETWORK = 4
    statuses = [post(client, topic, email=f"person{n}@example.com").status_code for n in range(5)]
    assert statuses == [302, 302, 302, 302, 429]
    assert Inquiry.objects.count() == 4
    assert "127.0.0.1" not in str(list(Inquiry.objects.values_list("client_hash", flat=True)))


@pytest.mark.django_db
def test_personal_data_stays_out_of_the_logs(client, topic, caplog):
    with caplog.at_level(logging.DEBUG):
        post(client, topic, name="Zelda Unique", email="zelda@example.com")
        post(client, topic, name="Zelda Unique", email="broken")
    assert Inquiry.objects.count() == 1
    assert "Zelda" not in caplog.text and "zelda@example.com" not in caplog.text


@pytest.mark.django_db
def test_a_body_too_big_for_django_gets_the_friendly_400(topic):
    # As in production, the CSRF check reads the body first; over DATA_UPLOAD_MAX_MEMORY_SIZE
    # Django refuses it there, before the view.
    browser = Client(enforce_csrf_checks=True)
    browser.get(FORM_URL)
    token = browser.cookies["csrftoken"].value
    response = browser.post(
        FORM_URL, form_data(topic, message="x" * 3_000_000, csrfmiddlewaretoken=token)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and 'href="tel:988"' in html
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_a_kind_page_and_stores_nothing(topic):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(FORM_URL, form_data(topic))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Sorry, your form was not sent" in html and 'href="tel:911"' in html
    assert Inquiry.objects.count() == 0
    # With the token from the form page, the same post goes through.
    browser.get(FORM_URL)
    token = browser.cookies["csrftoken"].value
    assert browser.post(FORM_URL, form_data(topic, csrfmiddlewaretoken=token)).status_code == 302


@pytest.mark.django_db
def test_a_garbled_content_length_is_not_a_server_error(client, topic):
    response = client.post(FORM_URL, form_data(topic), CONTENT_LENGTH="not-a-number")
    assert response.status_code in (200, 400)
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "\u0130\u0130@example.com",  # valid as typed, not once lower-cased
        "pat@ex\ufffdample.com",  # passes Django's check, but no mail can be built for it
        "pat@example.com\r\nBcc: victim@example.org",
    ],
)
def test_addresses_email_cannot_reach_get_the_email_error(client, topic, email):
    response = post(client, topic, email=email)
    assert response.status_code == 200
    assert "Please check your email address" in response.content.decode()
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_is_counted_by_their_own_address(client, topic, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CONTACT_MAX_PER_HOUR_PER_NETWORK = 2
    for n in range(5):  # five people, all reaching us through one proxy
        client.post(
            FORM_URL,
            form_data(topic, email=f"person{n}@example.com"),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}",
        )
    assert set(Inquiry.objects.values_list("status", flat=True)) == {"new"}
    codes = [
        client.post(  # one of them, three more times
            FORM_URL,
            form_data(topic, email=f"again{n}@example.com"),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 429, 429]
    assert Inquiry.objects.count() == 6


@pytest.mark.django_db
def test_an_urgent_message_is_never_held_by_the_rate_limit_or_time_trap(client, topic, settings):
    settings.CONTACT_MAX_PER_HOUR = 1
    urgent = "I want to end my life"
    for n in range(3):
        post(
            client,
            topic,
            message=f"{urgent} ({n})",
            send_anyway="1",
            notice_shown="urgent",
            form_started=started_seconds_ago(0),
        )
    assert list(Inquiry.objects.values_list("status", "is_urgent")) == [("new", True)] * 3
    # Even with the hidden field filled (an autofill, or a bot using those words), a crisis
    # message is stored and flagged, never filed away as spam.
    post(client, topic, message=urgent + " again", send_anyway="1", notice_shown="urgent",
         website="http://spam.example", form_started=started_seconds_ago(0))  # fmt: skip
    assert Inquiry.objects.filter(status="new", is_urgent=True).count() == 4
    assert not Inquiry.objects.filter(status="spam").exists()


@pytest.mark.django_db
def test_a_form_left_open_for_over_a_day_asks_to_send_again(client, topic):
    stale = started_seconds_ago(25 * 3600)
    html = post(client, topic, form_started=stale).content.decode()
    assert "This page was open for a long time" in html
    assert f'value="{stale}"' not in html  # a fresh stamp, so the next send goes through
    assert Inquiry.objects.count() == 0
    # Pressing Send again at once is not then "too fast".
    assert post(client, topic, form_started=stamp_in(html)).status_code == 302


@pytest.mark.django_db
def test_one_long_map_link_counts_as_one_link(client, topic):
    message = "Is this you? https://www.google.com/maps/place/x and https://example.org/p"
    assert post(client, topic, message=message).status_code == 302


@pytest.mark.django_db
def test_the_form_works_when_the_cache_is_down(client, topic, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache server down")

    client.get(FORM_URL)  # the page itself reads clinic details from the cache
    monkeypatch.setattr(cache, "add", broken)
    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr("clinic.models.ClinicDetails.cached", classmethod(lambda cls: cls.load()))
    response = post(client, topic)
    assert response.status_code == 302
    assert Inquiry.objects.get().client_hash == ""  # never an HMAC under an empty key


URGENT_MESSAGE = "I want to end my life"


def post_urgent(client, topic_, n, **overrides):
    """An urgent message sent at once after the urgent card, as a script (or a person in
    crisis) would: a real stamp from the form, no time taken."""
    fields = {
        "message": f"{URGENT_MESSAGE} ({n})",
        "send_anyway": "1",
        "notice_shown": "urgent",
        "form_started": started_seconds_ago(0),
        **overrides,
    }
    return post(client, topic_, **fields)


def sent_mail(smtp_server):
    """(recipient, subject, body) of every email the SMTP server received, in order."""
    return [
        (message["To"], message["Subject"], message.get_payload(decode=True).decode())
        for message in smtp_server.handler.messages()
    ]


def references_in(text):
    return set(re.findall(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b", text))


def check_urgent_flood_mail(smtp_server, inquiries):
    """Staff got at most 3 emails of their own, then digests listing every other one."""
    mail = sent_mail(smtp_server)
    own = [subject for _, subject, _ in mail if subject.startswith("[URGENT] Rescheduling")]
    digests = [(subject, body) for _, subject, body in mail if "digest" in subject]
    assert len(own) == 3
    assert digests and all(subject.startswith("[URGENT]") for subject, _ in digests)
    first_three = {inquiry.reference for inquiry in inquiries[:3]}
    assert set().union(*(references_in(subject) for subject in own)) == first_three
    listed = set().union(*(references_in(body) for _, body in digests))
    assert listed == {inquiry.reference for inquiry in inquiries[3:]}
    return mail


@pytest.mark.django_db
def test_an_urgent_flood_from_one_sender_is_all_kept_but_mails_little(client, topic, smtp_server):
    for n in range(12):  # a dozen "urgent" messages within a second, from one address
        assert post_urgent(client, topic, n).status_code == 302
    inquiries = list(Inquiry.objects.order_by("received_at", "pk"))
    assert len(inquiries) == 12
    assert all(i.is_urgent and i.status == Inquiry.Status.NEW for i in inquiries)

    smtp_server.start()
    deliveries_send_due()
    mail = check_urgent_flood_mail(smtp_server, inquiries)
    acknowledgements = [to for to, _, _ in mail if to == "pat@example.com"]
    assert len(acknowledgements) == 1
    assert len(mail) == 1 + 3 + 1  # one acknowledgement, three staff emails, one digest

    # More of the same right after the digest went: the next digest waits a few minutes.
    for n in range(12, 15):
        post_urgent(client, topic, n)
    later = list(Inquiry.objects.order_by("received_at", "pk"))[12:]
    assert deliveries_send_due() == (0, 0)
    assert deliveries_send_due(now=timezone.now() + timedelta(minutes=6)) == (1, 0)
    _, subject, body = sent_mail(smtp_server)[-1]
    assert "digest" in subject and references_in(body) == {i.reference for i in later}


@pytest.mark.django_db
def test_an_urgent_flood_from_one_network_with_many_addresses(client, topic, smtp_server):
    for n in range(12):
        response = post_urgent(client, topic, n, email=f"stranger{n}@example.com")
        assert response.status_code == 302
    inquiries = list(Inquiry.objects.order_by("received_at", "pk"))
    assert len(inquiries) == 12 and all(i.is_urgent for i in inquiries)
    assert {i.status for i in inquiries} == {Inquiry.Status.NEW}

    smtp_server.start()
    deliveries_send_due()
    mail = check_urgent_flood_mail(smtp_server, inquiries)
    acknowledgements = [to for to, _, _ in mail if to.startswith("stranger")]
    # Each address typed gets its one acknowledgement, no more.
    assert sorted(acknowledgements) == sorted(f"stranger{n}@example.com" for n in range(12))


@pytest.mark.django_db
def test_the_urgent_thank_you_page_leads_with_help_now(client, topic):
    response = post_urgent(client, topic, 1)
    page = client.get(response["Location"]).content.decode()
    main = page[page.index("<main") :]
    reference = Inquiry.objects.get().reference
    assert "If you need help now, please do not wait for our reply" in main
    for link in ['href="tel:911"', 'href="tel:988"', 'href="tel:5550100123"']:
        assert main.index(link) < main.index(reference)
    assert "We usually reply within one working day." not in page
    assert "We have marked your message urgent" in main


@pytest.mark.django_db
def test_the_urgent_acknowledgement_leads_with_help_now(client, topic, smtp_server):
    post_urgent(client, topic, 1)
    reference = Inquiry.objects.get().reference
    smtp_server.start()
    deliveries_send_due()
    [body] = [body for to, _, body in sent_mail(smtp_server) if to == "pat@example.com"]
    assert "If you need help now, please do not wait for our reply" in body
    for number in ["call 911", "call or text 988", "call (555) 010-0123"]:
        assert body.index(number) < body.index(reference)
    assert "We usually reply within one working day." not in body


@pytest.mark.django_db
def test_a_second_message_within_the_hour_gets_no_second_email_and_says_so(client, topic):
    first = client.get(post(client, topic)["Location"]).content.decode()
    assert "We have emailed you a confirmation" in first
    response = post(client, topic, message="And is there a lift to the second floor?")
    second = client.get(response["Location"]).content.decode()
    assert "We have emailed you a confirmation" not in second
    assert "We emailed you a confirmation for your earlier message" in second
    kinds = Delivery.objects.values_list("kind", flat=True)
    assert sorted(kinds) == ["ack", "staff", "staff"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "pat@exam\u2028ple.com",  # line separator
        "pat@exam\u2029ple.com",  # paragraph separator
        "pat@exam\u200bple.com",  # zero-width space (format character, Cf)
        "pat@example.com\u200d",
        "\u2028pat@exam\u2028ple.com",
    ],
)
def test_separators_and_invisible_characters_in_an_address_are_refused(client, topic, email):
    response = post(client, topic, email=email)
    assert response.status_code == 200
    assert "Please check your email address" in response.content.decode()
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Pat\u2028Example"), ("name", "Pat\u2029Example"), ("phone", "555\u2028010 0123")],
)
def test_line_separators_in_name_or_phone_are_refused(client, topic, field, value):
    html = post(client, topic, **{field: value}).content.decode()
    assert "Please remove the special characters" in html
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_database_down_while_saving_says_not_sent_with_503(client, topic, monkeypatch):
    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("contact.services.inquiry_submit", database_down)
    message = "Can I move my appointment to Friday afternoon?"
    response = post(client, topic, message=message)
    assert response.status_code == 503
    html = response.content.decode()
    assert "Sorry, your message was not sent" in html
    assert "<strong>not sent</strong>" in html
    assert 'href="tel:5550100123"' in html and 'href="tel:911"' in html
    assert f"{message}</textarea>" in html  # so they can copy it


@pytest.mark.django_db
def test_database_down_for_the_whole_request_still_gives_the_not_sent_page(
    client, topic, monkeypatch
):
    details = ClinicDetails.load()
    details.phone = "(555) 010-0999"
    details.save()
    ClinicDetails.cached()  # read once while the database was up
    cache.delete(CLINIC_DETAILS_CACHE_KEY)  # the minute is up: the next read needs it

    def database_down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", database_down)
    monkeypatch.setattr(CursorWrapper, "executemany", database_down)
    response = post(client, topic)
    assert response.status_code == 503
    html = response.content.decode()
    assert "Sorry, your message was not sent" in html
    assert 'href="tel:5550100999"' in html  # the last clinic details known
    assert 'href="tel:988"' in html

    cache.clear()  # nothing known at all: the defaults still carry 911 and 988
    html = post(client, topic).content.decode()
    assert "Sorry, your message was not sent" in html
    assert 'href="tel:911"' in html and 'href="tel:988"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mistake",
    [
        {"understands_not_medical": ""},  # the box not ticked
        {"email": "not an address"},
        {"form_started": started_seconds_ago(25 * 3600)},  # a page left open over a day
        {"message": "I want to kill myself tonight. " + "x" * 2100},  # too long
    ],
)
def test_crisis_wording_shows_the_urgent_card_even_when_the_form_needs_fixing(
    client, topic, mistake
):
    fields = {"message": "I want to kill myself tonight", **mistake}
    html = post(client, topic, **fields).content.decode()
    assert 'id="screening-notice"' in html
    assert "If you need help now, please do not wait for a reply" in html
    assert Inquiry.objects.count() == 0


@pytest.mark.django_db
def test_an_ordinary_form_with_a_mistake_shows_no_notice(client, topic):
    html = post(client, topic, message="Can I move my appointment?", email="nope").content
    assert b'id="screening-notice"' not in html


@pytest.mark.django_db
def test_if_screening_fails_the_message_is_treated_as_urgent(client, topic, monkeypatch):
    from contact.screening import PhraseBook

    def broken(self, text):
        raise RuntimeError("a bug in screening")

    monkeypatch.setattr(PhraseBook, "screen", broken)
    html = post(client, topic, message="Where do I park?").content.decode()
    assert "If you need help now, please do not wait for a reply" in html
    post(client, topic, message="Where do I park?", send_anyway="1", notice_shown="urgent")
    assert Inquiry.objects.get().is_urgent
