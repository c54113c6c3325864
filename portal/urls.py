from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from clinic import views
from clinic.caching import cached_public_page
from education.sitemaps import SITEMAPS
from education.views import HomeView, glossary, search

urlpatterns = [
    path("", cached_public_page(HomeView.as_view()), name="home"),
    path(
        "location/",
        views.allow_map_frame(cached_public_page(views.LocationView.as_view())),
        name="location",
    ),
    path("privacy/", cached_public_page(views.PrivacyView.as_view()), name="privacy"),
    path(
        "accessibility/",
        cached_public_page(views.AccessibilityView.as_view()),
        name="accessibility",
    ),
    path(
        "nondiscrimination/",
        cached_public_page(views.NondiscriminationView.as_view()),
        name="nondiscrimination",
    ),
    path(
        "language-help/",
        cached_public_page(views.LanguageHelpView.as_view()),
        name="language_help",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("learn/", include("education.urls")),
    path("search/", search, name="search"),
    path("glossary/", glossary, name="glossary"),
    path("contact/", include("contact.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler400 = "clinic.views.bad_request"
handler500 = "clinic.views.server_error"
