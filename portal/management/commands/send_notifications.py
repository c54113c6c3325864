import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from clinic.outbox import staff_emails_send_due
from contact.notifications import deliveries_send_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send the emails waiting in the outboxes: the contact form's (staff notifications, "
        "urgent digests and acknowledgements; emails about urgent inquiries first) and the "
        "staff emails (pages to review, review reminders), retrying failed "
        "ones with backoff. Runs until stopped; --once sends everything due (in batches) and "
        "exits. Safe to run on several servers at once. Delivery is at least once: an email "
        "whose sending was not recorded (a crash, a database failure) is sent again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Send everything that is due, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between checks (default 5)."
        )

    def handle(self, *args, once=False, interval=5.0, **options):
        self.stopping = False
        if not once:
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
            self.stdout.write(f"Sending emails every {interval:g} s. Ctrl-C stops.")
        while True:
            if not once:
                # A long-running worker drops connections the database closed meanwhile.
                close_old_connections()
            try:
                contact_sent, contact_failed = deliveries_send_due()
                staff_sent, staff_failed = staff_emails_send_due()
                sent, failed = contact_sent + staff_sent, contact_failed + staff_failed
            except DatabaseError as error:
                if once:
                    raise
                # A database restart must not end the worker: wait, reconnect, go on.
                logger.warning("Email worker: database unavailable (%s)", type(error).__name__)
                sent = failed = 0
            if sent or failed:
                self.stdout.write(f"Emails sent: {sent}, failed (will retry): {failed}")
            if once or self.stopping:
                return
            time.sleep(interval)
            if self.stopping:
                return

    def stop(self, signum, frame):
        self.stopping = True
