"""Digests of what patients read on a page: its title, summary, body, FAQs and sources.

Two uses: a clinical sign-off belongs to the digest of the text the reviewer signed (the page
shows "Medically reviewed by" only while the digest is unchanged), and load_default_content
tells a default page staff never edited from one they did.
"""

import hashlib
import json


def content_fingerprint(*, title, summary, body, faqs, references):
    payload = json.dumps(
        [title, summary, body.strip(), [list(f) for f in faqs], [list(r) for r in references]]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def page_fingerprint(page):
    """The digest of a saved page, with its FAQs and sources as stored."""
    return content_fingerprint(
        title=page.title,
        summary=page.summary,
        body=page.body,
        faqs=[(faq.question, faq.answer.strip()) for faq in page.faqs.all()],
        references=[(ref.citation, ref.url) for ref in page.references.all()],
    )
