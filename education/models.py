import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from simple_history.models import HistoricalRecords

from .fingerprints import content_fingerprint, page_fingerprint
from .markup import Glossary, GlossaryEntry, cited_numbers, placeholders
from .rendering import reading_grade, render_markdown, word_count

READING_GRADE_TARGET = 8.0
REVIEW_DUE_SOON_DAYS = 30
REVIEW_INTERVAL_DAYS = 365


RELATED_PAGES = 5


class TopicQuerySet(models.QuerySet):
    def journey(self):
        """The topics in journey order, each with its published pages as `published_pages`
        (two queries)."""
        pages = EducationPage.objects.published().only(
            "title", "slug", "summary", "topic_id", "order", "status"
        )
        return self.prefetch_related(
            Prefetch("pages", queryset=pages.order_by("order", "title"), to_attr="published_pages")
        )


class Topic(models.Model):
    """A step of the patient journey (About the treatment, Before your visit, ...)."""

    title = models.CharField(max_length=80)
    slug = models.SlugField(unique=True)
    summary = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("education:topic", args=[self.slug])


def search_document():
    """Title weighs most, then the summary, then the body (PostgreSQL full-text search)."""
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body_text", weight="C", config="english")
    )


def update_search_vectors(pages):
    """Store the search document of these pages (a no-op on databases without full-text)."""
    if connection.vendor == "postgresql":
        pages.update(search_vector=search_document())


class EducationPageQuerySet(models.QuerySet):
    def published(self):
        """The pages patients may see. Every public listing starts here."""
        return self.filter(status=EducationPage.Status.PUBLISHED)

    def review_due(self, *, within_days=REVIEW_DUE_SOON_DAYS, today=None):
        """Pages whose clinical review is overdue, due soon, never given, or given on text
        that has changed since."""
        today = today or timezone.localdate()
        return self.filter(
            Q(next_review_due__lte=today + datetime.timedelta(days=within_days))
            | Q(last_reviewed_on__isnull=True)
            | ~Q(reviewed_content_fingerprint=F("content_fingerprint"))
        )

    def for_display(self):
        return self.select_related("topic")

    def without_working_copies(self):
        """Pages in their own right: not the copies that hold draft changes of a live page
        (a copy has the live page's title, and is deleted when its changes are published)."""
        return self.filter(draft_of__isnull=True)

    def related_to(self, page, limit=RELATED_PAGES):
        """Pages chosen by staff, and the rest of the same topic: the first `limit` (one query).

        On PostgreSQL, a UNION of two small queries, each read in order from an index and
        stopped at `limit` rows. The single query with `chosen OR same topic` (kept for SQLite,
        which cannot LIMIT inside a UNION) scanned every page: 5-37 ms with 10,000 pages,
        against under 1 ms.
        """
        pages = (
            self.exclude(pk=page.pk)
            .only("title", "slug", "summary", "status", "order")
            .order_by("order", "title")
        )
        chosen = Q(pk__in=page.related_pages.values("pk"))
        same_topic = Q(topic_id=page.topic_id)
        if not connection.features.supports_slicing_ordering_in_compound:
            return pages.filter(chosen | same_topic)[:limit]
        return (
            pages.filter(chosen)[:limit]
            .union(pages.filter(same_topic)[:limit])
            .order_by("order", "title")[:limit]
        )

    def next_in_journey(self, page):
        """The page that follows `page` in the patient journey (one query).

        The journey's order is topic order, then page order and title; the topic's and the
        page's ids break ties, so every page is reached once, even when two share an order.
        """
        keys = [
            ("topic__order", page.topic.order),
            ("topic_id", page.topic_id),
            ("order", page.order),
            ("title", page.title),
            ("pk", page.pk),
        ]
        after = Q()
        for index, (field_name, value) in enumerate(keys):
            same_so_far = dict(keys[:index])
            after |= Q(**same_so_far, **{f"{field_name}__gt": value})
        return (
            self.filter(after).order_by(*(name for name, _ in keys)).only("title", "slug").first()
        )

    def for_reading(self):
        """A page as patients read it, without the columns only staff and search use: the
        Markdown source, its plain text and the search document are the largest in the row."""
        return self.for_display().defer(
            "body", "body_text", "search_vector", "default_content_fingerprint"
        )


