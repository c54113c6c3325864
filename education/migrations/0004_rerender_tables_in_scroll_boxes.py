"""Render the stored HTML again, so tables already saved get their focusable scroll box.

Only the HTML that render_markdown() derives from the Markdown changes; what staff wrote, the
history and the change fingerprints stay as they are.
"""

from django.db import migrations


def rerender(apps, schema_editor):
    from education.rendering import render_markdown

    EducationPage = apps.get_model("education", "EducationPage")
    FAQ = apps.get_model("education", "FAQ")
    for page in EducationPage.objects.only("pk", "body"):
        EducationPage.objects.filter(pk=page.pk).update(body_html=render_markdown(page.body).html)
    for faq in FAQ.objects.only("pk", "answer"):
        FAQ.objects.filter(pk=faq.pk).update(answer_html=render_markdown(faq.answer).html)


class Migration(migrations.Migration):
    dependencies = [("education", "0003_search_vector")]

    operations = [migrations.RunPython(rerender, migrations.RunPython.noop)]
