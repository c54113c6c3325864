import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from education.models import ReviewerProfile

# username -> (role group, description). The superuser has no group.
LOCAL_ACCOUNTS = {
    "admin": (None, "superuser: everything"),
    "editor": ("Content editors", "writes pages and submits them for review"),
    "reviewer": ("Clinical reviewers", "publishes pages and signs off clinical reviews"),
    "frontdesk": ("Front desk", "reads and answers inquiries; as a lead, keeps canned replies"),
}

# The local front-desk account leads the desk too, to try the canned replies.
LOCAL_EXTRA_GROUPS = {"frontdesk": ["Front desk leads"]}


class Command(BaseCommand):
    help = (
        "For local development only: make sure an admin, a content editor and a clinical "
        "reviewer account exist, give each a fresh random password and print the logins. "
        "Refuses to run unless DJANGO_DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "create_local_accounts only runs with DJANGO_DEBUG=true. "
                "On a real server use `manage.py createsuperuser` and the admin."
            )
        admin_url = f"{settings.SITE_URL.rstrip('/')}/{settings.ADMIN_URL}"
        lines = [f"Local accounts for {admin_url} (new passwords each time the site starts):"]
        for username, (group_name, description) in LOCAL_ACCOUNTS.items():
            password = self.ensure_account(username, group_name)
            lines.append(f"  {username:<10} password: {password}   ({description})")
        lines += [
            "Signing in has a second step: the first time, the admin shows a QR code for an",
            "authenticator app; after that it asks for the app's 6-digit code. No phone at hand?",
            "  DJANGO_DEBUG=true .venv/bin/python manage.py local_code USERNAME",
            "prints the code the app would show now.",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def ensure_account(self, username, group_name):
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_staff = user.is_active = True
        user.is_superuser = group_name is None
        user.set_password(password)
        user.save()
        if group_name:
            names = [group_name, *LOCAL_EXTRA_GROUPS.get(username, [])]
            user.groups.set([Group.objects.get(name=name) for name in names])
        if username == "reviewer":
            # Marked as a local demo so it can never pass for a real clinician's sign-off.
            ReviewerProfile.objects.get_or_create(
                user=user,
                defaults={"display_name": "Demo Reviewer (local only)", "credentials": "DEMO"},
            )
        return password
