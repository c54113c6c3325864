import difflib
import json

from django import template
from django.db.models import OuterRef, Subquery
from django.utils.html import _json_script_escapes, format_html, format_html_join
from django.utils.safestring import mark_safe

from ..models import EducationPage, ReviewComment

register = template.Library()


@register.filter
def json_ld(data):
    """Serialise JSON-LD for a <script type="application/ld+json"> block, safely escaped."""
    text = json.dumps(data, ensure_ascii=False).translate(_json_script_escapes)
    return mark_safe(text)  # noqa: S308 - <, > and & are escaped just above


@register.simple_tag
def pages_needing_review(limit=20):
    """For the admin home: pages never reviewed, overdue, or due within 30 days."""
    pages = EducationPage.objects.review_due().select_related("topic")
    return list(pages.order_by("next_review_due", "title")[:limit])


@register.simple_tag
def pages_waiting_for_review(limit=20):
    """For the admin home of clinical reviewers: pages submitted and not yet published."""
    pages = EducationPage.objects.filter(status=EducationPage.Status.IN_REVIEW)
    return list(pages.only("title", "updated_at", "draft_of").order_by("updated_at")[:limit])


@register.simple_tag
def my_unpublished_pages(user, limit=20):
    """For the admin home: the pages this person started that patients cannot see yet, each
    with the kind of its latest review comment (changes requested, say), in one query."""
    latest_comment = ReviewComment.objects.filter(page=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    pages = (
        EducationPage.objects.filter(author=user)
        .exclude(status=EducationPage.Status.PUBLISHED)
        .annotate(latest_comment_kind=Subquery(latest_comment.values("kind")[:1]))
    )
    return list(
        pages.only("title", "status", "updated_at", "draft_of").order_by("-updated_at")[:limit]
    )


@register.simple_tag
def text_diff(old, new):
    """A line-by-line diff of two versions of a field, for the page history in the admin."""
    old_lines = str(old or "").splitlines()
    new_lines = str(new or "").splitlines()
    rows = []
    for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=1):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            rows.append(("diff-gap", "..."))
        elif line.startswith("-"):
            rows.append(("diff-removed", f"- {line[1:]}"))
        elif line.startswith("+"):
            rows.append(("diff-added", f"+ {line[1:]}"))
        else:
            rows.append(("diff-same", f"  {line[1:]}"))
    return format_html(
        '<pre class="text-diff">{}</pre>',
        format_html_join("\n", '<span class="{}">{}</span>', rows),
    )


@register.simple_tag
def record_changes(record):
    """What changed in this version of a page, against the version before it, in full."""
    previous = record.prev_record
    if previous is None:
        return ""
    model_fields = record.instance_type._meta
    changes = [
        (model_fields.get_field(change.field).verbose_name, text_diff(change.old, change.new))
        for change in record.diff_against(previous).changes
    ]
    return format_html(
        '<ul class="history-changes">{}</ul>',
        format_html_join("", "<li><strong>{}:</strong> {}</li>", changes),
    )
