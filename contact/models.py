import datetime
import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from clinic.encryption import EncryptedTextField
from clinic.models import Outbox, OutboxQuerySet, SingleRecord


def parse_addresses(text):
    """The addresses in a staff-typed list: one a line (commas and spaces also separate)."""
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def validate_address_list(text):
    bad = []
    for address in parse_addresses(text):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            "These are not email addresses: %(bad)s", params={"bad": ", ".join(bad)}
        )


class Topic(models.Model):
    """What an inquiry is about, and which staff receive it."""

    label = models.CharField(max_length=80, unique=True)
    description = models.CharField(
        max_length=200, help_text="One line shown under the topic on the contact form."
    )
    recipients = models.TextField(
        blank=True,
        validators=[validate_address_list],
        help_text="Email addresses that receive inquiries on this topic, one a line.",
    )
    staff_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Members of this group with an email address also receive them.",
    )
    acknowledgement_text = models.TextField(
        blank=True,
        default="",
        # Also in the database: rows added by code that predates the column (data migrations)
        db_default="",
        max_length=1000,
        help_text=(
            "A paragraph added to the email that tells the sender we received their message "
            "(for example, what to bring, or when billing staff are in). Never a copy of their "
            "message. Left empty, the email says only what every topic's says."
        ),
    )
    response_target_minutes = models.PositiveIntegerField(
        "first response target (minutes in opening hours)",
        default=480,
        db_default=480,
        help_text=(
            "How long an inquiry may wait for a first answer, counted in opening hours only "
            "(Clinic details > opening periods). 480 = one 8-hour working day. Past it, the "
            "topic's staff get one email, and one more if it waits as long again."
        ),
    )
    is_active = models.BooleanField(default=True, help_text="Shown on the contact form.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


class ContactSettings(SingleRecord):
    """Who hears about urgent inquiries, and what the thank-you page promises. One record."""

    urgent_recipients = models.TextField(
        blank=True,
        validators=[validate_address_list],
        help_text=(
            "Email addresses that also receive every inquiry that reads like an emergency "
            "or a crisis, one a line. Use an inbox someone watches during opening hours."
        ),
    )
    urgent_staff_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Members of this group with an email address also receive urgent inquiries.",
    )
    reply_time = models.CharField(
        max_length=200,
        default="We usually reply within one working day.",
        help_text="Shown on the thank-you page and in the acknowledgement email.",
    )
    urgent_response_minutes = models.PositiveIntegerField(
        "urgent first response target (minutes in opening hours)",
        default=30,
        db_default=30,
        help_text=(
            "How long an urgent inquiry may wait for a first answer, in opening hours. Past "
            "it, the topic's staff and the urgent list get an email."
        ),
    )

    class Meta:
        verbose_name = "contact form settings"
        verbose_name_plural = "contact form settings"

    def __str__(self):
        return "Contact form settings"


PHRASE_HELP = (
    "Whole words in any case; accents, leetspeak ('k1ll'), held letters ('diiie') and "
    "misspellings of words of five letters or more ('suiside') match too. "
    "word* matches any word starting with it (suicid* matches suicidal); a/b/c matches any "
    "one of the words (one word each); =word matches that exact word only; # matches a number "
    "('# mg' matches '50mg'); ? matches any one word; ... allows up to four words between two "
    "words ('end ... my life'). Groups: @self (myself, himself...), @someone (he, she, my "
    "dad...), @family (my dad, my wife...), @place (street, road, garage...), and, in an "
    "urgent phrase only, @medical (any words a medical phrase matched: 'took all my "
    "@medical'). One filler word ('just', 'own', 'really') may always sit between two words. "
    "Write 'don\u2019t' or 'do not' (they read the same). See README, Safety screening."
)


