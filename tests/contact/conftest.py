import pytest

from tests.factories import UserFactory

from .factories import TopicFactory


@pytest.fixture
def topic(db):
    return TopicFactory(label="Rescheduling", recipients="scheduling@example.org")


@pytest.fixture
def front_desk_user(db):
    return UserFactory(username="desk", groups=["Front desk"])


@pytest.fixture
def fresh_phrase_book():
    """The compiled screening book is dropped before and after the test, so a book built with a
    patched word model is never used by another test."""
    from contact.screening import compiled_phrase_book

    compiled_phrase_book.cache_clear()
    yield
    compiled_phrase_book.cache_clear()


@pytest.fixture
def without_word_model(monkeypatch, fresh_phrase_book):
    """Screening with the phrases alone, as when the model file cannot be read."""
    from contact import screening_model

    monkeypatch.setattr(screening_model, "load_model", lambda *args, **kwargs: None)
