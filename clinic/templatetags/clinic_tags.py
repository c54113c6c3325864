from django import template
from django.template.defaultfilters import pluralize

register = template.Library()


@register.filter
def duration_in_words(delta):
    """A time span as people say it: "30 minutes", "1 hour", "1 hour 15 minutes"."""
    minutes = max(1, round(delta.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{pluralize(hours)}")
    if minutes:
        parts.append(f"{minutes} minute{pluralize(minutes)}")
    return " ".join(parts)
