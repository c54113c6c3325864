"""Every public page is valid HTML, by the Nu HTML Checker (vnu.jar, from npm's vnu-jar).

The HTML checked is what the server sent (the response body), not the browser's DOM, which
would hide mistakes the parser repaired. All pages go to one Java run: starting Java is the
slow part.
"""

import json
import subprocess
from pathlib import Path

import pytest

from .pages import public_pages
from .tools import VNU_JAR

pytestmark = [pytest.mark.browser, pytest.mark.vnu, pytest.mark.django_db(transaction=True)]

# Checked in the same run: proof the checker reports errors, so silence means valid pages.
KNOWN_BAD = "<!doctype html><html lang=en><title>Bad</title><p><div></p></div><li>stray</li>"


def nu_html_check(paths):
    """The checker's error messages for each file, by file name."""
    result = subprocess.run(  # noqa: S603 - fixed command, our own files
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--stdout", *paths],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: some file has errors
    errors = {Path(path).name: [] for path in paths}
    for message in json.loads(result.stdout)["messages"]:
        name = Path(message.get("url", "unknown")).name
        errors.setdefault(name, []).append(message)
    return errors


def describe(message):
    where = f"line {message.get('lastLine', '?')}"
    extract = message.get("extract", "").strip().replace("\n", " ")
    return f"  {where}: {message['message']} [{extract}]"


def test_every_public_page_is_valid_html(page, site, tmp_path):
    paths = []
    for public_page in public_pages(site):
        response = public_page.open(page, site)
        assert response.status == public_page.status, public_page.name
        path = tmp_path / f"{public_page.name}.html"
        path.write_bytes(response.body())
        paths.append(str(path))
    known_bad = tmp_path / "known-bad.html"
    known_bad.write_text(KNOWN_BAD)

    errors = nu_html_check([*paths, str(known_bad)])

    assert errors.pop("known-bad.html"), "the checker found nothing wrong with a broken page"
    assert len(errors) == len(paths) >= 20
    report = [
        f"{name}:\n" + "\n".join(describe(message) for message in messages)
        for name, messages in errors.items()
        if messages
    ]
    assert not report, "\n".join(report)