class GlossaryTermQuerySet(models.QuerySet):
    def as_glossary(self):
        """The glossary the page renderer uses (one query)."""
        return Glossary((term.entry() for term in self.order_by("term")), url=reverse("glossary"))


class GlossaryTerm(models.Model):
    """A word patients may not know, with its plain meaning, explained where pages use it."""

    term = models.CharField(
        max_length=80,
        unique=True,
        help_text="As it is written in pages: lower case, or capitals for an abbreviation (IV).",
    )
    other_forms = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other forms used in pages, separated by commas: dissociative, dissociated.",
    )
    meaning = models.TextField(
        max_length=400, help_text="One or two plain sentences, as you would say it to a patient."
    )
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The term's address on the glossary page."
    )
    # What load_default_content wrote, to tell later whether staff have edited the term.
    default_content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["default_content_fingerprint"])

    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def clean(self):
        # Typed in a box that keeps line breaks: one line of text on a page.
        self.meaning = " ".join(self.meaning.split())
        self.term = " ".join(self.term.split())
        taken = {
            form.lower(): other
            for other in GlossaryTerm.objects.exclude(pk=self.pk).only("term", "other_forms")
            for form in other.forms
        }
        clashes = [
            f"{form} ({taken[form.lower()]})" for form in self.forms if form.lower() in taken
        ]
        if clashes:
            raise ValidationError(
                "Another term already explains these words: " + ", ".join(clashes) + "."
            )

    @property
    def forms(self):
        others = [form.strip() for form in self.other_forms.split(",")]
        return (self.term, *filter(None, others))

    def entry(self):
        return GlossaryEntry(
            term=self.term, meaning=self.meaning, anchor=self.slug, forms=self.forms
        )


