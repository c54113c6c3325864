"""The spam checks, worked out once per submission (contact.spam.assess), and the form shown
again with a fresh stamp without changing the form it came from."""

import pytest

from contact import spam
from contact.forms import InquiryForm
from tests.contact.factories import TopicFactory, form_data

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.9"


def assess(*, honeypot="", seconds_ago=60, is_urgent=False, form_started=None):
    if form_started is None:
        form_started = spam.form_started_token(seconds_ago=seconds_ago)
    return spam.assess(
        honeypot=honeypot, form_started=form_started, is_urgent=is_urgent, ip_address=ADDRESS
    )


def test_a_person_s_submission_is_counted_by_network_and_nothing_else():
    check = assess()
    assert check.spam_reason == "" and check.stamp_problem == ""
    assert check.client_hash == spam.client_hash(ADDRESS) != ""


def test_the_hidden_field_files_it_as_spam_without_asking_to_send_again():
    check = assess(honeypot="https://spam.example", seconds_ago=0)
    assert check.spam_reason == spam.HONEYPOT_REASON and check.stamp_problem == ""


def test_a_crisis_message_is_never_spam_even_with_the_hidden_field_filled():
    check = assess(honeypot="autofilled", seconds_ago=0, is_urgent=True)
    assert check.spam_reason == "" and check.stamp_problem == ""


@pytest.mark.parametrize(
    ("form_started", "seconds_ago", "problem"),
    [(None, 0, "too fast"), ("forged", 60, "missing"), ("", 60, "missing")],
)
def test_a_stamp_problem_asks_to_send_again_and_counts_nothing(form_started, seconds_ago, problem):
    check = assess(form_started=form_started, seconds_ago=seconds_ago)
    assert check.stamp_problem == problem and check.spam_reason == ""
    assert check.client_hash == ""


def test_a_form_shown_again_has_a_fresh_stamp_and_leaves_the_original_alone():
    data = form_data(TopicFactory(), form_started="stale")
    form = InquiryForm(data)
    form.is_valid()
    again = form.shown_again("Please press Send again.")
    assert form.data["form_started"] == "stale"
    assert again.data["form_started"] != "stale"
    assert spam.stamp_problem(again.data["form_started"]) == ""  # Send again goes through
    assert again.non_field_errors() == ["Please press Send again."]
    assert again.data["message"] == data["message"]
