import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "For local development only: make sure a superuser exists, give it a fresh random "
        "password and print the login. Refuses to run unless DJANGO_DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin only runs with DJANGO_DEBUG=true. "
                "On a real server use `manage.py createsuperuser`."
            )
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        admin_url = f"http://127.0.0.1:8000/{settings.ADMIN_URL}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Local admin {'created' if created else 'ready'}: {admin_url}\n"
                f"  username: {username}\n  password: {password}\n"
                "(A new password is made each time the site starts.)"
            )
        )
