"""Markdown to safe HTML for patient pages.

Staff write Markdown; Python-Markdown renders it and nh3 keeps only an allow-list of tags,
attributes and URL schemes. Whatever an editor types, no script, event handler, frame or
javascript: link reaches a patient's browser.
"""

import html as html_lib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
import textstat
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .markup import RULE_ICONS, PatientPageExtension, RenderState

# The three care-card levels of the NHS design system, as Markdown admonitions:
#   !!! info "Title"   !!! contact "Title"   !!! urgent "Title"
CARE_CARD_KINDS = {
    "info": "Information",
    "contact": "Contact the clinic",
    "urgent": "Urgent: get help now",
}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "button", "code", "dd", "div", "dl", "dt", "em", "h2",
    "h3", "h4", "hr", "label", "li", "mark", "ol", "p", "pre", "span", "strong", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
# Attributes beyond the plain-Markdown ones exist only for the markup made in markup.py and
# ScrollableTableProcessor, and _attribute_filter lets through only the values those make.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "div": {"role", "tabindex", "aria-label"},
    "abbr": {"title"},
    "button": {"type", "popovertarget", "popovertargetaction"},
    "label": {"for"},
    "span": {"id", "popover", "role", "aria-label"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "th": {"scope", "align"},
    "td": {"align"},
    "ol": {"start"},
    "ul": {"role"},
}
ALLOWED_CLASSES = {
    "button": {"glossary-term", "glossary-tip__close"},
    "div": {"care-card", "table-scroll", *(f"care-card--{kind}" for kind in CARE_CARD_KINDS)},
    "mark": {"placeholder"},
    "p": {"care-card__title"},
    "span": {
        "visually-hidden",
        "checklist__box",
        "glossary-tip",
        "rule-icon",
        *(f"rule-icon--{name}" for name in RULE_ICONS),
    },
    "sup": {"citation"},
    "ul": {"checklist"},
}
ALLOWED_VALUES = {
    ("div", "role"): re.compile(r"region"),
    ("div", "tabindex"): re.compile(r"0"),
    ("a", "id"): re.compile(r"cite-\d+(-\d+)?"),
    ("button", "type"): re.compile(r"button"),
    ("button", "popovertarget"): re.compile(r"term-[\w-]+"),
    ("button", "popovertargetaction"): re.compile(r"hide"),
    ("ul", "role"): re.compile(r"list"),
    ("label", "for"): re.compile(r"check-\w+"),
    ("span", "id"): re.compile(r"(term|check)-[\w-]+"),
    ("span", "popover"): re.compile(r"auto"),
    ("span", "role"): re.compile(r"img"),
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


class CareCardProcessor(Treeprocessor):
    """Turn admonition blocks into care cards, with the level spelled out for screen readers."""

    def run(self, root):
        for div in root.iter("div"):
            classes = div.get("class", "").split()
            if "admonition" not in classes:
                continue
            kind = next((c for c in classes if c in CARE_CARD_KINDS), "info")
            div.set("class", f"care-card care-card--{kind}")
            title = next((child for child in div if child.get("class") == "admonition-title"), None)
            if title is not None:
                title.set("class", "care-card__title")
                label = etree.Element("span", {"class": "visually-hidden"})
                label.text = f"{CARE_CARD_KINDS[kind]}: "
                label.tail = title.text
                title.text = None
                title.insert(0, label)


class ScrollableTableProcessor(Treeprocessor):
    """Put each table in a box that scrolls sideways when the screen is too narrow for it.

    So that people who use a keyboard can scroll it too, the box takes focus (tabindex 0), and
    as a named region screen readers say what it holds (WCAG 2.1.1; axe's
    scrollable-region-focusable rule).
    """

    def run(self, root):
        placements = [
            (parent, index, child)
            for parent in root.iter()
            for index, child in enumerate(parent)
            if child.tag == "table"
        ]
        for parent, index, table in reversed(placements):
            headers = ["".join(th.itertext()).strip() for th in table.iterfind("thead/tr/th")]
            label = "Table: " + ", ".join(filter(None, headers)) if any(headers) else "Table"
            attributes = {"role": "region", "tabindex": "0", "aria-label": label}
            box = etree.Element("div", {"class": "table-scroll", **attributes})
            box.tail, table.tail = table.tail, None
            parent.remove(table)
            box.append(table)
            parent.insert(index, box)


class CareCardExtension(Extension):
    def extendMarkdown(self, md):
        # After admonition (priority 20 in the block parser), before toc (treeprocessor 5).
        md.treeprocessors.register(TypedHtmlProcessor(md), "typed_html", 19)
        md.treeprocessors.register(CareCardProcessor(md), "care_cards", 10)
        md.treeprocessors.register(ScrollableTableProcessor(md), "scrollable_tables", 9)


@dataclass
class RenderedMarkdown:
    html: str
    text: str
    headings: list[dict] = field(default_factory=list)
    # Source numbers cited with [^n], in order, each once; glossary anchors explained in place.
    citations: list[int] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)


