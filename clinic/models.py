import datetime
import logging
import re
from urllib.parse import urlsplit

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import DatabaseError, models
from django.utils import timezone

from .caching import get_current, set_current

# ":v2" names the shape of what is stored (the details under their content version): change it
# when that changes, so servers of two releases sharing Redis never read each other's entries.
CLINIC_DETAILS_CACHE_KEY = "portal:clinic-details:v2"
# A copy for when the database is down, never cleared: old details beat none at all.
CLINIC_DETAILS_LAST_KNOWN_KEY = "portal:clinic-details:last-known"
CLINIC_DETAILS_LAST_KNOWN_SECONDS = 30 * 24 * 3600
logger = logging.getLogger(__name__)
# A host name as it may appear in a Content-Security-Policy source: letters, digits, dots and
# hyphens only, so a stored address can never add directives to the policy.
_CSP_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


def lines_of(text):
    """The non-empty lines of a text box, trimmed: an address, opening hours, a list of steps."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class SingleRecord(models.Model):
    """A model with exactly one record (pk=1): settings staff edit in the admin.

    `load()` returns it, made with its defaults the first time; saving always writes that one
    record. clinic.admin.SingletonModelAdmin is its admin.
    """

    SINGLETON_PK = 1

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON_PK
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        record, created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        if created:
            record.first_saved()
        return record

    def first_saved(self):
        """Called once, when load() makes the record: add what belongs with its defaults."""


class OutboxQuerySet(models.QuerySet):
    def due(self, *, now=None):
        return self.filter(status=Outbox.Status.PENDING, next_attempt_at__lte=now or timezone.now())


class Outbox(models.Model):
    """One email the background worker must send, with its delivery state (clinic/outbox.py).

    Saved in the same transaction as the change it tells about, so the email is sent if and
    only if the change happened. Delivery is at least once: an email is marked sent after the
    mail server accepted it, so a crash between the two sends it again; none is ever lost.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"

    recipients = models.JSONField(default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class StaffEmail(Outbox):
    """An email to staff about their work (a page to review, a review coming due).

    Unlike the contact form's emails it holds its text: it says nothing about a patient, and
    a reminder must say what was due when it was written.
    """

    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Set on an email that must go once only (a review reminder): a second queuing of the
    # same key is ignored, however many workers or runs try.
    once_key = models.CharField(max_length=200, unique=True, null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="staff_email_due")]

    def __str__(self):
        return self.subject


DEFAULT_NONDISCRIMINATION = (
    "We follow federal civil rights laws. We do not treat anyone differently because of race, "
    "color, national origin, age, disability or sex (including pregnancy, sexual orientation "
    "and gender identity).\n\n"
    "We offer free help so you can talk with us:\n"
    "- sign language interpreters and written information in other formats (large print, "
    "audio, accessible electronic formats) for people with disabilities;\n"
    "- interpreters and translated information for people whose first language is not "
    "English.\n\n"
    "To ask for this help, call us or tell the front desk.\n\n"
    "If you think we did not give you this help, or treated you differently for one of these "
    "reasons, you can file a complaint with our civil rights coordinator: [[Fill in: name, "
    "phone and email]]. You can also file a civil rights complaint with the U.S. Department of "
    "Health and Human Services, Office for Civil Rights, at "
    "https://ocrportal.hhs.gov/ocr/portal/lobby.jsf, or by phone at 1-800-368-1019."
)


