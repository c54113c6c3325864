import pytest

from contact.models import ScreeningPhrase
from contact.screening import (
    PhraseBook,
    phrase_error,
    read_words,
    screen_message,
)
from contact.screening_report import (
    DEFAULT_PHRASES,
    LABELLED_SETS,
    THRESHOLDS,
    evaluate,
    read_labelled,
    read_phrase_file,
)

PHRASES = {
    "urgent": [
        "suicid*",
        "kill @self",
        "end ... my life",
        "cant breathe",
        "chest pain",
        "@someone ... wont wake",
        "took all my @medical",
        "=kys",
    ],
    "medical": ["dose", "medication*", "# mg", "lorazepam/ativan", "throw/throwing up", "pills"],
    "exception": ["heart skipped a beat ... bill", "dying to ?", "pill hill", "mg motors"],
}


def screen(text):
    return PhraseBook(PHRASES).screen(text)


@pytest.mark.parametrize(
    "text",
    [
        "I have been feeling suicidal",
        "SUICIDE",
        "I can\u2019t breathe properly",  # a curly apostrophe, as phones type it
        "I cannot breathe",  # the long form of the same words
        "there is   chest\npain since yesterday",
        "i want to k1ll mys3lf",  # leetspeak
        "I want to kiiiill myself",  # a letter held down
        "I'm going to kill my self",  # two words for one
        "suiside",  # one letter wrong
        "$uicidal thoughts again",
        "I want to end it all and my life with it",  # words in between
        "I want to end my own life",  # a filler word in between
        "kys",
        "my dad won't wake up after his infusion",  # someone else
        "my WIFE just will not wake up",
        "I took all my Ativan tonight",  # a medicine named on the medical list
    ],
)
def test_urgent_wording_is_found_as_people_write_it(text):
    result = screen(text)
    assert result.is_urgent and result.needs_notice, text


@pytest.mark.parametrize(
    "text",
    [
        "Can I reschedule to next week?",
        "Do you take Aetna insurance?",
        "I want to breathe easier about the cost",
        "I need to kill some time before my appointment",  # not @self
        "Can I pay my bills online?",  # "bills" is a real word, never a misspelt "pills"
        "I wake up early, any 7am slots?",
        "I'm dying to know if you take Cigna",  # excused by "dying to ?"
        "Is your office near MG Motors?",  # a unit, but no number; and a name
    ],
)
def test_everyday_questions_are_not_flagged(text):
    result = screen(text)
    assert not result.needs_notice, (text, result)


@pytest.mark.parametrize(
    "text",
    [
        "Can I take my lorazapam the night before?",  # misspelt drug name
        "I take 50mg of something every morning",  # a number with its unit attached
        "what about 0.5 mg",
        "Is my dose ok?",
        "I keep throwing up since Tuesday",
        "ATIVAN",
    ],
)
def test_medical_questions_get_the_medical_notice(text):
    result = screen(text)
    assert result.is_medical and not result.is_urgent, (text, result)


def test_an_exception_excuses_only_the_words_it_covers():
    assert not screen("my heart skipped a beat when I saw the bill").needs_notice
    # Crisis wording anywhere else still wins.
    result = screen("my heart skipped a beat when I saw the bill and I want to kill myself")
    assert result.is_urgent
    # "the pill" is excused inside "Pill Hill"; "pills" elsewhere still counts.
    assert not screen("I live near Pill Hill").needs_notice
    assert screen("I live near Pill Hill and ran out of pills").is_medical


def test_an_exception_excuses_neither_its_gaps_nor_urgent_words_its_wildcards_cover():
    book = PhraseBook(
        {
            "urgent": ["want to die", "end it all"],
            "exception": ["bill ... heart skipped a beat", "dying to ?"],
        }
    )
    assert book.screen("I saw the bill, want to die, my heart skipped a beat").is_urgent
    assert book.screen("im dying to end it all").is_urgent
    assert not book.screen("I'm dying to know the price").needs_notice


