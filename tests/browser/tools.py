"""The programs the browser tests need, and what happens when one is missing.

On a developer's machine a missing program skips the tests that need it, with the reason and
how to install it. In CI (the CI variable set, as .ci/run does) it is a failure: a green CI
must mean the tests ran.
"""

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM = Path("/usr/bin/chromium")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class Tool:
    name: str
    install_hint: str

    def is_missing(self, *, chromium=CHROMIUM, vnu_jar=VNU_JAR):
        if self.name == "chromium":
            return not chromium.is_file()
        if self.name == "java":
            return shutil.which("java") is None
        if self.name == "vnu":
            return not vnu_jar.is_file()
        raise ValueError(self.name)


TOOLS = {
    "chromium": Tool("chromium", "apt-get install -y chromium"),
    "java": Tool("java", "apt-get install -y default-jre-headless"),
    "vnu": Tool("vnu", "npm install (puts vnu-jar in node_modules/)"),
}
# Which programs each marker needs.
NEEDS = {"browser": ["chromium"], "vnu": ["java", "vnu"]}


def running_in_ci(environ=os.environ):
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_tools(markers, **paths):
    """The tools, among those the given markers need, that this machine lacks."""
    needed = [name for marker in markers for name in NEEDS.get(marker, [])]
    return [TOOLS[name] for name in dict.fromkeys(needed) if TOOLS[name].is_missing(**paths)]


def verdict(missing, *, ci):
    """("run", "") when nothing is missing; otherwise ("fail" in CI, else "skip", reason)."""
    if not missing:
        return "run", ""
    names = ", ".join(tool.name for tool in missing)
    hints = "; ".join(tool.install_hint for tool in missing)
    if ci:
        return "fail", f"CI needs {names} for the browser tests, and it is missing ({hints})."
    return "skip", f"{names} not found, browser tests skipped ({hints})."
