"""Two app servers, one PostgreSQL and one Redis: does an edit through one show through the other?

Run with `make scale-out-check` (see benchmarks/README.md). It makes a scratch database on the
PostgreSQL server DATABASE_URL points at (dropped afterwards), starts two gunicorn instances on
different ports sharing it and Redis (REDIS_URL, default redis://127.0.0.1:6379/14), warms both
page caches, then through instance A: logs in to the admin, edits the clinic details and
unpublishes then republishes a page. After each change it reads instance B, which must show it
at once. It also checks that A's staff session works on B. Exits 1 on any failure.
"""

import html
import os
import re
import secrets
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import free_port, gunicorn, manage, production_env, scratch_database

PAGE = "/learn/after-your-infusion/"
PASSWORD = secrets.token_urlsafe(16)
# The check's authenticator app: the second step of signing in (clinic/staff_auth.py).
TOTP_KEY = secrets.token_hex(20)


def app_code():
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(TOTP_KEY)):06d}"


class Browser:
    """Cookies and CSRF, as a browser keeps them (urllib only)."""

    def __init__(self):
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, url):
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url, fields):
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}, doseq=True)
        # Only the loopback addresses of the servers this script started.
        request = urllib.request.Request(url, data=data.encode(), headers={"Referer": url})  # noqa: S310
        with self.opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()


class FormFields(HTMLParser):
    """The fields of the admin's change form, with their current values."""

    def __init__(self):
        super().__init__()
        self.fields, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def form_fields(page):
    parser = FormFields()
    parser.feed(page)
    return {name: html.unescape(value).lstrip("\n") for name, value in parser.fields.items()}


def check(ok, what):
    print(f"{'PASS' if ok else 'FAIL'}  {what}", flush=True)
    return ok


# Each worker keeps its own copy of the pages it served: ask often enough that every worker
# of an instance has served (and later re-checks) each page.
REPEATS = 8


def every_time(url, test, browser):
    return all(test(*browser.get(url)) for _ in range(REPEATS))


def run(env, a, b):
    results = []
    browser = Browser()
    for base in (a, b):  # both caches, and every worker's copy, warm with the old details
        ok = every_time(
            base + "/", lambda status, page: status == 200 and "Infusion Clinic" in page, browser
        )
        results.append(check(ok, f"home page on {base}"))
        every_time(base + PAGE, lambda status, page: status == 200, browser)

    browser.get(a + "/admin/login/")
    browser.post(a + "/admin/login/?next=/admin/", {"username": "scaleout", "password": PASSWORD})
    _, page = browser.post(a + "/admin/two-factor/?next=/admin/", {"code": app_code()})
    results.append(check("Site administration" in page, "logged in to the admin through A"))
    _, page = browser.get(b + "/admin/")
    results.append(check("Site administration" in page, "the same staff session works on B"))

    new_name = f"Scale-out Check Clinic {secrets.token_hex(3)}"
    change = a + "/admin/clinic/clinicdetails/1/change/"
    fields = form_fields(browser.get(change)[1])
    fields.pop("csrfmiddlewaretoken", None)
    browser.post(change, {**fields, "name": new_name, "_save": "Save"})

    def shows_new_name(status, page):
        return new_name in page

    results.append(
        check(
            every_time(b + "/", shows_new_name, browser),
            "clinic details edited through A show at once on B",
        )
    )
    results.append(
        check(every_time(b + PAGE, shows_new_name, browser), "... and on B's cached education page")
    )

    _, page = browser.get(a + "/admin/education/educationpage/?q=after+your+infusion")
    page_id = re.search(r'name="_selected_action" value="(\d+)"', page).group(1)

    def act(action):
        """One workflow action on the page, confirmed (its own page, as staff do)."""
        url = f"{a}/admin/education/educationpage/{page_id}/action/{action}/"
        fields = form_fields(browser.get(url)[1])
        fields.pop("csrfmiddlewaretoken", None)
        browser.post(url, fields)

    act("unpublish")
    gone = every_time(b + PAGE, lambda status, page: status == 404, browser)
    results.append(check(gone, "unpublished through A: 404 on B"))
    act("publish")
    back = every_time(b + PAGE, lambda status, page: status == 200, browser)
    results.append(check(back, "published through A: back on B"))
    return all(results)


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (a scratch database is made).")
    workdir = Path(tempfile.mkdtemp(prefix="portal-scale-"))
    with scratch_database(workdir) as database_url:
        env = production_env(
            workdir,
            database_url,
            REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
            DJANGO_CACHE_KEY_PREFIX=f"scale-out-{secrets.token_hex(4)}",
        )
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "load_default_content", "-v0")
        create_admin = (
            "from django.contrib.auth import get_user_model; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            "user = get_user_model().objects"
            f".create_superuser('scaleout', 'scaleout@example.org', '{PASSWORD}'); "
            f"TOTPDevice.objects.create(user=user, name='app', key='{TOTP_KEY}')"
        )
        manage(env, "shell", "-c", create_admin)
        with gunicorn(env, free_port(), 2) as a, gunicorn(env, free_port(), 2) as b:
            ok = run(env, a, b)
    print("Scale-out check passed." if ok else "Scale-out check FAILED.")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