class ClinicDetails(SingleRecord):
    """The clinic's contact details and urgent-help numbers, shown on every page.

    The defaults are placeholders that make it obvious the clinic has not filled them in yet;
    555-01xx numbers are reserved for fiction.
    """

    name = models.CharField(max_length=120, default="Infusion Clinic")
    phone = models.CharField(
        max_length=40, default="(555) 010-0123", help_text="Shown as a tap-to-call link."
    )
    email = models.EmailField(default="frontdesk@example.org")
    street_address = models.TextField(
        default="100 Example Street, Suite 200\nAnytown, ST 00000",
        help_text="One line per line of the postal address.",
    )
    opening_hours = models.TextField(
        default="Monday to Friday: 8:00 am to 5:00 pm\nSaturday and Sunday: closed",
        help_text=(
            "One line per line, as patients should read it. Keep it in step with the opening "
            "periods below, which the inbox's response targets count in."
        ),
    )
    written_directions = models.TextField(
        default=(
            "We are on the second floor. The building has a step-free entrance and a lift.\n"
            "Free parking is behind the building. Accessible parking spaces are next to "
            "the entrance.\n"
            "The nearest bus stop is one block away, on Example Street."
        ),
        help_text="Plain written directions (for people who do not use maps). One step a line.",
    )
    directions_url = models.URLField(
        blank=True,
        default="",
        help_text="A link to directions in a maps service. Opens in the visitor's maps app.",
    )
    map_embed_url = models.URLField(
        blank=True,
        default="",
        help_text=(
            "Optional. An embeddable map address. The map loads only when a visitor asks for "
            "it, so no maps company sees visitors who do not."
        ),
    )
    emergency_number = models.CharField(max_length=20, default="911")
    crisis_line_number = models.CharField(max_length=20, default="988")
    crisis_line_name = models.CharField(max_length=80, default="988 Suicide & Crisis Lifeline")
    # Notices a US clinic's website carries (linked from every page's footer).
    privacy_practices_url = models.URLField(
        "Notice of Privacy Practices (address)",
        blank=True,
        help_text=(
            "The web address of the clinic's own Notice of Privacy Practices (HIPAA). Linked "
            "from every page's footer and beside the contact form once filled in."
        ),
    )
    nondiscrimination_text = models.TextField(
        "notice of nondiscrimination",
        default=DEFAULT_NONDISCRIMINATION,
        help_text=(
            "Shown on its own page, linked from every footer, once confirmed below. Blank lines "
            "separate paragraphs. Put in the name of the clinic's civil rights coordinator."
        ),
    )
    nondiscrimination_confirmed = models.BooleanField(
        "the nondiscrimination notice is approved",
        default=False,
        help_text=(
            "Tick when the clinic's privacy or compliance officer has read and approved the "
            "text above. Until then it is not shown."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "clinic details"
        verbose_name_plural = "clinic details"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.map_embed_url and not self.map_origin:
            raise ValidationError(
                {"map_embed_url": "Use the map's https:// embed address from the maps site."}
            )
        if self.nondiscrimination_confirmed and "[[Fill in" in self.nondiscrimination_text:
            raise ValidationError(
                {
                    "nondiscrimination_confirmed": (
                        "The notice still has a [[Fill in: ...]] to replace before it can be shown."
                    )
                }
            )

    @classmethod
    def cached(cls):
        """The details for templates: one cache read per request, a query only on a miss.

        Cached under the content version (clinic/caching.py), which saving them moves on: so
        they are current on every server at once, and at most a minute old if that write was
        lost. Never fails for want of the database: a page saying "your message was not sent,
        please call" must still show the number. Then the last details read (kept in the cache
        for a month) stand in, or the unsaved defaults (which still carry 911 and 988).
        """
        version, details = get_current(CLINIC_DETAILS_CACHE_KEY)
        if details is None:
            try:
                details = cls.load()
            except DatabaseError as error:
                logger.warning("Clinic details unavailable (%s)", type(error).__name__)
                return cache.get(CLINIC_DETAILS_LAST_KNOWN_KEY) or cls()
            set_current(CLINIC_DETAILS_CACHE_KEY, details, version)
            cache.set(CLINIC_DETAILS_LAST_KNOWN_KEY, details, CLINIC_DETAILS_LAST_KNOWN_SECONDS)
        return details

    def first_saved(self):
        # Monday to Friday, 8 am to 5 pm: what the default opening-hours text says, and what
        # response targets count in until staff set the clinic's own week.
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(
                clinic=self, weekday=day, opens=datetime.time(8), closes=datetime.time(17)
            )
            for day in range(5)
        )

    @classmethod
    def for_request(cls, request):
        """The cached details, read from the cache at most once however often a request asks
        (its template, the page's structured data and its Last-Modified header all do)."""
        try:
            return request._clinic_details
        except AttributeError:
            request._clinic_details = cls.cached()
            return request._clinic_details

    @property
    def phone_uri(self):
        """The phone number as a tel: link target (digits and a leading + only)."""
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}"

    @property
    def map_origin(self):
        """The embedded map's origin (https://host[:port]), the one frame the site allows.

        Empty when there is no map, or its address is not a plain https:// address.
        """
        if not self.map_embed_url:
            return ""
        try:
            parts = urlsplit(self.map_embed_url)
            host, port = parts.hostname or "", parts.port
        except ValueError:
            return ""
        if parts.scheme != "https" or not _CSP_HOST.fullmatch(host):
            return ""
        return f"https://{host}:{port}" if port else f"https://{host}"

    @property
    def address_lines(self):
        return lines_of(self.street_address)

    @property
    def nondiscrimination_paragraphs(self):
        return [part.strip() for part in self.nondiscrimination_text.split("\n\n") if part.strip()]

    @property
    def opening_hours_lines(self):
        return lines_of(self.opening_hours)

    @property
    def written_directions_lines(self):
        return lines_of(self.written_directions)


