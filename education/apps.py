from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Patient education"

    def ready(self):
        from clinic.caching import patients_read

        from .models import FAQ, EducationPage, GlossaryTerm, Reference, Topic

        patients_read(
            EducationPage,
            FAQ,
            Reference,
            Topic,
            GlossaryTerm,
            through=[EducationPage.related_pages.through],
        )
