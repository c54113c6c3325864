import pytest

from contact.screening import find_matches, normalise, screen_message

PHRASES = {"urgent": ["suicid", "can't breathe", "chest pain"], "medical": ["dose", "medication"]}


@pytest.mark.parametrize(
    "text",
    [
        "I have been feeling suicidal",
        "SUICIDE",
        "I can\u2019t breathe properly",  # a curly apostrophe, as phones type it
        "there is   chest\npain since yesterday",
    ],
)
def test_urgent_text_is_found(text):
    result = screen_message(text, PHRASES)
    assert result.is_urgent and result.needs_notice


@pytest.mark.parametrize(
    "text",
    [
        "Can I reschedule to next week?",
        "Do you take Aetna insurance?",
        "I want to breathe easier about the cost",
        "Is the overdose of paperwork normal?",  # not in this phrase list
    ],
)
def test_everyday_questions_are_not_flagged(text):
    result = screen_message(text, PHRASES)
    assert not result.needs_notice


def test_phrases_match_at_the_start_of_words_only():
    assert find_matches("What dose should I take?", ["dose"]) == ["dose"]
    assert find_matches("I dozed off in the waiting room", ["dose"]) == []
    assert find_matches("the bulldosed road", ["dose"]) == []


def test_medical_and_urgent_are_reported_separately():
    result = screen_message("Chest pain after my medication dose", PHRASES)
    assert result.urgent_matches == ["chest pain"]
    assert result.medical_matches == ["dose", "medication"]
    assert result.summary == "chest pain, dose, medication"


def test_normalise_folds_case_width_and_spaces():
    full_width_chest = "\uff23\uff28\uff25\uff33\uff34"
    assert normalise(f"  {full_width_chest}\tPain ") == "chest pain"


@pytest.mark.django_db
def test_the_default_list_catches_common_crisis_and_medical_wording():
    assert screen_message("I want to end my life").is_urgent
    assert screen_message("I think I took an overdose").is_urgent
    assert screen_message("Can I take my antidepressant that morning?").is_medical
    assert not screen_message("What are your opening hours on Friday?").needs_notice
