from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "contact"
    verbose_name = "Contact form and inquiries"

    def ready(self):
        from . import checks  # noqa: F401 - registers the screening model check
