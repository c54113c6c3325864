"""What a patient page shows: the template context of the public page and of its admin preview."""

from django.conf import settings
from django.urls import reverse

from clinic.models import ClinicDetails

from . import seo
from .models import EducationPage


def page_context(page, *, related, request=None):
    """The context of templates/education/page_detail.html; with `request`, also the page's
    structured data (JSON-LD) for search engines, which a preview leaves out."""
    faqs = list(page.faqs.all())
    home = ("Home", reverse("home"))
    topic = (page.topic.title, page.topic.get_absolute_url())
    here = (page.title, page.get_absolute_url())
    context = {
        "page": page,
        "topic": page.topic,
        "faqs": faqs,
        "references": list(page.references.all()),
        "related_pages": list(related),
        "next_page": EducationPage.objects.published().next_in_journey(page),
        "breadcrumbs": [home, topic],
    }
    if request is not None:
        site_url = settings.SITE_URL.rstrip("/")
        crumbs = [(name, site_url + url) for name, url in (home, topic, here)]
        context["json_ld"] = seo.json_ld_graph(
            seo.medical_web_page(
                page=page,
                url=crumbs[-1][1],
                crumbs=crumbs,
                publisher_name=ClinicDetails.for_request(request).name,
            ),
            seo.faq_page(faqs) if faqs else None,
        )
    return context
