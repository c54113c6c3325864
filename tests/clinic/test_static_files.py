import re

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponseNotFound
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware


@pytest.fixture(scope="module")
def production_static_files(tmp_path_factory):
    """Collect static files the way a deployment does: hashed names, compressed copies."""
    static_root = tmp_path_factory.mktemp("static")
    production_storage = override_settings(
        STATIC_ROOT=static_root,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        },
    )
    with production_storage:
        call_command("collectstatic", "--noinput", verbosity=0)
        yield static_root


def test_static_file_is_served_with_a_hashed_name_and_a_far_future_cache_header(
    production_static_files,
):
    url = staticfiles_storage.url("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)

    whitenoise = WhiteNoiseMiddleware(get_response=lambda request: HttpResponseNotFound())
    response = whitenoise(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="br, gzip"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "br"


def test_bootstrap_is_served_by_the_site_itself(production_static_files):
    url = staticfiles_storage.url("bootstrap/css/bootstrap.min.css")
    assert url.startswith("/static/bootstrap/css/bootstrap.min.")
    assert (production_static_files / "bootstrap/css/bootstrap.min.css").exists()


@pytest.mark.django_db
def test_pages_load_no_asset_from_another_site(client):
    html = client.get("/").content.decode()
    assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', html)
    assert assets, "expected the page to load its CSS and JS"
    assert all(asset.startswith("/static/") for asset in assets), assets
