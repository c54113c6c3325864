import factory

from education.models import (
    FAQ,
    EducationPage,
    GlossaryTerm,
    Reference,
    ReviewerProfile,
    Topic,
)
from tests.factories import UserFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = "after"
    title = "After your infusion"
    order = 4


class EducationPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EducationPage

    title = factory.Sequence(lambda n: f"Test page {n}")
    slug = factory.Sequence(lambda n: f"test-page-{n}")
    topic = factory.SubFactory(TopicFactory)
    summary = "A short summary of the page. It has two sentences."
    body = "## First section\n\nWe will check your blood pressure.\n\n## Second section\n\nRest."
    status = EducationPage.Status.PUBLISHED


class FAQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FAQ

    page = factory.SubFactory(EducationPageFactory)
    question = factory.Sequence(lambda n: f"Question number {n}?")
    answer = "A plain answer."
    order = factory.Sequence(int)


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    page = factory.SubFactory(EducationPageFactory)
    citation = factory.Sequence(lambda n: f"Author A. Study {n}. Journal. 2020;1:1-2.")
    url = factory.Sequence(lambda n: f"https://doi.org/10.1000/test.{n}")
    order = factory.Sequence(int)


def staff_user(username, group_name):
    return UserFactory(username=username, groups=[group_name])


def editor(username="editor"):
    return staff_user(username, "Content editors")


def reviewer(username="reviewer", *, with_profile=True):
    user = staff_user(username, "Clinical reviewers")
    if with_profile:
        ReviewerProfile.objects.get_or_create(
            user=user,
            defaults={"display_name": "Dr. Ada Example", "credentials": "MD, psychiatrist"},
        )
    return user


class GlossaryTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GlossaryTerm
        django_get_or_create = ["term"]

    term = "dissociation"
    slug = factory.LazyAttribute(lambda term: term.term.lower().replace(" ", "-"))
    other_forms = "dissociative"
    meaning = "Feeling detached from your body or what is around you."


def signed_off(page, *, on, by=None):
    """A page a clinical reviewer signed off on a given day, through the service."""
    from education.services import page_mark_reviewed

    page_mark_reviewed(page=page, user=by or reviewer(f"reviewer-{page.pk}"), reviewed_on=on)
    page.refresh_from_db()
    return page
