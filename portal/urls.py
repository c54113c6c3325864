from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from education.sitemaps import SITEMAPS
from education.views import RobotsView, glossary, search

from . import views
from .caching import cached_public_page

admin.site.site_header = "Clinic portal administration"
admin.site.site_title = "Clinic portal admin"

urlpatterns = [
    path("", cached_public_page(views.HomeView.as_view()), name="home"),
    path(
        "location/",
        views.allow_map_frame(cached_public_page(views.LocationView.as_view())),
        name="location",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("learn/", include("education.urls")),
    path("search/", search, name="search"),
    path("glossary/", glossary, name="glossary"),
    path("contact/", include("contact.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.BENCHMARK_REFERENCE_FILE:
    urlpatterns.append(path("bench/reference/", views.benchmark_reference))

handler400 = "portal.views.bad_request"
handler500 = "portal.views.server_error"
