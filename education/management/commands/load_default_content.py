import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from education.default_content import default_pages, page_fingerprint
from education.models import EducationPage, Topic
from portal.models import ClinicDetails

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

    def handle(self, *args, dry_run, **options):
        with transaction.atomic():
            self.load_clinic_details(dry_run)
            for default in default_pages():
                self.stdout.write(f"{default.slug}: {self.load_page(default, dry_run)}")
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
            if not dry_run:
                page = EducationPage(
                    slug=default.slug,
                    status=EducationPage.Status.PUBLISHED,
                    published_at=timezone.now(),
                    next_review_due=timezone.localdate()
                    + datetime.timedelta(days=FIRST_REVIEW_DUE_DAYS),
                )
                self.write_page(page, default)
            return "created"
        if page.default_content_fingerprint != page_fingerprint(page):
            return "left as it is (edited by staff)"
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
        page.refresh_reading_stats()
        page.default_content_fingerprint = page_fingerprint(page)
        EducationPage.objects.filter(pk=page.pk).update(
            reading_grade=page.reading_grade,
            word_count=page.word_count,
            default_content_fingerprint=page.default_content_fingerprint,
        )
