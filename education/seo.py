"""schema.org JSON-LD for pages: what search engines read about a page and its review."""


def breadcrumb_list(crumbs):
    """crumbs: [(name, absolute_url), ...] from the home page down to this page."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def medical_web_page(*, page, url, crumbs, publisher_name):
    data = {
        "@type": "MedicalWebPage",
        "name": page.title,
        "description": page.summary,
        "url": url,
        "inLanguage": "en-US",
        "dateModified": page.updated_at.isoformat(),
        "publisher": {"@type": "MedicalOrganization", "name": publisher_name},
        "breadcrumb": breadcrumb_list(crumbs),
    }
    if page.is_clinically_reviewed:
        data["lastReviewed"] = page.last_reviewed_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": page.reviewer_name,
            "jobTitle": page.reviewer_credentials,
        }
    return data


def faq_page(faqs):
    return {
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": faq.question,
                "acceptedAnswer": {"@type": "Answer", "text": faq.answer_text},
            }
            for faq in faqs
        ],
    }


def json_ld_graph(*items):
    return {"@context": "https://schema.org", "@graph": [item for item in items if item]}
