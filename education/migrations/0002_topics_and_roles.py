"""The five steps of the patient journey, and the two staff roles for education pages."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOPICS = [
    ("about", "About the treatment", "What IV ketamine infusion therapy is, how it works and who it may help."),
    ("before", "Before your visit", "How to get started and how to get ready for your first infusion."),
    ("during", "During your infusion", "What happens at the clinic on the day of an infusion."),
    ("after", "After your infusion", "How to look after yourself afterwards, what is normal and when to call."),
    ("questions", "Questions", "Answers to the questions patients and families ask us most."),
]

PAGE_MODELS = ["educationpage", "faq", "reference"]
EDITOR_PERMISSIONS = [
    *(f"{action}_{model}" for model in PAGE_MODELS for action in ("add", "change", "view")),
    "delete_faq",
    "delete_reference",
    "view_topic",
    "view_historicaleducationpage",
]
REVIEWER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    "delete_educationpage",
    "publish_educationpage",
    "review_educationpage",
    "view_reviewerprofile",
]
ROLES = {"Content editors": EDITOR_PERMISSIONS, "Clinical reviewers": REVIEWER_PERMISSIONS}


def create_topics_and_roles(apps, schema_editor):
    Topic = apps.get_model("education", "Topic")
    for order, (slug, title, summary) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(slug=slug, defaults={"title": title, "summary": summary, "order": order})

    # Permissions are normally created after all migrations; roles need them now.
    app_config = apps.get_app_config("education")
    app_config.models_module = True  # create_permissions skips app configs without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="education", codename__in=codenames)
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0001_pages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_topics_and_roles, remove_roles)]
