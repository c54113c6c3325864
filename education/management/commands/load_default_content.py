import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from clinic.models import ClinicDetails
from education import services
from education.default_content import default_glossary, default_pages, glossary_fingerprint
from education.fingerprints import page_fingerprint
from education.markup import placeholders
from education.models import EducationPage, GlossaryTerm, Topic

# Default pages were written by the portal's developers, not signed off by a clinician: they
# ask for a first clinical review soon, and the admin lists them as never reviewed.
FIRST_REVIEW_DUE_DAYS = 90


class Command(BaseCommand):
    help = (
        "Load the clinic's default content: the clinic details record and the default "
        "education pages (education/default_content/*.toml). Safe to re-run: it creates what "
        "is missing, updates default pages nobody has edited, and never overwrites staff edits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change, change nothing."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        self.verbosity = verbosity
        with transaction.atomic():
            self.load_clinic_details(dry_run)
            glossary_changed = False
            for default in default_glossary():
                outcome, changed = self.load_glossary_term(default, dry_run)
                glossary_changed |= changed
                if self.verbosity > 1 or changed:
                    self.stdout.write(f"Glossary, {default.term}: {outcome}")
            for default in default_pages():
                self.stdout.write(f"{default.slug}: {self.load_page(default, dry_run)}")
            if glossary_changed and not dry_run:
                services.pages_rerender()  # every page explains the new words
            if dry_run:
                transaction.set_rollback(True)

    def load_clinic_details(self, dry_run):
        if ClinicDetails.objects.filter(pk=ClinicDetails.SINGLETON_PK).exists():
            self.stdout.write("Clinic details: already there, left as they are.")
            return
        if not dry_run:
            ClinicDetails.load()
        self.stdout.write("Clinic details: created placeholders; please edit them in the admin.")

    def load_page(self, default, dry_run):
        page = EducationPage.objects.filter(slug=default.slug).first()
        if (
            page is None
            and EducationPage.history.filter(slug=default.slug, history_type="-").exists()
        ):
            return "left out (deleted by staff)"
        if page is None:
            # A page with "[[Fill in: ...]]" notes (prices, names) waits as a draft for staff.
            to_fill = placeholders(
                "\n".join([default.body, *(faq["answer"] for faq in default.faqs)])
            )
            if not dry_run:
                page = EducationPage(
                    slug=default.slug,
                    status=EducationPage.Status.DRAFT
                    if to_fill
                    else EducationPage.Status.PUBLISHED,
                    published_at=None if to_fill else timezone.now(),
                    next_review_due=timezone.localdate()
                    + datetime.timedelta(days=FIRST_REVIEW_DUE_DAYS),
                )
                self.write_page(page, default)
            return "created as a draft: fill in its placeholders" if to_fill else "created"
        if page.default_content_fingerprint != page_fingerprint(page):
            return "left as it is (edited by staff)"
        if EducationPage.objects.filter(draft_of=page).exists():
            return "left as it is (draft changes of it are open)"
        if page.last_reviewed_on is not None:
            # Signed off by a clinician: new default text would need their review first.
            if page.default_content_fingerprint != default.fingerprint():
                return "left as it is (signed off by a reviewer; the new default text is not)"
            return "up to date"
        if page.default_content_fingerprint == default.fingerprint():
            return "up to date"
        if not dry_run:
            self.write_page(page, default)
        return "updated to the new default text"

    def write_page(self, page, default):
        page.title = default.title
        page.topic = Topic.objects.get(slug=default.topic)
        page.order = default.order
        page.summary = default.summary
        page.body = default.body
        page._change_reason = "Loaded from the default content"
        page.save()
        page.faqs.all().delete()
        page.references.all().delete()
        for order, faq in enumerate(default.faqs, start=1):
            page.faqs.create(order=order, question=faq["question"], answer=faq["answer"].strip())
        for order, reference in enumerate(default.references, start=1):
            page.references.create(
                order=order, citation=reference["citation"], url=reference["url"]
            )
        services.page_derived_fields_save(page=page)
        EducationPage.objects.filter(pk=page.pk).update(
            default_content_fingerprint=page_fingerprint(page)
        )
        services.page_revision_record(page=page)

    def load_glossary_term(self, default, dry_run):
        term = GlossaryTerm.objects.filter(term=default.term).first()
        if term is None:
            # A default term that is gone, with history, was deleted or renamed by staff.
            if GlossaryTerm.history.filter(term=default.term).exists():
                return "left out (deleted or renamed by staff)", False
            term = GlossaryTerm(term=default.term, slug=self.free_slug(default.term))
        elif term.default_content_fingerprint != glossary_fingerprint(term):
            return "left as it is (edited by staff)", False
        elif term.default_content_fingerprint == default.fingerprint():
            return "up to date", False
        outcome = "created" if term.pk is None else "updated to the new default text"
        if not dry_run:
            term.other_forms = default.other_forms
            term.meaning = default.meaning
            term.default_content_fingerprint = default.fingerprint()
            term._change_reason = "Loaded from the default content"
            term.save()
        return outcome, True

    @staticmethod
    def free_slug(term):
        base = slugify(term)[:70] or "term"
        slug, number = base, 1
        while GlossaryTerm.objects.filter(slug=slug).exists():
            number += 1
            slug = f"{base}-{number}"
        return slug
