import pytest

from .factories import EducationPageFactory, FAQFactory, ReferenceFactory


@pytest.fixture
def page():
    """A published page with an FAQ and a source."""
    page = EducationPageFactory(title="After your infusion", slug="after-your-infusion")
    FAQFactory(page=page, question="Can I drive home?", answer="No, not until tomorrow.")
    ReferenceFactory(page=page, citation="Smith J. A study. J Med. 2020;1:1.")
    return page
