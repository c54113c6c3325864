from django.core.management.base import BaseCommand
from django.db import transaction

from portal.models import ClinicDetails


class Command(BaseCommand):
    help = (
        "Load the clinic's default content: the clinic details record. Safe to re-run: it "
        "creates what is missing and never overwrites what staff have edited."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be loaded, change nothing."
        )

    @transaction.atomic
    def handle(self, *args, dry_run, **options):
        exists = ClinicDetails.objects.filter(pk=ClinicDetails.SINGLETON_PK).exists()
        if exists:
            self.stdout.write("Clinic details: already there, left as they are.")
        elif dry_run:
            self.stdout.write("Clinic details: would create the placeholder record.")
        else:
            ClinicDetails.load()
            self.stdout.write(
                "Clinic details: created the placeholder record; edit it in the admin."
            )
