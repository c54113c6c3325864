"""Without Chromium (or Java and vnu.jar) the browser tests skip on a laptop and fail in CI.

These tests need no browser: they run everywhere.
"""

import os
import subprocess
import sys

import pytest

from .tools import ROOT, TOOLS, missing_tools, running_in_ci, verdict


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("", False), ("false", False), ("0", False), ("true", True), ("1", True)],
)
def test_ci_is_recognised_from_the_ci_variable(value, expected):
    environ = {} if value is None else {"CI": value}
    assert running_in_ci(environ) is expected


def test_each_marker_needs_its_own_tools(tmp_path):
    nowhere = tmp_path / "missing"
    present = tmp_path / "present"
    present.write_text("")
    assert missing_tools({"browser"}, chromium=present, vnu_jar=nowhere) == []
    assert missing_tools({"browser"}, chromium=nowhere, vnu_jar=present) == [TOOLS["chromium"]]
    assert TOOLS["vnu"] in missing_tools({"browser", "vnu"}, chromium=present, vnu_jar=nowhere)
    assert missing_tools({"django_db"}, chromium=nowhere, vnu_jar=nowhere) == []


def test_a_missing_tool_skips_on_a_laptop_and_fails_in_ci():
    assert verdict([], ci=True) == ("run", "")
    action, reason = verdict([TOOLS["chromium"]], ci=False)
    assert action == "skip"
    assert "chromium not found" in reason
    assert "apt-get install -y chromium" in reason
    action, reason = verdict([TOOLS["java"], TOOLS["vnu"]], ci=True)
    assert action == "fail"
    assert "CI needs java, vnu" in reason


def run_browser_tests_without_chromium(ci):
    """Run one browser test module in a fresh pytest, pointed at a Chromium that is not there."""
    env = {key: value for key, value in os.environ.items() if key not in {"CI", "DATABASE_URL"}}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/browser/test_patient_journey.py",
            "--chromium=/nonexistent/chromium",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_chromium_a_developer_run_skips_and_says_so():
    result = run_browser_tests_without_chromium(ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "1 browser tests were SKIPPED" in result.stdout
    assert "chromium not found, browser tests skipped (apt-get install -y chromium)" in (
        result.stdout
    )


def test_without_chromium_a_ci_run_fails():
    result = run_browser_tests_without_chromium(ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert "CI needs chromium for the browser tests, and it is missing" in result.stdout
    assert "skipped" not in result.stdout
