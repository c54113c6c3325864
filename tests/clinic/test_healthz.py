import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections


@pytest.mark.django_db
def test_healthz_is_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def unreachable_database():
    """Swap the default connection for one whose database cannot be reached."""
    broken = {**connection.settings_dict}
    if connection.vendor == "sqlite":
        broken["NAME"] = "/nonexistent-dir/portal.sqlite3"
    else:
        broken["PORT"] = "1"
    working = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = working.__class__(broken, alias=DEFAULT_DB_ALIAS)
    yield
    connections[DEFAULT_DB_ALIAS] = working


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
