"""Screening that reads like people write: exceptions, examples, and the new default list.

The phrase list of migration 0002 matched the start of words ("suicid" for "suicidal"); the new
reader matches whole words with `*` for a prefix, so 0002's defaults that staff have not changed
are replaced by the new default list (contact/screening_data/default_phrases.txt). The labelled
messages the list was tuned on become the reviewers' screening examples.
"""

import csv
from pathlib import Path

import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models

DATA_DIR = Path(__file__).resolve().parent.parent / "screening_data"
OLD_DEFAULTS = {
    "urgent": [
        "suicid", "kill myself", "end my life", "ending my life", "take my own life",
        "want to die", "better off dead", "hurt myself", "harm myself", "self-harm", "self harm",
        "overdos", "chest pain", "heart attack", "stroke", "seizure", "unconscious",
        "passed out", "not breathing", "can't breathe", "cant breathe", "cannot breathe",
        "can not breathe", "trouble breathing", "no reason to live", "don't want to live",
        "dont want to live", "took too many", "took too much", "kill me", "difficulty breathing",
        "hard to breathe", "short of breath", "severe reaction", "allergic reaction", "anaphyla",
    ],
    "medical": [
        "dose", "dosage", "dosing", "mg", "milligram", "medication", "medicine", "meds",
        "prescri", "side effect", "symptom", "antidepressant", "ssri", "snri", "benzo",
        "lithium", "blood pressure", "pregnan", "breastfeed", "nause", "vomit", "dizz",
        "headache", "hallucinat", "dissociat", "panic attack", "drug interaction",
        "interact with", "stop taking", "diagnos",
    ],
}
EXPECTED = {"crisis": "urgent", "emergency": "urgent", "medical": "medical", "ordinary": "none"}
REVIEWER_PERMISSIONS = [
    "view_screeningexample", "add_screeningexample", "change_screeningexample",
    "delete_screeningexample",
]


def read_phrase_file(path):
    phrases, kind = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        phrase, _, note = line.partition("  -- ")
        phrase = phrase.strip()
        if not phrase or phrase.startswith("//"):
            continue
        if phrase.startswith("[") and phrase.endswith("]"):
            kind = phrase[1:-1]
            continue
        phrases.append((kind, phrase, note.strip()))
    return phrases


def load_new_defaults(apps, schema_editor):
    ScreeningPhrase = apps.get_model("contact", "ScreeningPhrase")
    ScreeningExample = apps.get_model("contact", "ScreeningExample")
    for kind, phrases in OLD_DEFAULTS.items():
        ScreeningPhrase.objects.filter(kind=kind, phrase__in=phrases).delete()
    new_defaults = read_phrase_file(DATA_DIR / "default_phrases.txt")
    # Phrases staff added to the old list matched the start of words ("stab" matched
    # "stabbed"); keep that meaning with the new syntax's star, and say so.
    known = {(kind, phrase) for kind, phrase, _ in new_defaults}
    for phrase in ScreeningPhrase.objects.exclude(kind="exception"):
        if (phrase.kind, phrase.phrase) in known:
            continue
        last = phrase.phrase.split()[-1] if phrase.phrase.split() else ""
        if len(last) >= 3 and last.isalpha():
            phrase.phrase = phrase.phrase.rstrip() + "*"
            phrase.note = "Converted from the old list: matches words starting with it."
            phrase.save(update_fields=["phrase", "note"])
    for kind, phrase, note in new_defaults:
        ScreeningPhrase.objects.get_or_create(
            phrase=phrase, kind=kind, defaults={"note": note[:200]}
        )
    if not ScreeningExample.objects.exists():
        with open(DATA_DIR / "labelled_messages.csv", newline="", encoding="utf-8") as file:
            ScreeningExample.objects.bulk_create(
                ScreeningExample(
                    message=row["message"],
                    expected=EXPECTED[row["label"]],
                    note=", ".join(filter(None, [row["label"], row["style"].replace("+", ", ")])),
                )
                for row in csv.DictReader(file)
            )

    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("contact")
    app_config.models_module = True  # create_permissions skips app configs without models
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reviewers = Group.objects.filter(name="Clinical reviewers").first()
    if reviewers is not None:
        reviewers.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="contact", codename__in=REVIEWER_PERMISSIONS
            )
        )


def keep_the_list(apps, schema_editor):
    """Going back keeps today's phrases: a list with no phrases would screen nothing."""


class Migration(migrations.Migration):

    dependencies = [
        ('contact', '0003_urgent_digest'),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name='ScreeningExample',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('message', models.TextField(help_text="Write or copy the message without anyone's name, contact details or other details that could identify them: examples are kept until a reviewer deletes them.")),
                ('expected', models.CharField(choices=[('urgent', 'Urgent card (emergency or crisis)'), ('medical', 'Medical notice'), ('none', 'No notice (an ordinary question)')], max_length=10)),
                ('note', models.CharField(blank=True, help_text="What kind of message this is, e.g. 'crisis, slang' or 'idiom'.", max_length=200)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'ordering': ['expected', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='screeningphrase',
            name='note',
            field=models.CharField(blank=True, db_default='', help_text='Why this phrase is on the list (optional).', max_length=200),
        ),
        migrations.AddField(
            model_name='screeningphrase',
            name='updated_at',
            field=models.DateTimeField(auto_now=True, db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.AlterField(
            model_name='screeningphrase',
            name='kind',
            field=models.CharField(choices=[('urgent', 'Emergency or crisis'), ('medical', 'Medical question'), ('exception', 'Exception: idiom or name, not a concern')], help_text="An exception excuses only the urgent or medical words its own words match (not the words in a '...' gap, and a '?' never excuses urgent words): crisis wording anywhere else in the message still shows the urgent card.", max_length=10),
        ),
        migrations.AlterField(
            model_name='screeningphrase',
            name='phrase',
            field=models.CharField(help_text="Whole words in any case; accents, leetspeak ('k1ll'), held letters ('diiie') and misspellings of words of five letters or more ('suiside') match too. word* matches any word starting with it (suicid* matches suicidal); a/b/c matches any one of the words (one word each); =word matches that exact word only; # matches a number ('# mg' matches '50mg'); ? matches any one word; ... allows up to four words between two words ('end ... my life'). Groups: @self (myself, himself...), @someone (he, she, my dad...), @family (my dad, my wife...), @place (street, road, garage...), and, in an urgent phrase only, @medical (any words a medical phrase matched: 'took all my @medical'). One filler word ('just', 'own', 'really') may always sit between two words. Write 'don’t' or 'do not' (they read the same). See README, Safety screening.", max_length=200),
        ),
        migrations.RunPython(load_new_defaults, keep_the_list),
    ]
