"""gunicorn.conf.py: what the production access log records."""

import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def access_log_format(monkeypatch, **environ):
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))["access_log_format"]


def test_the_access_log_keeps_no_visitor_address_or_query_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_LOG_CLIENT_ADDRESS", raising=False)
    log_format = access_log_format(monkeypatch)
    assert "%(h)s" not in log_format  # the remote address
    assert "%(U)s" in log_format and "%(r)s" not in log_format and "%(q)s" not in log_format
    assert "%(f)s" not in log_format  # the Referer, which can carry a query


@pytest.mark.parametrize(("value", "logged"), [("true", True), ("false", False), ("", False)])
def test_an_incident_can_turn_visitor_addresses_on(monkeypatch, value, logged):
    log_format = access_log_format(monkeypatch, GUNICORN_LOG_CLIENT_ADDRESS=value)
    assert log_format.startswith("%(h)s ") is logged
