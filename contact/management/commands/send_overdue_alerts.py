from django.core.management.base import BaseCommand

from contact.services import overdue_alerts_queue


class Command(BaseCommand):
    help = (
        "Email staff about open inquiries past their first-response target with no answer: "
        "once when overdue, once more at the second deadline. Run it every few minutes "
        "(cron or a systemd timer); running it often, or on two servers at once, sends "
        "nothing twice. The email worker (send_notifications) sends the emails."
    )

    def handle(self, *args, **options):
        count = overdue_alerts_queue()
        self.stdout.write(f"Overdue alerts queued: {count}.")
