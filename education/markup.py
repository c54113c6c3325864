"""The patient-page additions to Markdown: citations, checklists, rule icons, placeholders and
glossary terms (docs/writing-pages.md is the editors' guide to them).

Each runs inside Python-Markdown, before the HTML is sanitised; rendering.py's allow-list lets
through exactly the markup made here, and nothing an editor could use to run script.
"""

import hashlib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

# The key rules after an infusion, each with a small self-hosted icon (static/img/icons/).
RULE_ICONS = {
    "no-driving": "No driving",
    "no-alcohol": "No alcohol",
    "adult-home": "An adult takes you home",
}
PLACEHOLDER = re.compile(r"\[\[\s*(Fill in:[^\]]*?)\s*\]\]", re.IGNORECASE)
CITATION = re.compile(r"\[\^(\d{1,3})\]")
# Text inside these is never turned into a glossary button: links and buttons cannot hold one,
# headings and labels read badly with one, and code is code.
BLOCK_TAGS = {"blockquote", "div", "ol", "p", "pre", "table", "ul"}
NO_GLOSSARY_INSIDE = {
    "a", "abbr", "button", "code", "h1", "h2", "h3", "h4", "label", "mark", "pre", "sup",
}  # fmt: skip


def placeholders(text):
    """The "[[Fill in: ...]]" notes left in a text, in order."""
    return [match.group(1) for match in PLACEHOLDER.finditer(text or "")]


def cited_numbers(text):
    """The source numbers a text cites with [^n], in order, each once."""
    return list(dict.fromkeys(int(n) for n in CITATION.findall(text or "")))


class CitationProcessor(InlineProcessor):
    """[^2] -> a small linked number that jumps to source 2; the source links back to the first."""

    def __init__(self, pattern, md, state):
        super().__init__(pattern, md)
        self.state = state

    def handleMatch(self, m, data):
        number = int(m.group(1))
        seen = self.state.citations.count(number)
        self.state.citations.append(number)
        sup = etree.Element("sup", {"class": "citation"})
        link = etree.SubElement(sup, "a", {"href": f"#source-{number}"})
        if self.state.anchors:
            link.set("id", f"cite-{number}" if not seen else f"cite-{number}-{seen + 1}")
        hidden = etree.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = "source "
        hidden.tail = str(number)
        return sup, m.start(0), m.end(0)


class RuleIconProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        name = m.group(1)
        icon = etree.Element(
            "span",
            {
                "class": f"rule-icon rule-icon--{name}",
                "role": "img",
                "aria-label": RULE_ICONS[name],
            },
        )
        return icon, m.start(0), m.end(0)


class PlaceholderProcessor(InlineProcessor):
    def handleMatch(self, m, data):
        mark = etree.Element("mark", {"class": "placeholder"})
        mark.text = m.group(1)
        return mark, m.start(0), m.end(0)