def test_medicines_in_capitals_still_count_and_names_only_excuse_medical_words():
    book = PhraseBook(
        {"urgent": ["took all my @medical", "stroke"], "medical": ["sertraline", "cancer"]}
    )
    assert book.screen("I Took All My Sertraline").is_urgent
    assert not book.screen("Is the Cancer Center garage yours?").needs_notice
    assert book.screen("Is the Cancer Center garage yours? My cancer is back").is_medical
    assert book.screen("Meet me at the Stroke Center").is_urgent  # urgent words always count


def test_leetspeak_at_the_start_of_a_word_is_not_a_number():
    book = PhraseBook({"urgent": ["suicid*", "overdos*"], "medical": ["# mg"]})
    assert book.screen("5uicidal").is_urgent
    assert book.screen("0verdose").is_urgent
    assert book.screen("I take 50mg").is_medical


def test_an_exception_never_excuses_a_crisis_phrase_it_only_overlaps():
    book = PhraseBook({"urgent": ["want to die"], "exception": ["to die for"]})
    assert not book.screen("the cake was to die for").needs_notice
    assert book.screen("I want to die for real").is_urgent


def test_phrases_match_whole_words_unless_they_end_with_a_star():
    book = PhraseBook({"medical": ["dose"], "urgent": ["overdos*"]})
    assert book.screen("What dose should I take?").is_medical
    assert not book.screen("I dozed off in the waiting room").needs_notice
    assert not book.screen("the bulldosed road").needs_notice
    assert book.screen("I overdosed").is_urgent
    assert book.screen("overdosing").is_urgent


def test_an_exact_word_is_never_matched_by_a_misspelling():
    assert PhraseBook({"urgent": ["slurred"]}).screen("his words are slured").is_urgent
    assert not PhraseBook({"urgent": ["=slurred"]}).screen("his words are slured").is_urgent


def test_the_result_says_which_phrases_and_which_words_set_the_flags():
    result = screen("Chest pain after my medication dose")
    assert result.urgent_matches == ["chest pain"]
    assert result.medical_matches == ["dose", "medication*"]
    assert result.summary == "chest pain, dose, medication"
    assert result.outcome == "urgent"


def test_messages_are_read_folded_with_numbers_and_units_apart():
    full_width_chest = "\uff23\uff28\uff25\uff33\uff34"
    assert [word.text for word in read_words(f"  {full_width_chest}\tPain ")] == ["chest", "pain"]
    assert [word.text for word in read_words("Papá took 50mg, can't")] == [
        "papa",
        "took",
        "50",
        "mg",
        "cant",
    ]


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("", "at least one word"),
        ("... my life", "cannot start"),
        ("end my ...", "cannot end"),
        ("kill @nobody", "no group called @nobody"),
        ("a*", "too short"),
        ("?", "at least one word"),
        ("end//life", "empty alternative"),
        ("can/could not breathe", "write each form on its own line"),
        ("my/our son", "never count alone"),
        ("@medical", "needs a word beside it"),
    ],
)
def test_a_phrase_screening_cannot_read_is_explained(phrase, problem):
    assert problem in phrase_error(phrase)


def test_every_default_phrase_can_be_read():
    phrases = read_phrase_file(DEFAULT_PHRASES)
    assert set(phrases) == {"urgent", "medical", "exception"}
    unreadable = [p for texts in phrases.values() for p in texts if phrase_error(p)]
    assert unreadable == []


@pytest.mark.django_db
def test_the_database_holds_the_default_list_after_migrating():
    expected = read_phrase_file(DEFAULT_PHRASES)
    for kind, phrases in expected.items():
        stored = set(ScreeningPhrase.objects.filter(kind=kind).values_list("phrase", flat=True))
        assert stored == set(phrases), kind


