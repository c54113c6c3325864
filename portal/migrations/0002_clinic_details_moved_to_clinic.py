"""The clinic details are the clinic app's now (clinic/migrations/0001): the model leaves this
app's state; its table and rows stay, and clinic's 0002 renames the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("clinic", "0001_clinic_details_moved_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ClinicDetails")],
            database_operations=[],
        ),
    ]
