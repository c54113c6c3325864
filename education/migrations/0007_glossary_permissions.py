"""Content editors and clinical reviewers edit the glossary; only reviewers delete terms."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    "add_glossaryterm",
    "change_glossaryterm",
    "view_glossaryterm",
    "view_historicalglossaryterm",
]
ROLES = {
    "Content editors": EDITOR_PERMISSIONS,
    "Clinical reviewers": [*EDITOR_PERMISSIONS, "delete_glossaryterm"],
}


def give_glossary_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations; the roles need them now.
    app_config = apps.get_app_config("education")
    app_config.models_module = True  # create_permissions skips app configs without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="education", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [("education", "0006_glossary_citations")]

    operations = [migrations.RunPython(give_glossary_permissions, migrations.RunPython.noop)]
