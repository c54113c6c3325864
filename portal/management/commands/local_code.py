from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.staff_auth import app_code_now


class Command(BaseCommand):
    help = (
        "For local development only: print the code a local account's authenticator app would "
        "show now (the second step of signing in), for when no phone is at hand. Refuses to "
        "run unless DJANGO_DEBUG is on."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("local_code only runs with DJANGO_DEBUG=true.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        # The confirmed app, or the one being set up on the sign-in page now.
        device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-pk").first()
        if device is None:
            raise CommandError(
                f"{username} has no authenticator yet: sign in with the password first; the "
                "set-up page then asks for a code, which this command can give."
            )
        self.stdout.write(app_code_now(device))
