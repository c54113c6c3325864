"""The clinic details move from the portal app (the project's wiring) to the clinic app.

The table is not touched here: this migration only tells Django's model state that the model
is now the clinic app's, still in the table portal's first migration made. 0002 renames it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("portal", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ClinicDetails",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(default="Infusion Clinic", max_length=120)),
                        ("phone", models.CharField(default="(555) 010-0123", help_text="Shown as a tap-to-call link.", max_length=40)),
                        ("email", models.EmailField(default="frontdesk@example.org", max_length=254)),
                        ("street_address", models.TextField(default="100 Example Street, Suite 200\nAnytown, ST 00000", help_text="One line per line of the postal address.")),
                        ("opening_hours", models.TextField(default="Monday to Friday: 8:00 am to 5:00 pm\nSaturday and Sunday: closed", help_text="One line per line, as patients should read it.")),
                        ("written_directions", models.TextField(default="We are on the second floor. The building has a step-free entrance and a lift.\nFree parking is behind the building. Accessible parking spaces are next to the entrance.\nThe nearest bus stop is one block away, on Example Street.", help_text="Plain written directions (for people who do not use maps). One step a line.")),
                        ("directions_url", models.URLField(blank=True, default="", help_text="A link to directions in a maps service. Opens in the visitor's maps app.")),
                        ("map_embed_url", models.URLField(blank=True, default="", help_text="Optional. An embeddable map address. The map loads only when a visitor asks for it, so no maps company sees visitors who do not.")),
                        ("emergency_number", models.CharField(default="911", max_length=20)),
                        ("crisis_line_number", models.CharField(default="988", max_length=20)),
                        ("crisis_line_name", models.CharField(default="988 Suicide & Crisis Lifeline", max_length=80)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "clinic details",
                        "verbose_name_plural": "clinic details",
                        "db_table": "portal_clinicdetails",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
