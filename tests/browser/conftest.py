"""Browser tests: one Chromium for the whole run, a fresh browser context for each test.

Every page any test opens is watched: a Content-Security-Policy violation or an uncaught
JavaScript error fails the test, whatever the test itself checks.
"""

import importlib
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from playwright.sync_api import sync_playwright

from clinic.models import ClinicDetails
from tests.factories import approve_notices

from . import tools

# Playwright's sync API runs an event loop in the test's thread; Django would then refuse the
# (synchronous) database calls the tests make to set up data. Nothing here is async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
# A map address on another origin: the location page shows its "Show the map" button, and the
# CSP test checks that this origin, and only it, may be framed.
MAP_EMBED_URL = "https://maps.example.com/embed?q=clinic"

_skip_reasons = []


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    markers = {marker.name for marker in item.iter_markers()}
    chromium = Path(item.config.getoption("chromium"))
    missing = tools.missing_tools(markers, chromium=chromium)
    action, reason = tools.verdict(missing, ci=tools.running_in_ci())
    if action == "fail":
        pytest.fail(reason, pytrace=False)
    if action == "skip":
        _skip_reasons.append(reason)
        pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    if _skip_reasons:
        terminalreporter.write_sep(
            "!", f"{len(_skip_reasons)} browser tests were SKIPPED", yellow=True, bold=True
        )
        for reason in dict.fromkeys(_skip_reasons):
            terminalreporter.write_line(reason, yellow=True)


class BrowserProblems:
    """CSP violations and uncaught JavaScript errors in any page of a browser context."""

    REPORT_VIOLATIONS = """
        document.addEventListener("securitypolicyviolation", (event) => {
          window.__portalCspViolation({
            directive: event.effectiveDirective,
            blocked: event.blockedURI || "inline code",
            sample: event.sample,
            page: document.location.href,
          });
        });
    """

    def __init__(self):
        self.problems = []

    def watch(self, context):
        context.expose_binding("__portalCspViolation", self._violation)
        context.add_init_script(self.REPORT_VIOLATIONS)
        context.on("console", self._console)
        context.on(
            "weberror", lambda error: self.problems.append(f"JavaScript error: {error.error}")
        )

    def _violation(self, source, violation):
        self.problems.append(
            "CSP violation on {page}: {directive} blocked {blocked} {sample}".format(**violation)
        )

    def _console(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP console error on {message.page.url}: {message.text}")

    def take(self, page):
        """What was seen so far (after letting the page deliver pending reports), cleared."""
        if not page.is_closed():
            page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 50))")
        seen, self.problems = self.problems, []
        return seen

    def assert_none(self, page, where=""):
        seen = self.take(page)
        assert not seen, f"{where}: " + "\n".join(seen) if where else "\n".join(seen)


@pytest.fixture(scope="session")
def browser(pytestconfig):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=pytestconfig.getoption("chromium"), args=LAUNCH_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def new_context(browser, browser_problems):
    """Make a watched browser context (several for tests with more than one visitor)."""
    contexts = []

    def make(**options):
        context = browser.new_context(**{"viewport": DESKTOP, **options})
        context.set_default_timeout(10_000)  # fail fast: every page here is local
        browser_problems.watch(context)
        contexts.append(context)
        return context

    yield make
    leftover = browser_problems.problems[:]
    for context in contexts:
        context.close()
    assert not leftover, "\n".join(leftover)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def migrated_data(transactional_db):
    """The topics, roles and screening phrases the data migrations made, which transactional
    tests lose.

    The live server needs transactional tests, and each one empties every table when it ends.
    Django's serialized_rollback would restore the rows, but it breaks after any other
    transactional test in the run (content types come back with new ids), so this re-runs the
    data migration itself, on the models as they were at that migration. It is idempotent.
    """
    loader = MigrationExecutor(connection).loader
    for app_label, name, function in [
        ("education", "0002_topics_and_roles", "create_topics_and_roles"),
        ("education", "0007_glossary_permissions", "give_glossary_permissions"),
        ("contact", "0002_topics_screening_and_front_desk", "create_defaults"),
        ("contact", "0004_screening_examples_and_exceptions", "load_new_defaults"),
        ("contact", "0005_replies_and_access_record", "create_roles"),
        ("contact", "0008_inbox_preview_permission", "give_front_desk_previews"),
        ("contact", "0010_website_problem_topic", "add_website_problem_topic"),
        ("clinic", "0006_language_taglines", "add_default_taglines"),
    ]:
        migration = importlib.import_module(f"{app_label}.migrations.{name}")
        state = loader.project_state((app_label, name))
        getattr(migration, function)(state.apps, schema_editor=None)


@pytest.fixture
def site(live_server, migrated_data, settings):
    """The live site with the clinic's default pages; its base URL."""
    # A browser fills the form faster than any person: the time trap would call it spam.
    # (The time trap has its own tests in tests/contact/.)
    settings.CONTACT_MIN_FILL_SECONDS = 0
    call_command("load_default_content", stdout=io.StringIO())
    details = ClinicDetails.load()
    details.map_embed_url = MAP_EMBED_URL
    # Every notice shows, so the audits cover each notice's page and link.
    approve_notices(details)
    return live_server.url