class ScreeningPhrase(models.Model):
    """Words that make a message read like an emergency or a medical question, or an idiom
    or name that does not (an exception)."""

    class Kind(models.TextChoices):
        URGENT = "urgent", "Emergency or crisis"
        MEDICAL = "medical", "Medical question"
        EXCEPTION = "exception", "Exception: idiom or name, not a concern"

    phrase = models.CharField(max_length=200, help_text=PHRASE_HELP)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        help_text=(
            "An exception excuses only the urgent or medical words its own words match (not "
            "the words in a '...' gap, and a '?' never excuses urgent words): crisis wording "
            "anywhere else in the message still shows the urgent card."
        ),
    )
    # Database defaults: the earlier data migration's rows (and the browser tests, which run it
    # again on today's tables) know nothing of these columns.
    note = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        help_text="Why this phrase is on the list (optional).",
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        ordering = ["kind", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["phrase", "kind"], name="unique_screening_phrase")
        ]

    def __str__(self):
        return self.phrase

    def clean(self):
        # Imported here: screening reads this model, and this model only needs its parser.
        from .screening import phrase_error

        error = phrase_error(self.phrase or "")
        if error:
            raise ValidationError({"phrase": error})
        if "@medical" in (self.phrase or "") and self.kind != self.Kind.URGENT:
            raise ValidationError(
                {"phrase": "@medical can only be used in an emergency or crisis phrase."}
            )


