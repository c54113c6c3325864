from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class EducationConfig(AppConfig):
    name = "education"
    verbose_name = "Patient education"

    def ready(self):
        from clinic.caching import content_changed
        from clinic.models import ClinicDetails, LanguageTagline

        from .models import FAQ, EducationPage, GlossaryTerm, Reference, Topic

        # Anything a patient reads on a cached page: a change starts a new content version.
        for model in (
            EducationPage,
            FAQ,
            Reference,
            Topic,
            GlossaryTerm,
            ClinicDetails,
            LanguageTagline,
        ):
            post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
        m2m_changed.connect(
            content_changed,
            sender=EducationPage.related_pages.through,
            dispatch_uid="content-related-pages",
        )
