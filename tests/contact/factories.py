import time

import factory
from django.core import signing

from contact.models import Inquiry, Topic
from contact.spam import FORM_STARTED_SALT


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    label = factory.Sequence(lambda n: f"Topic {n}")
    description = "What this topic is for."
    recipients = "desk@example.org"


class InquiryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inquiry

    reference = factory.Sequence(lambda n: f"T{n:02d}-{n:03d}"[:7])
    topic = factory.SubFactory(TopicFactory)
    name = "Pat Example"
    email = factory.Sequence(lambda n: f"pat{n}@example.com")
    message = "Can I move my appointment to Friday?"
    submission_key = factory.Sequence(lambda n: f"factory-{n}")


def started_seconds_ago(seconds):
    """A form_started token as if the form had been shown `seconds` ago."""
    return signing.dumps(time.time() - seconds, salt=FORM_STARTED_SALT)


def form_data(topic_, **overrides):
    """What a person filling the contact form correctly would post."""
    data = {
        "name": "Pat Example",
        "email": "pat@example.com",
        "phone": "",
        "reply_by": "email",
        "topic": str(topic_.pk),
        "message": "Can I move my appointment to Friday afternoon?",
        "understands_not_medical": "on",
        "website": "",
        "form_started": started_seconds_ago(60),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