class EducationPage(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="pages")
    summary = models.CharField(
        max_length=300, help_text="Two plain sentences. Also used as the search-engine summary."
    )
    body = models.TextField(
        help_text=(
            "Markdown. ## for a section heading (listed in the page's contents). "
            'Care cards: a line !!! info "Title", !!! contact "Title" or !!! urgent "Title", '
            "then the card's text indented by four spaces."
        )
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Order within the topic.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    related_pages = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="related_from",
        help_text="Shown under the page, with the other pages of the same topic.",
    )

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_pages",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewed_pages",
        editable=False,
    )
    # Copied at review time, so the page keeps saying who signed it off even if the
    # reviewer's profile changes later.
    reviewer_name = models.CharField(max_length=120, blank=True, editable=False)
    reviewer_credentials = models.CharField(max_length=120, blank=True, editable=False)
    last_reviewed_on = models.DateField(null=True, blank=True, editable=False)
    next_review_due = models.DateField(null=True, blank=True)
    # A sign-off belongs to the text it was given on: the digest of what patients read (title,
    # summary, body, FAQs, sources) now, and when the reviewer signed. Patients see the
    # reviewer's name only while the two are the same (education/fingerprints.py).
    content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    reviewed_content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The revision the reviewer signed: the exact text, kept for good, to read or compare.
    reviewed_revision = models.ForeignKey(
        "PageRevision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # Derived from the Markdown on save: rendered once, not on every view.
    body_html = models.TextField(editable=False, default="")
    body_text = models.TextField(editable=False, default="")
    headings = models.JSONField(editable=False, default=list)
    # The source numbers the body cites ([^n]), and the glossary words the page explains
    # (term, meaning, anchor), so the page shows both without another query.
    citations = models.JSONField(editable=False, default=list)
    glossary_words = models.JSONField(editable=False, default=list)
    reading_grade = models.FloatField(editable=False, default=0)
    word_count = models.PositiveIntegerField(editable=False, default=0)
    # PostgreSQL only (empty elsewhere): the weighted full-text document search reads through a
    # GIN index, instead of building it for every page on every query.
    search_vector = SearchVectorField(null=True, editable=False)
    # What load_default_content wrote, to tell later whether staff have edited the page.
    default_content_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set on a working copy of a live page: patients keep reading the live page until a
    # reviewer publishes the copy's changes into it (services.page_publish_changes).
    draft_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        # A live page with draft changes open cannot be deleted under them.
        on_delete=models.PROTECT,
        related_name="draft_changes",
        editable=False,
    )
    # The live page's digest when the copy began: publishing refuses if the live page
    # changed since, so no newer live edit is silently overwritten.
    draft_base_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "body_html",
            "body_text",
            "headings",
            "citations",
            "glossary_words",
            "default_content_fingerprint",
            "content_fingerprint",
            "search_vector",
        ]
    )

    objects = EducationPageQuerySet.as_manager()

    class Meta:
        ordering = ["topic__order", "order", "title"]
        permissions = [
            ("publish_educationpage", "Can publish and unpublish education pages"),
            ("review_educationpage", "Can mark education pages as clinically reviewed"),
        ]
        indexes = [
            # A topic's published pages in order (topic pages, related pages, the journey):
            # read from the index and stopped at the first few, not sorted.
            models.Index(fields=["status", "topic", "order", "title"], name="page_topic_order"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Browsers send a text box's line breaks as CRLF: the same text, so the same digest.
        self.body = normalise_line_breaks(self.body)
        self.render()
        super().save(*args, **kwargs)
        update_search_vectors(EducationPage.objects.filter(pk=self.pk))

    def get_absolute_url(self):
        return reverse("education:page", args=[self.slug])

    def clean(self):
        if self.status == self.Status.PUBLISHED:
            left = placeholders(f"{self.title}\n{self.summary}\n{self.body}")
            if left:
                raise ValidationError(unfilled_message(left))

    def render(self, glossary=None):
        glossary = glossary or GlossaryTerm.objects.as_glossary()
        rendered = render_markdown(self.body, glossary=glossary)
        self.body_html = rendered.html
        self.body_text = rendered.text
        self.headings = rendered.headings
        self.citations = rendered.citations
        self.refresh_reading_stats(glossary)

    def refresh_reading_stats(self, glossary=None):
        """What depends on the body and the FAQs together (the FAQs are saved after the page):
        the reading grade and word count, and the glossary words the page explains."""
        faq_texts = []
        if self.pk:
            faq_texts = [f"{faq.question}\n{faq.answer_text}" for faq in self.faqs.all()]
        text = "\n".join([self.body_text, *faq_texts])
        self.reading_grade = reading_grade(text)
        self.word_count = word_count(text)
        glossary = glossary or GlossaryTerm.objects.as_glossary()
        self.glossary_words = words_explained(glossary, text)
        self.content_fingerprint = (
            page_fingerprint(self, with_glossary=True)
            if self.pk
            else content_fingerprint(
                title=self.title,
                summary=self.summary,
                body=self.body,
                faqs=[],
                references=[],
                glossary_words=self.glossary_words,
            )
        )

    def source_problems(self):
        """What is wrong between the page's [^n] citations and its list of sources, in words."""
        cited = set(self.citations) | {
            number for faq in self.faqs.all() for number in cited_numbers(faq.answer)
        }
        count = self.references.count()
        problems = [
            f"[^{n}] has no source {n} in the list." for n in sorted(cited) if not 1 <= n <= count
        ]
        problems += [
            f"Source {n} is never cited: add [^{n}] after the claim it supports, or remove it."
            for n in range(1, count + 1)
            if n not in cited
        ]
        return problems

    @property
    def safe_body_html(self):
        # Sanitised by nh3 in render(), every time the Markdown is saved.
        return mark_safe(self.body_html)  # noqa: S308

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_reading_grade_too_high(self):
        return self.reading_grade > READING_GRADE_TARGET

    @property
    def is_review_overdue(self):
        return self.next_review_due is not None and self.next_review_due < timezone.localdate()

    @property
    def is_clinically_reviewed(self):
        """Signed off, on the text patients read now."""
        return bool(
            self.last_reviewed_on
            and self.reviewer_name
            and self.reviewed_content_fingerprint
            and self.reviewed_content_fingerprint == self.content_fingerprint
        )

    @property
    def is_changed_since_review(self):
        return bool(self.last_reviewed_on) and not self.is_clinically_reviewed


def normalise_line_breaks(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def unfilled_message(left):
    return (
        "Fill in the placeholders before publishing: "
        + "; ".join(f"[[{note}]]" for note in left)
        + "."
    )


def words_explained(glossary, text):
    """The glossary words a page's text uses, in the order it first uses them."""
    return [
        {"term": entry.term, "meaning": entry.meaning, "anchor": entry.anchor}
        for entry in glossary.entries_used(text)
    ]


class FAQ(models.Model):
    page = models.ForeignKey(EducationPage, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=200)
    answer = models.TextField(help_text="Markdown.")
    answer_html = models.TextField(editable=False, default="")
    answer_text = models.TextField(editable=False, default="")
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["answer_html", "answer_text"])

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        self.answer = normalise_line_breaks(self.answer)
        rendered = render_markdown(self.answer, anchors=False)
        self.answer_html = rendered.html
        self.answer_text = rendered.text
        super().save(*args, **kwargs)

    @property
    def safe_answer_html(self):
        # Sanitised by nh3 in save().
        return mark_safe(self.answer_html)  # noqa: S308


class Reference(models.Model):
    page = models.ForeignKey(EducationPage, on_delete=models.CASCADE, related_name="references")
    citation = models.CharField(
        max_length=400, help_text="Authors. Title. Journal. Year;Volume(Issue):pages."
    )
    url = models.URLField(
        max_length=400, help_text="A DOI link (https://doi.org/...) or the source's address."
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.citation


class PageRevision(models.Model):
    """What patients read on a page at one moment, whole: title, summary, topic, body, FAQs and
    sources together, so any two moments can be compared as a unit (the per-table history of
    django-simple-history cannot show an FAQ change as a change to the page)."""

    page = models.ForeignKey(EducationPage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    # {"title", "summary", "topic", "body", "faqs": [{"question", "answer"}],
    #  "references": [{"citation", "url"}]}
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["page", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="one_revision_number_a_page")
        ]

    def __str__(self):
        return f"Revision {self.number} of {self.page}"


class ReviewComment(models.Model):
    """What a reviewer asked for and what the editor answered, kept with the page for good."""

    class Kind(models.TextChoices):
        CHANGES_REQUESTED = "changes_requested", "Asked for changes"
        SUBMITTED = "submitted", "Submitted for review"

    page = models.ForeignKey(EducationPage, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied, so the record keeps its author's name if the account is removed later.
    author_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["page", "created_at"], name="review_comment_page")]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.author_name}"


class ReviewerProfile(models.Model):
    """How a clinical reviewer is named on the pages they sign off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(max_length=120, help_text="For example: Dr. Jane Smith")
    credentials = models.CharField(max_length=120, help_text="For example: MD, anesthesiologist")

    def __str__(self):
        return f"{self.display_name}, {self.credentials}"


class ReviewReminder(models.Model):
    """A reminder sent to reviewers that a page's clinical review is coming due or overdue.

    One row for each page, due date and stage: the daily command sends a page's reminder for
    a stage only if it can add the row, so each is sent once, however often or concurrently
    the command runs. A new sign-off moves the due date, and the reminders start again.
    """

    class Stage(models.IntegerChoices):
        OVERDUE = 0, "Overdue"
        WEEK = 7, "Due within 7 days"
        MONTH = 30, "Due within 30 days"

    page = models.ForeignKey(EducationPage, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "due_on", "stage"], name="one_reminder_a_stage")
        ]

    def __str__(self):
        return f"{self.get_stage_display()}: {self.page} (due {self.due_on})"
