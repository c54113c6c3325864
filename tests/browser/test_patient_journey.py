import pytest
from playwright.sync_api import expect

from .journeys import PatientJourney

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_patient_reads_after_your_infusion_opens_a_question_and_searches(page, site):
    journey = PatientJourney(page, site)
    journey.start_at_home()
    journey.open_page_from_home("After your infusion: precautions and what to expect")
    journey.jump_to_section("When can I start driving again?")
    answer = journey.open_question("Why can't I drive if I feel fine?")
    expect(answer).to_contain_text("Feeling fine is not a safe sign")

    results = journey.search_for("driving")
    expect(results.first).to_be_visible()
    expect(results.filter(has_text="After your infusion")).to_have_count(1)
