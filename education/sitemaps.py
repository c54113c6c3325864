from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clinic.models import ClinicDetails

from .models import EducationPage, Topic


class EducationPageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return EducationPage.objects.published().order_by("pk")

    def lastmod(self, page):
        return page.updated_at


class TopicSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Topic.objects.order_by("order")


class FixedPagesSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        names = ["home", "location", "glossary", "contact:form"]
        names += ["privacy", "accessibility", "language_help"]
        if ClinicDetails.cached().nondiscrimination_confirmed:
            names.append("nondiscrimination")
        return names

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": EducationPageSitemap,
    "topics": TopicSitemap,
    "fixed": FixedPagesSitemap,
}