class ScreeningExample(models.Model):
    """A message and what screening should show for it, kept by clinical reviewers to check
    changes to the phrase list before saving them."""

    class Expected(models.TextChoices):
        URGENT = "urgent", "Urgent card (emergency or crisis)"
        MEDICAL = "medical", "Medical notice"
        NONE = "none", "No notice (an ordinary question)"

    message = models.TextField(
        help_text="Write or copy the message without anyone's name, contact details or other "
        "details that could identify them: examples are kept until a reviewer deletes them."
    )
    expected = models.CharField(max_length=10, choices=Expected.choices)
    note = models.CharField(
        max_length=200,
        blank=True,
        help_text="What kind of message this is, e.g. 'crisis, slang' or 'idiom'.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["expected", "pk"]

    def __str__(self):
        return self.message[:60]


# The period every hourly limit counts over.
ONE_HOUR = datetime.timedelta(hours=1)
OPEN_STATUSES = ["new", "in_progress", "waiting"]


def urgent_and_open_first():
    return Case(
        When(is_urgent=True, status__in=OPEN_STATUSES, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


# Sorts after every real target: inquiries answered, closed or without a target.
NO_ANSWER_DUE = datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC)


def answer_due():
    """When a first answer is due, for an open inquiry still waiting for one; else never."""
    return Case(
        When(
            first_response_at__isnull=True,
            respond_by__isnull=False,
            status__in=["new", "in_progress"],
            then=F("respond_by"),
        ),
        default=Value(NO_ANSWER_DUE),
        output_field=models.DateTimeField(),
    )


def inbox_ordering():
    """Open urgent inquiries first; then those waiting for a first answer, the most overdue
    (earliest target) first; then newest first. Indexed (see Inquiry.Meta.indexes)."""
    return [urgent_and_open_first().asc(), answer_due().asc(), F("received_at").desc()]


class InquiryQuerySet(models.QuerySet):
    def from_email(self, email):
        return self.filter(email=email.strip().lower())

    def received_in_hour_before(self, moment):
        """Received in the hour up to `moment` (what the hourly limits count)."""
        return self.filter(received_at__gte=moment - ONE_HOUR, received_at__lt=moment)

    def urgent_not_spam(self):
        return self.filter(is_urgent=True).exclude(status=Inquiry.Status.SPAM)

    def due_for_deletion(self, *, now=None):
        now = now or timezone.now()
        closed_before = now - datetime.timedelta(days=settings.CONTACT_RETENTION_DAYS)
        spam_before = now - datetime.timedelta(days=settings.CONTACT_SPAM_RETENTION_DAYS)
        return self.filter(
            models.Q(status=Inquiry.Status.CLOSED, closed_at__lt=closed_before)
            | models.Q(status=Inquiry.Status.SPAM, received_at__lt=spam_before)
        )


class Inquiry(models.Model):
    """A question sent through the contact form. Personal data: see README, Retention."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        WAITING = "waiting", "Waiting on patient"
        CLOSED = "closed", "Closed"
        SPAM = "spam", "Spam"

    class ReplyBy(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"

    reference = models.CharField(max_length=7, unique=True, editable=False)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="inquiries")
    name = models.CharField(max_length=100)
    email = models.EmailField()
    # Encrypted in the database (clinic/encryption.py), like the message and replies.
    phone = EncryptedTextField(max_length=30, blank=True)
    reply_by = models.CharField(max_length=5, choices=ReplyBy.choices, default=ReplyBy.EMAIL)
    message = EncryptedTextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    is_urgent = models.BooleanField(
        "urgent", default=False, help_text="The message reads like an emergency or a crisis."
    )
    is_medical = models.BooleanField(
        "medical", default=False, help_text="The message reads like a medical question."
    )
    screening_matches = models.CharField(
        max_length=300, blank=True, help_text="The words that set the flags."
    )
    spam_reason = models.CharField(max_length=100, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_inquiries",
    )
    # An HMAC of the sender's IP address under a random salt that is thrown away after a day:
    # enough to count one address's recent messages, never enough to recover the address.
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The same form sent twice at once (a double click) has the same key: stored once.
    submission_key = models.CharField(max_length=64, unique=True, editable=False)
    received_at = models.DateTimeField(default=timezone.now, editable=False)
    # The first-response target, in opening hours (Topic.response_target_minutes, or
    # ContactSettings.urgent_response_minutes), and when staff are told a second time.
    respond_by = models.DateTimeField(null=True, blank=True, editable=False)
    escalate_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The first reply, note, or move to waiting or closed: the inquiry has been answered.
    first_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # An urgent inquiry past the hourly number of urgent emails from its sender or network:
    # staff hear about it in this digest instead of an email of its own.
    staff_digest = models.ForeignKey(
        "Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_inquiries",
        editable=False,
    )

    objects = InquiryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "inquiries"
        ordering = ["-received_at"]
        permissions = [
            ("preview_inquiry", "Can see senders' names and message previews in the inbox list")
        ]
        indexes = [
            # The inbox's order, unfiltered and filtered by status: the first page of a million
            # inquiries is read from an index, not sorted.
            models.Index(*inbox_ordering(), name="inquiry_inbox_order"),
            models.Index(fields=["-received_at"], name="inquiry_received"),
            models.Index("status", *inbox_ordering(), name="inquiry_status_inbox_order"),
            models.Index(fields=["client_hash", "received_at"], name="inquiry_client_recent"),
            models.Index(fields=["email", "received_at"], name="inquiry_email_recent"),
        ]

    def __str__(self):
        # The reference only: this text lands in the admin's change log.
        return self.reference

    def set_status(self, status):
        """Closing stamps the date that retention counts from; reopening clears it."""
        self.status = status
        closing = status == self.Status.CLOSED
        self.closed_at = (self.closed_at or timezone.now()) if closing else None


class InquiryNote(models.Model):
    """An internal note by staff. Never shown to the patient."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, editable=False
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on {self.inquiry_id} at {self.created_at:%Y-%m-%d %H:%M}"


class DeliveryQuerySet(OutboxQuerySet):
    def acknowledgements_to(self, email, *, since):
        return self.filter(
            kind=Delivery.Kind.ACKNOWLEDGEMENT, inquiry__email=email, created_at__gte=since
        )

    def last_digest_sent_at(self):
        return self.filter(kind=Delivery.Kind.URGENT_DIGEST, status=Delivery.Status.SENT).aggregate(
            last=models.Max("sent_at")
        )["last"]

    def in_send_order(self):
        """Emails telling staff about an urgent inquiry first, then oldest due first."""
        urgent_for_staff = models.Q(kind=Delivery.Kind.URGENT_DIGEST) | models.Q(
            kind=Delivery.Kind.STAFF_NOTIFICATION, inquiry__is_urgent=True
        )
        return self.order_by(
            Case(When(urgent_for_staff, then=Value(0)), default=Value(1)),
            "next_attempt_at",
            "pk",
        )


class Delivery(Outbox):
    """One email about an inquiry the background worker must send (the outbox: see Outbox).

    Built when it is sent, from the inquiry as it is then, so no copy of a patient's words
    waits in the outbox. A patient or staff member may, rarely, get the same email twice; no
    email is ever lost.
    """

    class Kind(models.TextChoices):
        STAFF_NOTIFICATION = "staff", "Staff notification"
        ACKNOWLEDGEMENT = "ack", "Acknowledgement to sender"
        # One email to staff listing urgent inquiries that had no email of their own (past
        # CONTACT_URGENT_EMAILS_PER_HOUR from one sender or network). Built when it is sent,
        # from the inquiries pointing at it (Inquiry.staff_digest).
        URGENT_DIGEST = "digest", "Urgent digest to staff"
        REPLY = "reply", "Reply to sender"

    # Empty for a digest only: it is about the inquiries pointing at it (Inquiry.staff_digest).
    inquiry = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=6, choices=Kind.choices)
    # Set on a reply only: the text staff wrote, kept with the inquiry (InquiryReply).
    reply = models.OneToOneField(
        "InquiryReply", null=True, blank=True, on_delete=models.CASCADE, related_name="delivery"
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        constraints = [
            # Queuing twice for one inquiry (say, marked spam then not spam again) queues
            # one email of each kind, not two.
            models.UniqueConstraint(
                fields=["inquiry", "kind"],
                condition=~models.Q(kind="reply"),
                name="one_delivery_per_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reply", reply__isnull=False)
                | (~models.Q(kind="reply") & models.Q(reply__isnull=True)),
                name="a_reply_delivery_has_its_reply",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="digest", inquiry__isnull=True)
                | (~models.Q(kind="digest") & models.Q(inquiry__isnull=False)),
                name="only_a_digest_has_no_inquiry",
            ),
        ]

    def __str__(self):
        if self.inquiry_id is None:
            return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} for {self.inquiry}"


