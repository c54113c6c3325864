from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date
from django.views.generic import TemplateView

from clinic.caching import cached_public_page
from clinic.models import ClinicDetails

from .models import EducationPage, GlossaryTerm, Topic
from .presenters import page_context
from .search import clean_query, search_pages


class HomeView(TemplateView):
    """The home page: the patient journey, topic by topic."""

    template_name = "education/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(journey=Topic.objects.journey(), **kwargs)


@cached_public_page
def page_detail(request, slug):
    page = get_object_or_404(
        EducationPage.objects.published().for_reading().prefetch_related("faqs", "references"),
        slug=slug,
    )
    context = page_context(
        page, related=EducationPage.objects.published().related_to(page), request=request
    )
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