def _markdown(state):
    return markdown.Markdown(
        extensions=[
            "admonition",
            "tables",
            "sane_lists",
            PatientPageExtension(state),
            CareCardExtension(),
            "toc",
        ],
        extension_configs={"toc": {"toc_depth": "2-2", "slugify": _slugify_heading}},
        output_format="html",
    )


# Ids the page template and the markup use: a heading never takes one.
RESERVED_IDS = {"main", "words", "questions", "references", "contents-heading", "related-heading"}
RESERVED_ID_PREFIXES = ("source-", "cite-", "term-", "check-", "word-")


def _slugify_heading(value, separator):
    slug = re.sub(r"[^\w\s-]", "", value).strip().lower()
    slug = re.sub(r"[-\s]+", separator, slug) or "section"
    if slug in RESERVED_IDS or slug.startswith(RESERVED_ID_PREFIXES):
        slug += f"{separator}section"
    return slug


def _attribute_filter(tag, attribute, value):
    """Keep the attributes our own markup sets only with the values it sets."""
    allowed = ALLOWED_VALUES.get((tag, attribute))
    if allowed is not None and not allowed.fullmatch(value):
        return None
    return value


# HTML an editor types into the Markdown gets only the plain allow-list: the attributes, classes
# and elements above exist for the markup markup.py makes, and typed ones could fake it (a
# "tick box", an icon whose spoken words say something else, a duplicate glossary id).
TYPED_TAGS = ALLOWED_TAGS - {"button", "label", "sup"}
TYPED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "align"},
    "td": {"align"},
    "ol": {"start"},
}


def sanitise_typed_html(html):
    return nh3.clean(
        html,
        tags=TYPED_TAGS,
        attributes=TYPED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )


class TypedHtmlProcessor(Treeprocessor):
    """Clean the HTML an editor typed (kept aside by Python-Markdown until the end) with the
    plain allow-list, before the page's own markup is added around it."""

    def run(self, root):
        stash = self.md.htmlStash
        stash.rawHtmlBlocks = [
            sanitise_typed_html(block) if isinstance(block, str) else block
            for block in stash.rawHtmlBlocks
        ]


def sanitise_html(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
    )


def _tick_boxes(html, box_ids):
    """Turn the checklist stand-ins markup.py made into tick boxes (after sanitising)."""
    for box_id in box_ids:
        html = html.replace(
            f'<span class="checklist__box" id="{box_id}"></span>',
            f'<input type="checkbox" class="checklist__box" id="{box_id}">',
            1,
        )
    return html


def html_to_text(html):
    """Plain text of sanitised HTML: for search, word counts and reading grade.

    Without the glossary meanings (read only when asked for) and citation numbers.
    """
    html = re.sub(
        r'<span class="glossary-tip".*?</span>|<sup class="citation">.*?</sup>',
        "",
        html,
        flags=re.S,
    )
    text = nh3.clean(re.sub(r"</(p|li|h\d|td|th|div)>", r"</\1>\n", html), tags=set())
    text = html_lib.unescape(text)
    return re.sub(r"\n\s*\n+", "\n", text).strip()


def render_markdown(source, *, glossary=None, anchors=True):
    """Render staff-written Markdown to sanitised HTML, plain text and the h2 headings.

    `glossary` (markup.Glossary) explains the first use of each of its terms; `anchors=False`
    leaves ids off citations, for text shown beside a page's body (FAQ answers).
    """
    state = RenderState(glossary=glossary, anchors=anchors)
    md = _markdown(state)
    html = _tick_boxes(sanitise_html(md.convert(source or "")), state.box_ids)
    headings = [
        {"id": token["id"], "title": html_lib.unescape(token["name"])} for token in md.toc_tokens
    ]
    return RenderedMarkdown(
        html=html,
        text=html_to_text(html),
        headings=headings,
        citations=list(dict.fromkeys(state.citations)),
        explained=state.explained,
    )


def reading_grade(text):
    """US school grade (Flesch-Kincaid) of plain text; 0 for empty text."""
    if not text.strip():
        return 0.0
    return round(textstat.flesch_kincaid_grade(text), 1)


def word_count(text):
    return textstat.lexicon_count(text) if text.strip() else 0
