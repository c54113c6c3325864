"""Accessibility of every public page (tests/browser/pages.py), in a real browser.

- axe-core finds no WCAG 2.2 A/AA violation, at phone width (375 px) and desktop width
  (1280 px). A screenshot of each page at each width goes to test-artifacts/screenshots/.
- Reflow (WCAG 1.4.10): at 320 px nothing scrolls sideways.
- Text spacing (WCAG 1.4.12): with the standard text-spacing styles, no text is cut off and
  nothing scrolls sideways.
- Zoom to 200% (WCAG 1.4.4): a 1280 px window at 200% lays out 640 CSS pixels; no text is cut
  off and nothing scrolls sideways.

Each test visits every page and reports every problem it found, not just the first.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import public_pages
from .tools import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": {"width": 375, "height": 740}, "desktop": {"width": 1280, "height": 800}}
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# The text-spacing bookmarklet WCAG's understanding document for 1.4.12 points to.
TEXT_SPACING_CSS = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""
# A <style> tag (page.add_style_tag) would be an inline style, which the site's CSP blocks (and
# the test would fail on the violation). A constructed stylesheet is CSSOM, which CSP allows.
APPLY_STYLES = """(css) => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}"""

# What hides content: the page scrolling sideways, or a box that clips its text (overflow
# hidden or clip with more content than room). Text hidden for everyone but screen readers
# (1 x 1 px boxes) is meant to be clipped.
FIND_HIDDEN_CONTENT = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    const offenders = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
      .slice(0, 5)
      .map((el) => el.outerHTML.slice(0, 120));
    problems.push(`the page scrolls sideways (${root.scrollWidth}px wide in a ` +
                  `${root.clientWidth}px window): ${offenders.join(" | ")}`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const text = (el.innerText || "").trim();
    if (!text) continue;
    if (el.clientWidth <= 1 && el.clientHeight <= 1) continue;
    const clipsX = ["hidden", "clip"].includes(style.overflowX);
    const clipsY = ["hidden", "clip"].includes(style.overflowY);
    if ((clipsX && el.scrollWidth > el.clientWidth + 1) ||
        (clipsY && el.scrollHeight > el.clientHeight + 1)) {
      problems.push(`<${el.tagName.toLowerCase()} class="${el.className}"> cuts off its ` +
                    `text (${el.scrollWidth}x${el.scrollHeight} in ` +
                    `${el.clientWidth}x${el.clientHeight}): "${text.slice(0, 60)}"`);
    }
  }
  return problems;
}"""


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
# On admin pages, axe's preload copies stylesheets with @import (Django's forms.css imports
# widgets.css) into <style> elements, which the admin's CSP blocks: the test would fail on axe's
# own styles. The rules that need preload are not run here anyway: css-orientation-lock is
# experimental (axe leaves those out by default) and the admin has no audio (no-autoplay-audio).
ADMIN_AXE_OPTIONS = {**AXE_OPTIONS, "preload": False}


def open_public_page(page, site, public_page, browser_problems):
    response = public_page.open(page, site)
    assert response.status == public_page.status, f"{public_page.name}: {response.status}"
    browser_problems.assert_none(page, public_page.name)


def test_axe_finds_no_wcag_violation_at_phone_and_desktop_width(
    new_context, site, browser_problems
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    failures = []
    audited = 0
    for width_name, viewport in WIDTHS.items():
        page = new_context(viewport=viewport).new_page()
        for public_page in public_pages(site):
            open_public_page(page, site, public_page, browser_problems)
            page.screenshot(
                path=SCREENSHOTS / f"{public_page.name}-{viewport['width']}px.png", full_page=True
            )
            # Open every FAQ, so the answers are checked too (axe skips hidden content).
            page.evaluate(
                "() => document.querySelectorAll('details').forEach((d) => d.open = true)"
            )
            results = axe.run(page, options=AXE_OPTIONS)
            audited += 1
            if results.violations_count:
                failures.append(
                    f"{public_page.name} at {width_name} width: {results.generate_report()}"
                )
    assert not failures, "\n\n".join(failures)
    assert audited >= 2 * 20  # 16 sitemap pages + 3 fixed pages + the lockout page, two widths


def test_nothing_scrolls_sideways_at_320px(new_context, site, browser_problems):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    failures = []
    for public_page in public_pages(site):
        open_public_page(page, site, public_page, browser_problems)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            failures.append(f"{public_page.name}: {page.evaluate(FIND_HIDDEN_CONTENT)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("width_name", WIDTHS)
def test_text_spacing_hides_no_content(new_context, site, browser_problems, width_name):
    page = new_context(viewport=WIDTHS[width_name]).new_page()
    failures = []
    for public_page in public_pages(site):
        open_public_page(page, site, public_page, browser_problems)
        before = page.evaluate("() => getComputedStyle(document.body).letterSpacing")
        page.evaluate(APPLY_STYLES, TEXT_SPACING_CSS)
        after = page.evaluate("() => getComputedStyle(document.body).letterSpacing")
        assert before != after, "the text-spacing styles did not apply"
        problems = page.evaluate(FIND_HIDDEN_CONTENT)
        failures += [f"{public_page.name}: {problem}" for problem in problems]
        browser_problems.assert_none(page, public_page.name)
    assert not failures, "\n".join(failures)


def test_zoom_to_200_percent_hides_no_content(new_context, site, browser_problems):
    # A 1280 x 800 window zoomed to 200%: 640 x 400 CSS pixels, each drawn as 2 x 2 pixels.
    page = new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2).new_page()
    failures = []
    for public_page in public_pages(site):
        open_public_page(page, site, public_page, browser_problems)
        problems = page.evaluate(FIND_HIDDEN_CONTENT)
        failures += [f"{public_page.name}: {problem}" for problem in problems]
    assert not failures, "\n".join(failures)


def test_the_checks_find_the_problems_they_look_for(page, site):
    """Break a page on purpose: every check above must notice, or its silence means nothing."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + "/")
    assert page.evaluate(FIND_HIDDEN_CONTENT) == []
    # Styles set through the DOM (CSSOM), which the CSP allows, unlike style attributes.
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          const wide = document.createElement("div");
          wide.style.width = "900px";
          wide.textContent = "A box wider than a phone";
          const short = document.createElement("p");
          short.style.height = "1.5em";
          short.style.overflow = "hidden";
          short.textContent = "Text that needs many lines to show. ".repeat(10);
          const image = document.createElement("img");
          image.src = "/static/img/favicon.svg";
          main.append(wide, short, image);
        }"""
    )
    problems = "\n".join(page.evaluate(FIND_HIDDEN_CONTENT))
    assert "the page scrolls sideways" in problems
    assert '<p class=""> cuts off its text' in problems
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    assert "image-alt" in {violation["id"] for violation in violations}