class ChecklistProcessor(Treeprocessor):
    """A bulleted list whose items all start with "[ ]" becomes a list of tick boxes.

    Each box's id comes from its own words, so a tick kept in the browser stays with its line
    when staff add or reorder lines.
    """

    BOX = re.compile(r"^\s*\[ \]\s*")

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state
        # FAQ answers sit on the page beside the body: their boxes get ids of their own.
        self.id_prefix = "check-" if state.anchors else "check-faq-"

    def run(self, root):
        used = set()
        for ul in root.iter("ul"):
            items = [li for li in ul if li.tag == "li"]
            holders = [self._text_holder(li) for li in items]
            if not items or not all(
                holder is not None and self.BOX.match(holder.text or "") for holder in holders
            ):
                continue
            ul.set("class", "checklist")
            ul.set("role", "list")  # list-style: none makes Safari drop the list's role
            for li, holder in zip(items, holders, strict=True):
                holder.text = self.BOX.sub("", holder.text)
                self._make_box(li, holder, used)

    @staticmethod
    def _text_holder(li):
        # A tight list keeps the text in the <li>, a loose one in a <p> inside it.
        if (li.text or "").strip() or not len(li):
            return li
        return li[0] if li[0].tag == "p" else None

    def _make_box(self, li, holder, used):
        # The label holds the line's own words; a list nested under the line stays outside it.
        inline = []
        for child in holder:
            if child.tag in BLOCK_TAGS:
                break
            inline.append(child)
        words = (holder.text or "") + "".join(
            "".join(child.itertext()) + (child.tail or "") for child in inline
        )
        box_id = self.id_prefix + hashlib.sha256(words.strip().encode()).hexdigest()[:8]
        while box_id in used:
            box_id += "x"
        used.add(box_id)
        self.state.box_ids.append(box_id)
        label = etree.Element("label", {"for": box_id})
        label.text, holder.text = holder.text, None
        for child in inline:
            holder.remove(child)
            label.append(child)
        # A stand-in the sanitiser lets through; rendering.py makes the ids recorded here (and
        # only those) tick boxes afterwards, so no <input> an editor types reaches a page.
        box = etree.Element("span", {"class": "checklist__box", "id": box_id})
        box.tail = ""
        holder.insert(0, box)
        holder.insert(1, label)
        if holder is not li:  # loose list: drop the <p>, keep the box and label in the <li>
            li.remove(holder)
            li.insert(0, box)
            li.insert(1, label)
            label.tail = holder.tail


class HeadingCitationProcessor(Treeprocessor):
    """A citation belongs after a claim, not in a heading, where it would end up in the
    heading's anchor and in the page's contents list: take it out (the source stays listed)."""

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        for heading in root.iter():
            if heading.tag not in {"h1", "h2", "h3", "h4", "h5", "h6"}:
                continue
            for sup in [child for child in heading if child.get("class") == "citation"]:
                previous = _previous_sibling(heading, sup)
                if previous is None:
                    heading.text = (heading.text or "") + (sup.tail or "")
                else:
                    previous.tail = (previous.tail or "") + (sup.tail or "")
                heading.remove(sup)
                self.state.citations.remove(int(sup[0].get("href").rsplit("-", 1)[1]))


def _previous_sibling(parent, child):
    children = list(parent)
    index = children.index(child)
    return children[index - 1] if index else None


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    meaning: str
    anchor: str
    forms: tuple[str, ...]


def _form_pattern(form):
    """A term's words, with any run of spaces or a line break between them."""
    return r"\s+".join(re.escape(word) for word in form.split())


class Glossary:
    """The glossary as one pattern that finds any form of any term, longest form first."""

    def __init__(self, entries, url=""):
        self.entries = list(entries)
        self.url = url
        self._by_form = {}
        exact, folded = [], []
        for entry in self.entries:
            for form in entry.forms:
                # Abbreviations (FDA, IV) match only in capitals: "iv" is not a word, but
                # lower-case forms match any case ("Dissociation" at a sentence start).
                is_abbreviation = form.upper() == form and any(c.isalpha() for c in form)
                (exact if is_abbreviation else folded).append(form)
                self._by_form[form if is_abbreviation else form.lower()] = entry
        alternatives = [
            *(_form_pattern(form) for form in exact),
            *(f"(?i:{_form_pattern(form)})" for form in folded),
        ]
        alternatives.sort(key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-])")
            if alternatives
            else None
        )

    def entry_for(self, found):
        found = " ".join(found.split())
        return self._by_form.get(found) or self._by_form.get(found.lower())

    def entries_used(self, text):
        """The entries whose terms a text uses, in the order of first use."""
        if self.pattern is None:
            return []
        found = (self.entry_for(match.group(0)) for match in self.pattern.finditer(text))
        return list(dict.fromkeys(entry for entry in found if entry is not None))


