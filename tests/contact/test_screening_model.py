import csv
import io
from array import array

import pytest

from contact.screening import PhraseBook
from contact.screening_model import (
    HASH_SIZE,
    MODEL_PATH,
    Head,
    ScreeningModel,
    feature_index,
    features,
    load_model,
    save_model,
)


def model_that_fears(word, *, medical_word="zzz"):
    """A model whose urgent head fires on one word only, and medical head on another."""
    urgent = array("f", bytes(4 * HASH_SIZE))
    urgent[feature_index(f"w:{word}")] = 400.0
    medical = array("f", bytes(4 * HASH_SIZE))
    medical[feature_index(f"w:{medical_word}")] = 400.0
    return ScreeningModel(
        urgent=Head(urgent, bias=-10.0, threshold=0.5),
        medical=Head(medical, bias=-10.0, threshold=0.5),
        trained_on=0,
    )


def test_features_read_words_as_screening_does():
    found = features("I w4nt to diiiie")
    assert "w:want" in found  # leetspeak undone
    assert "w:die" in found  # the held letter read as one
    assert "b:want_to" in found
    assert "c:<di" in found


def test_the_model_adds_an_urgent_flag_the_phrases_missed_and_says_why():
    book = PhraseBook({"urgent": ["kill @self"]}, model=model_that_fears("zebra"))
    result = book.screen("The zebra is waiting for me tonight")
    assert result.is_urgent
    assert result.urgent_matches[0].startswith("word model: reads like crisis or emergency")
    assert "model: zebra" in result.summary


def test_the_model_never_takes_a_phrase_flag_away():
    book = PhraseBook({"urgent": ["kill @self"]}, model=model_that_fears("zebra"))
    result = book.screen("I want to kill myself")
    assert result.urgent_matches == ["kill @self"]


def test_the_model_can_add_a_medical_notice():
    book = PhraseBook({}, model=model_that_fears("zebra", medical_word="wobbly"))
    assert book.screen("I feel wobbly since Tuesday").outcome == "medical"
    assert book.screen("Where do I park?").outcome == "none"


def test_a_saved_model_loads_back_the_same(tmp_path):
    made = model_that_fears("zebra")
    path = tmp_path / "model.json"
    save_model(
        path,
        urgent=(made.urgent.weights, made.urgent.bias, 0.4),
        medical=(made.medical.weights, made.medical.bias, 0.6),
        trained_on=12,
    )
    loaded = load_model(path)
    assert loaded.trained_on == 12
    assert loaded.urgent.threshold == 0.4
    assert loaded.score("zebra")[0] == pytest.approx(made.score("zebra")[0])


def test_without_a_model_file_screening_is_phrases_alone(tmp_path):
    assert load_model(tmp_path / "missing.json") is None


def test_the_shipped_model_loads_and_scores_between_0_and_1():
    model = load_model(MODEL_PATH)
    assert model is not None and model.trained_on >= 1000
    urgent, medical, _ = model.score("Where do I park for my appointment?")
    assert 0 <= urgent < model.urgent.threshold
    assert 0 <= medical <= 1


def test_a_broken_model_file_leaves_screening_to_the_phrases(monkeypatch, fresh_phrase_book):
    from contact import screening, screening_model
    from contact.checks import screening_model_loads

    def broken(*args, **kwargs):
        raise ValueError("model.json was trained with 16 hash bits")

    monkeypatch.setattr(screening_model, "load_model", broken)
    book = screening.phrase_book({"urgent": ["kill @self"]})
    assert book.model is None
    assert book.screen("I want to kill myself").is_urgent
    errors = screening_model_loads(None)
    assert [error.id for error in errors] == ["contact.E001"]


def test_training_writes_a_model_that_flags_what_it_learned(tmp_path, monkeypatch):
    """`manage.py train_screening_model` on a small set: it picks thresholds on held-out folds
    and writes weights that load and score."""
    from django.core.management import call_command

    from contact.management.commands import train_screening_model
    from contact.screening_report import LABELLED_SETS, read_labelled

    rows = read_labelled(LABELLED_SETS[0])
    small = tmp_path / "small.csv"
    with open(small, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["label", "style", "message"])
        for label in ("crisis", "emergency", "medical", "ordinary"):
            writer.writerows(
                (row.label, row.style, row.message) for row in rows if row.label == label
            )
    monkeypatch.setattr(train_screening_model, "training_sets", lambda **kwargs: [small])
    output = tmp_path / "model.json"
    out = io.StringIO()
    call_command("train_screening_model", "--output", str(output), stdout=out)
    assert "Held-out folds" in out.getvalue()
    model = load_model(output)
    assert model.trained_on == len(rows)
    assert model.score("I want to end my life tonight")[0] > model.score("Where do I park?")[0]


def test_the_test_set_is_learned_from_only_when_asked():
    from contact.management.commands.train_screening_model import training_sets
    from contact.screening_report import TEST_SET

    assert TEST_SET not in training_sets(with_test_set=False)
    assert TEST_SET in training_sets(with_test_set=True)
