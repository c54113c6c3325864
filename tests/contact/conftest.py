import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .factories import TopicFactory


@pytest.fixture
def topic(db):
    return TopicFactory(label="Rescheduling", recipients="scheduling@example.org")


@pytest.fixture
def front_desk_user(db):
    user = get_user_model().objects.create_user(
        "desk", "desk@example.org", "a-long-password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Front desk"))
    return user
