import importlib

import pytest
from django.apps import apps

from education.models import FAQ, EducationPage

from .factories import EducationPageFactory, FAQFactory

TABLE = "| Way | Time |\n|---|---|\n| IV | 40 min |\n"


@pytest.mark.django_db
def test_migration_0004_puts_stored_tables_in_their_scroll_box():
    page = EducationPageFactory(body=TABLE)
    faq = FAQFactory(page=page, answer=TABLE)
    # As a page saved before the scroll box existed.
    EducationPage.objects.filter(pk=page.pk).update(body_html="<table>old</table>")
    FAQ.objects.filter(pk=faq.pk).update(answer_html="<table>old</table>")
    updated_at = EducationPage.objects.get(pk=page.pk).updated_at

    migration = importlib.import_module("education.migrations.0004_rerender_tables_in_scroll_boxes")
    migration.rerender(apps, schema_editor=None)

    page.refresh_from_db()
    faq.refresh_from_db()
    assert page.body_html.startswith('<div aria-label="Table: Way, Time" class="table-scroll"')
    assert faq.answer_html.startswith('<div aria-label="Table: Way, Time" class="table-scroll"')
    assert page.updated_at == updated_at  # patients' "Last updated" date does not move
