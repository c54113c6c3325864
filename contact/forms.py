import re
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email
from django.utils.html import format_html

from .models import Inquiry, Topic
from .spam import (
    FORM_MAX_AGE_SECONDS,
    form_started_token,
    resend_token,
    seconds_since_form_started,
)

MESSAGE_MAX_LENGTH = 2000
LINK_PATTERN = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
PHONE_PATTERN = re.compile(r"^\+?[\d\s().-]+((ext\.?|x)\s*\d{1,6})?$", re.IGNORECASE)
EMAIL_ERROR = "Please check your email address. It should look like name@example.com."
CONTROL_CHARACTERS_ERROR = (
    "Please remove the special characters (such as invisible control characters) from this field."
)


# Control characters and surrogates anywhere; in one-line fields also the Unicode line and
# paragraph separators (U+2028, U+2029), which break a header or a CSV row like a newline.
CONTROL_CATEGORIES = ("Cc", "Cs")
LINE_SEPARATORS = ("Zl", "Zp")
# An email address also never holds invisible format characters (U+200B zero-width space,
# U+200D, U+FEFF...): the address would look right and reach somebody else, or nobody.
EMAIL_BAD_CATEGORIES = (*CONTROL_CATEGORIES, *LINE_SEPARATORS, "Cf")


def has_control_characters(text, *, allow_line_breaks=False, categories=CONTROL_CATEGORIES):
    allowed = "\n\r\t" if allow_line_breaks else ""
    return any(unicodedata.category(ch) in categories and ch not in allowed for ch in text)


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, topic):
        return format_html(
            '{}<span class="topic-choice__description">{}</span>',
            topic.label,
            topic.description,
        )


class InquiryForm(forms.Form):
    """The contact form. It only cleans input; screening and spam rules live elsewhere."""

    name = forms.CharField(
        label="Your name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Please tell us your name."},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send your reference number here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Please give your email address, so we can send your reference.",
            "invalid": EMAIL_ERROR,
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    reply_by = forms.ChoiceField(
        label="How should we reply?",
        choices=Inquiry.ReplyBy.choices,
        initial=Inquiry.ReplyBy.EMAIL,
        widget=forms.RadioSelect,
    )
    topic = TopicChoiceField(
        label="What is your question about?",
        queryset=Topic.objects.filter(is_active=True),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose what your question is about."},
    )
    message = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX_LENGTH,
        help_text=(
            f"Up to {MESSAGE_MAX_LENGTH:,} characters. Please leave out medical details: "
            "email is not a private place for them."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MESSAGE_MAX_LENGTH}),
        error_messages={
            "required": "Please write your question.",
            "max_length": f"Please shorten your message to {MESSAGE_MAX_LENGTH:,} characters "
            "or fewer (it has %(show_value)s).",
        },
    )
    understands_not_medical = forms.BooleanField(
        label="I understand this form is not for medical questions or emergencies.",
        error_messages={
            "required": "Please tick this box to show you understand this form is not for "
            "medical questions or emergencies."
        },
    )
    # Spam traps. People never see the honeypot (it is not displayed at all, so screen
    # readers skip it too); the timestamp tells how fast the form was filled in.
    website = forms.CharField(label="Leave this field empty", required=False)
    form_started = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the "Send anyway" button after a screening notice, with the kind of notice shown
    # ("urgent" or "medical"), so a message that became urgent since still shows the urgent card.
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)
    notice_shown = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stamp_expired = False
        if not self.is_bound:
            self.initial["form_started"] = form_started_token()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "name",
            "email",
            "phone",
            "reply_by",
            "topic",
            Field("message", css_class="js-character-count"),
            "understands_not_medical",
            Div("website", css_class="contact-hp"),
            "form_started",
        )
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean(self):
        cleaned = super().clean()
        for name in ("name", "phone"):
            # The raw value too: cleaning a name folds a separator inside it into a space.
            if has_control_characters(cleaned.get(name) or "") or has_control_characters(
                self.raw_value(name).strip(), categories=LINE_SEPARATORS
            ):
                self.add_error(name, CONTROL_CHARACTERS_ERROR)
        message = cleaned.get("message") or ""
        if has_control_characters(message, allow_line_breaks=True):
            self.add_error("message", CONTROL_CHARACTERS_ERROR)
        if len(LINK_PATTERN.findall(message)) > settings.CONTACT_MAX_LINKS:
            self.add_error(
                "message",
                f"Please include no more than {settings.CONTACT_MAX_LINKS} links. "
                "You can tell us the rest when we reply.",
            )
        elapsed = seconds_since_form_started(cleaned.get("form_started") or "")
        # Not spam: a person left the page open. The view asks them to send again, with a
        # fresh stamp (shown_again).
        self.stamp_expired = elapsed is not None and elapsed > FORM_MAX_AGE_SECONDS
        if self.stamp_expired:
            self.add_error("form_started", "The page was open too long.")
        if cleaned.get("reply_by") == Inquiry.ReplyBy.PHONE and not cleaned.get("phone"):
            self.add_error(
                "phone", "Please give a phone number so we can call you, or choose email."
            )
        return cleaned

    def shown_again(self, reason):
        """A copy of this form to show again, saying `reason`, with what the person typed and
        a fresh stamp, so pressing Send again goes through. This form is left as it was."""
        data = self.data.copy()
        data[self.add_prefix("form_started")] = resend_token()
        again = type(self)(data)
        again.is_valid()
        again.add_error(None, reason)
        return again

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = sum(ch.isdigit() for ch in phone)
        if phone and (not PHONE_PATTERN.match(phone) or not 7 <= digits <= 20):
            raise ValidationError(
                "Please check your phone number. Use digits, and spaces or dashes if you like."
            )
        return phone

    def raw_value(self, name):
        """What was typed, before cleaning (which folds spaces and separators in a name)."""
        value = self.data.get(self.add_prefix(name), "")
        return value if isinstance(value, str) else ""

    def clean_email(self):
        """The address as it is stored: lower case, and still an address email can reach."""
        email = self.cleaned_data["email"].lower()
        if has_control_characters(self.raw_value("email").strip(), categories=EMAIL_BAD_CATEGORIES):
            # The domain check would quietly drop such characters (IDNA), so the address
            # stored would not be the one mail goes to.
            raise ValidationError(EMAIL_ERROR)
        try:
            validate_email(email)
            sanitize_address(email, settings.DEFAULT_CHARSET)
        except (ValidationError, ValueError):
            raise ValidationError(EMAIL_ERROR) from None
        return email

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
