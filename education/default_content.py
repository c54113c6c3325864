"""The clinic's default pages, shipped as TOML files in education/default_content/."""

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .fingerprints import content_fingerprint, page_fingerprint  # noqa: F401 - re-exported

CONTENT_DIR = Path(__file__).resolve().parent / "default_content"


@dataclass
class DefaultPage:
    title: str
    slug: str
    topic: str
    order: int
    summary: str
    body: str
    faqs: list[dict]
    references: list[dict]

    def fingerprint(self):
        return content_fingerprint(
            title=self.title,
            summary=self.summary,
            body=self.body,
            faqs=[(f["question"], f["answer"].strip()) for f in self.faqs],
            references=[(r["citation"], r["url"]) for r in self.references],
        )


@dataclass
class DefaultGlossaryTerm:
    term: str
    other_forms: str
    meaning: str

    def fingerprint(self):
        return glossary_fingerprint(self)


def glossary_fingerprint(term):
    """A digest of a glossary term as patients read it, to tell whether staff have changed it."""
    payload = json.dumps([term.term, term.other_forms, term.meaning.strip()])
    return hashlib.sha256(payload.encode()).hexdigest()


def default_glossary(directory=None):
    path = (directory or CONTENT_DIR) / "glossary.toml"
    if not path.exists():
        return []
    with path.open("rb") as file:
        data = tomllib.load(file)
    return [
        DefaultGlossaryTerm(
            term=entry["term"],
            other_forms=", ".join(entry.get("also", [])),
            meaning=" ".join(entry["meaning"].split()),
        )
        for entry in data.get("terms", [])
    ]


def default_pages(directory=None):
    pages = []
    for path in sorted((directory or CONTENT_DIR).glob("[0-9]*.toml")):
        with path.open("rb") as file:
            data = tomllib.load(file)
        pages.append(
            DefaultPage(
                title=data["title"],
                slug=data["slug"],
                topic=data["topic"],
                order=data["order"],
                summary=data["summary"],
                body=data["body"].strip() + "\n",
                faqs=data.get("faqs", []),
                references=data.get("references", []),
            )
        )
    return pages