class OpeningPeriod(models.Model):
    """When the clinic is open on one day of the week: what response targets count in.

    A day can have several periods (a lunch closure); a day with none is closed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    clinic = models.ForeignKey(ClinicDetails, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opens_before_it_closes"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time."})


class ClosedDay(models.Model):
    """A day the clinic is closed though the week says open (a holiday, training)."""

    clinic = models.ForeignKey(ClinicDetails, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=100, blank=True, help_text="For example: Thanksgiving")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["clinic", "date"], name="one_closure_a_day")]

    def __str__(self):
        return f"Closed {self.date:%Y-%m-%d}"


# Languages and scripts written right to left: a tagline in one of them must be marked so.
RIGHT_TO_LEFT_LANGUAGES = {
    "ar", "ckb", "dv", "fa", "he", "nqo", "prs", "ps", "sd", "syr", "ug", "ur", "yi",
}  # fmt: skip
RIGHT_TO_LEFT_SCRIPTS = {"adlm", "arab", "hebr", "nkoo", "rohg", "syrc", "thaa"}


class LanguageTagline(models.Model):
    """One sentence in one language: free language help, an interpreter included, is there
    for the asking (Section 1557). Listed on the language help page, linked from every footer.
    """

    class Direction(models.TextChoices):
        LEFT_TO_RIGHT = "ltr", "Left to right"
        RIGHT_TO_LEFT = "rtl", "Right to left (Arabic, Persian, Urdu, Hebrew)"

    language_code = models.CharField(
        "language tag",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                "Use a language tag such as es, vi or zh-Hant (BCP 47).",
            )
        ],
        help_text=(
            "The language's tag, such as es (Spanish), zh-Hant (Chinese in traditional "
            "characters) or ht (Haitian Creole). Screen readers use it to read the text aloud "
            "in the right voice."
        ),
    )
    english_name = models.CharField(
        "language (in English)",
        max_length=80,
        help_text=(
            "Use the 15 languages most spoken in the clinic's state. HHS's Office for Civil "
            "Rights lists them for each state: https://www.hhs.gov/civil-rights/for-individuals/"
            "section-1557/1557faqs/top15-languages/"
        ),
    )
    own_name = models.CharField(
        "the language's own name", max_length=80, help_text="For example: Español, Tiếng Việt."
    )
    text = models.TextField(
        "tagline",
        help_text=(
            "In that language: free help in this language, an interpreter included, and how to "
            "ask. The clinic's phone number is shown right after it."
        ),
    )
    direction = models.CharField(
        "writing direction", max_length=3, choices=Direction.choices, default="ltr"
    )
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Lower numbers come first: put the most spoken language first."
    )
    checked_by_translator = models.BooleanField(
        "checked by a qualified translator",
        default=False,
        help_text="Tick once a qualified translator or interpreter has checked this tagline.",
    )

    class Meta:
        ordering = ["position", "english_name"]

    def __str__(self):
        return self.english_name

    def clean(self):
        primary, *subtags = self.language_code.lower().split("-")
        right_to_left = primary in RIGHT_TO_LEFT_LANGUAGES or any(
            subtag in RIGHT_TO_LEFT_SCRIPTS for subtag in subtags
        )
        if right_to_left and self.direction != self.Direction.RIGHT_TO_LEFT:
            raise ValidationError(
                {"direction": "This language is written right to left: choose Right to left."}
            )