class InquiryReply(models.Model):
    """An email reply staff wrote to the sender from the inquiry page, sent by the outbox.

    Personal data like the inquiry itself: erased and purged with it."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = EncryptedTextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "inquiry replies"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Reply on {self.inquiry_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CannedReply(models.Model):
    """A reply front-desk leads write once (directions, parking, how to book) for staff to
    insert into a reply, then edit before sending."""

    PLACEHOLDERS = {
        "{name}": "the sender's name",
        "{reference}": "the inquiry's reference",
        "{clinic_name}": "the clinic's name",
        "{clinic_phone}": "the clinic's phone number",
        "{clinic_email}": "the clinic's email address",
        "{clinic_address}": "the clinic's street address",
        "{opening_hours}": "the opening hours",
    }

    title = models.CharField(max_length=100, help_text="What staff pick from the list.")
    topic = models.ForeignKey(
        Topic,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        help_text="Offered on this topic's inquiries; left empty, on every topic's.",
    )
    body = models.TextField(
        max_length=5000,
        help_text="Plain text. Placeholders: "
        + ", ".join(f"{key} ({meaning})" for key, meaning in PLACEHOLDERS.items())
        + ".",
    )

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "canned replies"

    def __str__(self):
        return self.title

    def clean(self):
        unknown = sorted(set(re.findall(r"\{[^{}\s]*\}", self.body)) - set(self.PLACEHOLDERS))
        if unknown:
            known = ", ".join(self.PLACEHOLDERS)
            raise ValidationError(
                {"body": f"These placeholders are not known: {', '.join(unknown)}. Use: {known}."}
            )

    def filled_in(self, values):
        """The body with each placeholder replaced by its value (nothing else is read from
        the text: a placeholder cannot reach any other data)."""
        return re.sub(r"\{[a-z_]+\}", lambda m: str(values.get(m.group(0), m.group(0))), self.body)


class InquiryEvent(models.Model):
    """The access record, and the inquiry's timeline: who opened, exported, replied to,
    assigned, moved or erased an inquiry, and when.

    A record, not a log of content: `detail` never holds the sender's words or details. It
    outlives the inquiry (purged or erased, the inquiry is gone; the row keeps its reference
    only). Nobody can change or delete it from the admin.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", "Opened"
        EXPORTED = "exported", "Exported to CSV"
        ASSIGNED = "assigned", "Assigned"
        STATUS = "status", "Status changed"
        NOTE = "note", "Internal note added"
        REPLIED = "replied", "Reply written"
        SPAM = "spam", "Marked as spam"
        NOT_SPAM = "not_spam", "Marked as not spam"
        ERASED = "erased", "Erased"

    inquiry = models.ForeignKey(
        Inquiry, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Kept when the inquiry is purged: a random code, not personal data.
    reference = models.CharField(max_length=7, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inquiry_events",
    )
    # Copied, so the record keeps who did it if the account is removed later.
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["inquiry", "at"], name="inquiry_event_timeline"),
            models.Index(fields=["actor", "at"], name="inquiry_event_by_person"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference} by {self.actor_name}"