@pytest.mark.django_db
def test_an_edited_phrase_list_changes_the_result_at_once():
    message = "my budgie looks poorly"
    assert not screen_message(message).needs_notice
    phrase = ScreeningPhrase.objects.create(phrase="budgie", kind="medical")
    assert screen_message(message).is_medical
    phrase.kind = "urgent"
    phrase.save()
    assert screen_message(message).is_urgent
    phrase.is_active = False
    phrase.save()
    assert not screen_message(message).needs_notice


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in LABELLED_SETS if p.exists()], ids=lambda p: p.stem)
def test_the_default_list_meets_the_thresholds_on_each_labelled_set(path):
    """CI fails when screening falls below the thresholds on any labelled set."""
    messages = read_labelled(path)
    assert len(messages) >= 300  # every set is large enough to measure
    report = evaluate(messages, screen_message)
    misses = [f"{item.label}: {item.message[:120]}" for item, _ in report.misses]
    assert report.failures() == [], misses
    assert report.urgent_recall >= THRESHOLDS["urgent_recall"]


# What the phrases alone achieve on each set (2 December 2026), less two points: the word
# model learned from these sets, so only this check notices a phrase list that lost ground.
PHRASES_ALONE_FLOORS = {
    # set: (urgent recall at least, medical recall at least, ordinary notices at most)
    "labelled_messages": (0.96, 0.97, 0.04),
    "holdout_messages": (0.94, 0.98, 0.03),
    "test_messages": (0.81, 0.96, 0.02),
    "training_a": (0.72, 0.98, 0.06),
    "training_b": (0.94, 0.94, 0.03),
    "training_c": (0.57, 0.81, 0.04),
    "training_d": (0.77, 0.82, 0.05),
    "training_e": (0.53, 0.98, 0.03),
    "training_f": (0.81, 0.81, 0.05),
}


@pytest.mark.django_db
@pytest.mark.parametrize("path", [p for p in LABELLED_SETS if p.exists()], ids=lambda p: p.stem)
def test_the_phrases_alone_hold_their_ground_on_each_labelled_set(path):
    from contact.screening import active_phrases

    urgent, medical, ordinary = PHRASES_ALONE_FLOORS[path.stem]
    report = evaluate(read_labelled(path), PhraseBook(active_phrases()).screen)
    assert report.urgent_recall >= urgent
    assert report.medical_recall >= medical
    assert report.ordinary_notice_rate <= ordinary


def test_the_labelled_sets_cover_every_class_and_style():
    messages = [m for path in LABELLED_SETS if path.exists() for m in read_labelled(path)]
    assert len(messages) >= 400
    labels = {m.label for m in messages}
    assert labels == {"crisis", "emergency", "medical", "ordinary"}
    styles = {style for m in messages for style in m.style.split("+")}
    assert {"plain", "slang", "misspelt", "long", "short", "spanish"} <= styles


@pytest.mark.django_db
def test_the_migration_keeps_staff_added_phrases_matching_word_starts():
    """Staff phrases from the old list matched the start of words; they keep doing so."""
    import importlib

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    name = "0004_screening_examples_and_exceptions"
    migration = importlib.import_module(f"contact.migrations.{name}")
    apps = MigrationExecutor(connection).loader.project_state(("contact", name)).apps
    ScreeningPhrase.objects.create(phrase="stab", kind="urgent")
    ScreeningPhrase.objects.create(phrase="suicid", kind="urgent")  # an old default: replaced
    migration.load_new_defaults(apps, schema_editor=None)
    assert ScreeningPhrase.objects.filter(phrase="stab*", kind="urgent").exists()
    assert not ScreeningPhrase.objects.filter(phrase="suicid").exists()
    assert screen_message("he stabbed me").is_urgent
    # The new defaults are left as they are.
    assert ScreeningPhrase.objects.filter(phrase="stroke", kind="urgent").exists()


def test_the_example_check_finds_the_examples_a_medical_words_phrase_matches(without_word_model):
    """Switching off "took all my @medical" is checked against the examples it matched."""
    from contact.models import ScreeningExample
    from contact.screening_report import phrase_change_impact

    phrase = "took all my @medical"
    example = ScreeningExample(message="I took all my budgiemycin", expected="urgent")
    impact = phrase_change_impact(
        examples=[example],
        old=("urgent", phrase, True),
        new=("urgent", phrase, False),
        phrases={"urgent": [phrase], "medical": ["budgiemycin"]},
    )
    assert [change.example for change in impact.urgent_now_missed] == [example]
