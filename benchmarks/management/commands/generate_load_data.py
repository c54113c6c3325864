import datetime
import itertools
import random

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contact.models import Inquiry, Topic
from contact.services import REFERENCE_ALPHABET
from education.models import FAQ, EducationPage, Reference, update_search_vectors

BATCH = 5000
# A year of a busy clinic's inbox, mostly handled.
STATUS_WEIGHTS = {
    Inquiry.Status.CLOSED: 70,
    Inquiry.Status.NEW: 10,
    Inquiry.Status.IN_PROGRESS: 10,
    Inquiry.Status.WAITING: 5,
    Inquiry.Status.SPAM: 5,
}


def reference_for(number):
    """The number-th reference, counting backwards from the end of the space, so generated
    references never meet the random ones real submissions draw (for a benchmark run)."""
    base = len(REFERENCE_ALPHABET)
    number = base**6 - 1 - number
    letters = []
    for _ in range(6):
        number, digit = divmod(number, base)
        letters.append(REFERENCE_ALPHABET[digit])
    return f"{''.join(letters[:3])}-{''.join(letters[3:])}"


class Command(BaseCommand):
    help = (
        "FOR BENCHMARKS ONLY: add many education pages (copies of the default pages, "
        "published) and stored inquiries, to measure the site with a large database. "
        "Refuses to run without --yes-this-is-a-benchmark-database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pages", type=int, default=10_000)
        parser.add_argument("--inquiries", type=int, default=1_000_000)
        parser.add_argument("--yes-this-is-a-benchmark-database", action="store_true")

    def handle(self, *args, pages, inquiries, yes_this_is_a_benchmark_database, **options):
        if not yes_this_is_a_benchmark_database:
            raise CommandError("This fills the database with made-up data. See --help.")
        if pages:
            self.generate_pages(pages)
        self.generate_inquiries(inquiries)

    @transaction.atomic
    def generate_pages(self, count):
        originals = list(EducationPage.objects.published().prefetch_related("faqs", "references"))
        if not originals:
            raise CommandError("Load the default content first (manage.py load_default_content).")
        start = EducationPage.objects.filter(slug__startswith="load-").count()
        for first in range(start, start + count, BATCH):
            numbers = range(first, min(first + BATCH, start + count))
            copies = []
            for number, original in zip(numbers, itertools.cycle(originals), strict=False):
                copy = EducationPage(
                    **{
                        field.attname: getattr(original, field.attname)
                        for field in EducationPage._meta.concrete_fields
                        if field.attname
                        not in ("id", "slug", "title", "default_content_fingerprint")
                    }
                )
                copy.title = f"{original.title} (copy {number})"
                copy.slug = f"load-{number}-{original.slug}"[:160]
                copies.append(copy)
            EducationPage.objects.bulk_create(copies)
            saved = EducationPage.objects.filter(slug__in=[c.slug for c in copies])
            update_search_vectors(saved)
            by_slug = {page.slug: page for page in saved}
            faqs, references = [], []
            for copy, original in zip(copies, itertools.cycle(originals), strict=False):
                page = by_slug[copy.slug]
                faqs += [
                    FAQ(page=page, question=f.question, answer=f.answer,
                        answer_html=f.answer_html, answer_text=f.answer_text, order=f.order)
                    for f in original.faqs.all()
                ]  # fmt: skip
                references += [
                    Reference(page=page, citation=r.citation, url=r.url, order=r.order)
                    for r in original.references.all()
                ]
            FAQ.objects.bulk_create(faqs)
            Reference.objects.bulk_create(references)
        self.stdout.write(f"Added {count:,} education pages.")

    def generate_inquiries(self, count):
        topics = list(Topic.objects.all())
        rng = random.Random(20261123)  # the same data every run  # noqa: S311
        statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
        now = timezone.now()
        start = Inquiry.objects.count()
        for first in range(start, start + count, BATCH):
            batch = []
            for number in range(first, min(first + BATCH, start + count)):
                status = rng.choices(statuses, weights)[0]
                received = now - datetime.timedelta(seconds=rng.randrange(365 * 24 * 3600))
                batch.append(
                    Inquiry(
                        reference=reference_for(number),
                        submission_key=f"load-{number}",
                        topic=rng.choice(topics),
                        name=f"Load Test {number}",
                        email=f"load{number % 50_000}@example.com",
                        message="Can I change my appointment time? " * rng.randint(1, 8),
                        status=status,
                        received_at=received,
                        closed_at=received + datetime.timedelta(days=2)
                        if status == Inquiry.Status.CLOSED
                        else None,
                        is_urgent=rng.random() < 0.01,
                        is_medical=rng.random() < 0.05,
                    )
                )
            with transaction.atomic():
                Inquiry.objects.bulk_create(batch)
            if (first // BATCH) % 20 == 0:
                self.stdout.write(f"  {first + len(batch):,} inquiries")
        self.stdout.write(f"Added {count:,} inquiries.")
