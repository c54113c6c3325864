"""Default topics, the screening phrase list, and the Front desk role."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_DESK = "Front desk"

TOPICS = [
    ("Scheduling", "Book, change or cancel an appointment."),
    ("Insurance and billing", "Costs, payment, insurance and receipts."),
    ("Directions and parking", "Finding us, parking and getting here."),
    ("Getting ready for a visit", "What to bring and how the day works (not medical questions)."),
    ("Something else", "Any other question that is not about your health."),
]

URGENT_PHRASES = [
    "suicid", "kill myself", "end my life", "ending my life", "take my own life",
    "want to die", "better off dead", "hurt myself", "harm myself", "self-harm", "self harm",
    "overdos", "chest pain", "heart attack", "stroke", "seizure", "unconscious", "passed out",
    "not breathing", "can't breathe", "cant breathe", "cannot breathe", "can not breathe",
    "trouble breathing", "no reason to live", "don't want to live", "dont want to live",
    "took too many", "took too much", "kill me",
    "difficulty breathing", "hard to breathe", "short of breath", "severe reaction",
    "allergic reaction", "anaphyla",
]

MEDICAL_PHRASES = [
    "dose", "dosage", "dosing", "mg", "milligram", "medication", "medicine", "meds",
    "prescri", "side effect", "symptom", "antidepressant", "ssri", "snri", "benzo", "lithium",
    "blood pressure", "pregnan", "breastfeed", "nause", "vomit", "dizz", "headache",
    "hallucinat", "dissociat", "panic attack", "drug interaction", "interact with",
    "stop taking", "diagnos",
]

FRONT_DESK_PERMISSIONS = [
    "view_inquiry", "change_inquiry", "view_inquirynote", "add_inquirynote",
    "view_delivery", "view_topic", "view_screeningphrase",
]
# What reads like an emergency or a medical question is a clinical judgement.
CLINICAL_REVIEWER_PERMISSIONS = [
    "view_screeningphrase", "add_screeningphrase", "change_screeningphrase",
    "delete_screeningphrase",
]


def create_defaults(apps, schema_editor):
    app_config = apps.get_app_config("contact")
    app_config.models_module = True  # create_permissions skips app configs without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    front_desk, _ = Group.objects.get_or_create(name=FRONT_DESK)
    front_desk.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contact", codename__in=FRONT_DESK_PERMISSIONS
        )
    )

    reviewers = Group.objects.filter(name="Clinical reviewers").first()
    if reviewers is not None:
        reviewers.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="contact", codename__in=CLINICAL_REVIEWER_PERMISSIONS
            )
        )

    Topic = apps.get_model("contact", "Topic")
    for order, (label, description) in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(
            label=label,
            defaults={"description": description, "order": order, "staff_group": front_desk},
        )
    ScreeningPhrase = apps.get_model("contact", "ScreeningPhrase")
    for kind, phrases in [("urgent", URGENT_PHRASES), ("medical", MEDICAL_PHRASES)]:
        for phrase in phrases:
            ScreeningPhrase.objects.get_or_create(phrase=phrase, kind=kind)
    ContactSettings = apps.get_model("contact", "ContactSettings")
    ContactSettings.objects.get_or_create(pk=1, defaults={"urgent_staff_group": front_desk})


def remove_defaults(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=FRONT_DESK).delete()
    apps.get_model("contact", "ScreeningPhrase").objects.all().delete()
    apps.get_model("contact", "Topic").objects.filter(label__in=[t[0] for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contact", "0001_inquiries"),
        ("education", "0002_topics_and_roles"),  # the Clinical reviewers group
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