class GlossaryProcessor(Treeprocessor):
    """The first use of each glossary term becomes a button that shows its meaning in place.

    The meaning is a popover (the HTML popover attribute: no script, opens by click, tap or
    Enter, closes with Escape), and it sits right after the button, so a screen reader reads it
    next once opened. Print and older browsers have the page's "Words on this page" list.
    """

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        if self.state.glossary is None or self.state.glossary.pattern is None:
            return
        self._walk(root)

    def _walk(self, element):
        # Care-card titles are turned into care cards later: at this point they are admonitions.
        if element.tag in NO_GLOSSARY_INSIDE or element.get("class") in {
            "admonition-title",
            "glossary-tip",  # a meaning made here: its words are not explained again inside it
        }:
            return
        if element.text:
            leading, made = self._mark(element.text)
            if made:
                element.text = leading
                for offset, new in enumerate(made):
                    element.insert(offset, new)
        for child in list(element):
            self._walk(child)
            if child.tail:
                leading, made = self._mark(child.tail)
                if made:
                    child.tail = leading
                    at = list(element).index(child) + 1
                    for offset, new in enumerate(made):
                        element.insert(at + offset, new)

    def _mark(self, text):
        """Split text at the first use of each term not yet explained on this page."""
        made, leading, last = [], None, 0
        for match in self.state.glossary.pattern.finditer(text):
            entry = self.state.glossary.entry_for(match.group(0))
            if entry is None or entry.anchor in self.state.explained:
                continue
            self.state.explained.append(entry.anchor)
            before = text[last : match.start()]
            if made:
                made[-1].tail = before
            else:
                leading = before
            made.extend(self._term(match.group(0), entry))
            last = match.end()
        if made:
            made[-1].tail = text[last:]
        return leading, made

    def _term(self, words, entry):
        tip_id = f"term-{entry.anchor}"
        button = etree.Element(
            "button",
            {"type": "button", "class": "glossary-term", "popovertarget": tip_id},
        )
        button.text = words
        tip = etree.Element("span", {"class": "glossary-tip", "id": tip_id, "popover": "auto"})
        name = etree.SubElement(tip, "strong")
        name.text = entry.term[:1].upper() + entry.term[1:]
        name.tail = f": {entry.meaning} "
        if self.state.glossary.url:
            more = etree.SubElement(
                tip, "a", {"href": f"{self.state.glossary.url}#word-{entry.anchor}"}
            )
            more.text = "All words explained"
        close = etree.SubElement(
            tip,
            "button",
            {
                "type": "button",
                "class": "glossary-tip__close",
                "popovertarget": tip_id,
                "popovertargetaction": "hide",
            },
        )
        close.text = "Close"
        return [button, tip]


@dataclass
class RenderState:
    """What one render found: the sources cited and the glossary terms explained, in order."""

    glossary: Glossary | None = None
    anchors: bool = True
    citations: list = field(default_factory=list)
    explained: list = field(default_factory=list)
    box_ids: list = field(default_factory=list)


class PatientPageExtension(Extension):
    def __init__(self, state, **kwargs):
        self.state = state
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # Above the link patterns (160-170), which would otherwise read "[^1]" and "[[...]]".
        md.inlinePatterns.register(
            CitationProcessor(CITATION.pattern, md, self.state), "citation", 180
        )
        md.inlinePatterns.register(
            PlaceholderProcessor(PLACEHOLDER.pattern, md), "placeholder", 181
        )
        icons = "|".join(map(re.escape, RULE_ICONS))
        md.inlinePatterns.register(RuleIconProcessor(rf":({icons}):", md), "rule_icon", 182)
        # After the inline patterns (treeprocessor "inline", 20), before care cards (10) and
        # the table of contents (5).
        md.treeprocessors.register(ChecklistProcessor(md, self.state), "checklists", 15)
        md.treeprocessors.register(GlossaryProcessor(md, self.state), "glossary", 14)
        md.treeprocessors.register(HeadingCitationProcessor(md, self.state), "heading_cites", 13)
