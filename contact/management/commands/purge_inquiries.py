from django.conf import settings
from django.core.management.base import BaseCommand

from contact.services import inquiries_erase_email, inquiries_purge


class Command(BaseCommand):
    help = (
        "Delete contact-form inquiries the clinic no longer needs: closed ones after "
        "CONTACT_RETENTION_DAYS (default 365) and spam after CONTACT_SPAM_RETENTION_DAYS "
        "(default 30), with their notes and emails. --erase-email deletes everything held "
        "about one sender, on request. Safe to re-run; schedule it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument(
            "--erase-email", metavar="ADDRESS", help="Erase every inquiry from this address."
        )

    def handle(self, *args, dry_run=False, erase_email=None, **options):
        verb = "Would delete" if dry_run else "Deleted"
        if erase_email:
            count = inquiries_erase_email(email=erase_email, dry_run=dry_run)
            self.stdout.write(f"{verb} {count} inquiries from that address.")
            return
        counts = inquiries_purge(dry_run=dry_run)
        self.stdout.write(
            f"{verb} {counts['closed']} closed inquiries older than "
            f"{settings.CONTACT_RETENTION_DAYS} days and {counts['spam']} spam older than "
            f"{settings.CONTACT_SPAM_RETENTION_DAYS} days."
        )
