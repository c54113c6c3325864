"""The clinic details table takes the clinic app's name, and its content type follows, so the
permissions staff hold on it and the admin's log of changes to it carry over."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="clinic", model="clinicdetails").exists():
        ContentType.objects.filter(app_label="portal", model="clinicdetails").update(
            app_label="clinic"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="portal", model="clinicdetails").exists():
        ContentType.objects.filter(app_label="clinic", model="clinicdetails").update(
            app_label="portal"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_clinic_details_moved_from_portal"),
        ("portal", "0002_clinic_details_moved_to_clinic"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="clinicdetails", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
