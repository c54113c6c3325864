"""Test data every app's tests share: staff users in the roles the data migrations make."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

PASSWORD = "a-long-password"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user; `groups=["Front desk"]` puts them in those roles (made by migrations)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(user, create, names, **kwargs):
        if create and names:
            user.groups.add(*(Group.objects.get(name=name) for name in names))


def second_factor_device(user):
    """The user's authenticator-app device, confirmed (made if they have none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def current_code(device):
    """What the person's authenticator app shows now, worked out from the device's key."""
    from clinic.staff_auth import app_code_now

    return app_code_now(device)


PRIVACY_PRACTICES_URL = "https://clinic.example.org/notice-of-privacy-practices.pdf"


def approve_notices(details):
    """Every notice shown: the Notice of Privacy Practices address, and the nondiscrimination
    notice with its coordinator filled in and approved. Saves and returns the details."""
    details.privacy_practices_url = PRIVACY_PRACTICES_URL
    details.nondiscrimination_text = details.nondiscrimination_text.replace(
        "[[Fill in: name, phone and email]]", "Jo Lee, (555) 010-0150, rights@example.org"
    )
    details.nondiscrimination_confirmed = True
    details.full_clean()
    details.save()
    return details
