import pytest

from tests.factories import UserFactory

from .factories import TopicFactory


@pytest.fixture
def topic(db):
    return TopicFactory(label="Rescheduling", recipients="scheduling@example.org")


@pytest.fixture
def front_desk_user(db):
    return UserFactory(username="desk", groups=["Front desk"])
