from django.core.management.base import BaseCommand

from education.notifications import review_reminders_queue


class Command(BaseCommand):
    help = (
        "Email the clinical reviewers about live pages whose review is due within 30 days, "
        "within 7 days, or overdue: one email listing them, each page once for each stage. "
        "Run it once a day (cron or a systemd timer); running it more often, or on two "
        "servers at once, sends nothing twice. The email worker (send_notifications) sends it."
    )

    def handle(self, *args, **options):
        count = review_reminders_queue()
        self.stdout.write(f"Review reminders queued for {count} page(s).")
