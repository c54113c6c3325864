from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import http_date
from django.views.generic import TemplateView

from portal.caching import cached_public_page
from portal.models import ClinicDetails

from . import seo
from .models import EducationPage, GlossaryTerm, Topic
from .search import clean_query, search_pages

RELATED_PAGES = 5


def journey():
    """The topics in journey order, each with its published pages (two queries)."""
    pages = EducationPage.objects.published().only(
        "title", "slug", "summary", "topic_id", "order", "status"
    )
    return Topic.objects.prefetch_related(
        Prefetch("pages", queryset=pages.order_by("order", "title"), to_attr="published_pages")
    )


def related_pages(page):
    """Published pages chosen by staff, and the rest of the same topic: the first five (one query).

    On PostgreSQL, a UNION of two small queries, each read in order from an index and stopped
    at five rows. The single query with `chosen OR same topic` (kept for SQLite, which cannot
    LIMIT inside a UNION) scanned every page: 5-37 ms with 10,000 pages, against under 1 ms.
    """
    pages = (
        EducationPage.objects.published()
        .exclude(pk=page.pk)
        .only("title", "slug", "summary", "status", "order")
        .order_by("order", "title")
    )
    chosen = Q(pk__in=page.related_pages.values("pk"))
    same_topic = Q(topic_id=page.topic_id)
    if not connection.features.supports_slicing_ordering_in_compound:
        return pages.filter(chosen | same_topic)[:RELATED_PAGES]
    return (
        pages.filter(chosen)[:RELATED_PAGES]
        .union(pages.filter(same_topic)[:RELATED_PAGES])
        .order_by("order", "title")[:RELATED_PAGES]
    )


def page_context(page, *, related, request=None):
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


@cached_public_page
def page_detail(request, slug):
    page = get_object_or_404(
        EducationPage.objects.published().for_reading().prefetch_related("faqs", "references"),
        slug=slug,
    )
    context = page_context(page, related=related_pages(page), request=request)
    response = render(request, "education/page_detail.html", context)
    # The header and footer come from the clinic details, so either can make the page newer.
    last_modified = max(page.updated_at, ClinicDetails.for_request(request).updated_at)
    response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


@cached_public_page
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    pages = EducationPage.objects.published().filter(topic=topic).order_by("order", "title")
    return render(request, "education/topic_detail.html", {"topic": topic, "pages": pages})


@cached_public_page
def glossary(request):
    terms = GlossaryTerm.objects.only("term", "meaning", "slug")
    return render(request, "education/glossary.html", {"terms": terms})


def search(request):
    raw_query = request.GET.get("q", "")
    words = clean_query(raw_query)
    results, more_results = search_pages(raw_query)
    context = {
        "query": " ".join(words),
        "searched": bool(raw_query.strip()),
        "has_words": bool(words),
        "results": results,
        "more_results": more_results,
        "suggestions": ["driving", "side effects", "preparing", "alcohol"],
    }
    return render(request, "education/search.html", context)


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
