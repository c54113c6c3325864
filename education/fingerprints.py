"""Digests of what patients read on a page: its title, summary, body, FAQs and sources.

Two uses: a clinical sign-off belongs to the digest of the text the reviewer signed (the page
shows "Medically reviewed by" only while the digest is unchanged), and load_default_content
tells a default page staff never edited from one they did.
"""

import hashlib
import json


def same_breaks(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def content_fingerprint(*, title, summary, body, faqs, references, glossary_words=()):
    """`glossary_words`: the meanings the page shows beside its words. They are patient-read
    text too, so a changed meaning needs a new sign-off (the default-content check leaves them
    out: staff edit the glossary on its own)."""
    # Line breaks as a browser sends them (CRLF) or as a file holds them (LF) are the same text.
    faqs = [[question, same_breaks(answer)] for question, answer in faqs]
    parts = [title, summary, same_breaks(body).strip(), faqs, [list(r) for r in references]]
    if glossary_words:
        parts.append([[word["term"], word["meaning"]] for word in glossary_words])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def page_fingerprint(page, *, with_glossary=False):
    """The digest of a saved page, with its FAQs and sources as stored."""
    return content_fingerprint(
        title=page.title,
        summary=page.summary,
        body=page.body,
        faqs=[(faq.question, faq.answer.strip()) for faq in page.faqs.all()],
        references=[(ref.citation, ref.url) for ref in page.references.all()],
        glossary_words=page.glossary_words if with_glossary else (),
    )
