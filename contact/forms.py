import re
import unicodedata

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from .models import Inquiry, Topic
from .spam import form_started_token

MESSAGE_MAX_LENGTH = 2000
LINK_PATTERN = re.compile(r"https?://|www\.", re.IGNORECASE)
PHONE_PATTERN = re.compile(r"^\+?[\d\s().-]+((ext\.?|x)\s*\d{1,6})?$", re.IGNORECASE)
CONTROL_CHARACTERS_ERROR = (
    "Please remove the special characters (such as invisible control characters) from this field."
)


def has_control_characters(text, *, allow_line_breaks=False):
    allowed = "\n\r\t" if allow_line_breaks else ""
    return any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed for ch in text)


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
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send your reference number here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
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
    )
    message = forms.CharField(
        label="Your message",
        max_length=MESSAGE_MAX_LENGTH,
        help_text=(
            f"Up to {MESSAGE_MAX_LENGTH:,} characters. Please leave out medical details: "
            "email is not a private place for them."
        ),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MESSAGE_MAX_LENGTH}),
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
    # Set by the "Send anyway" button after a screening notice.
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    error_messages = {
        "name": {"required": "Please tell us your name."},
        "email": {
            "required": "Please give your email address, so we can send your reference.",
            "invalid": "Please check your email address. It should look like name@example.com.",
        },
        "topic": {"required": "Please choose what your question is about."},
        "message": {"required": "Please write your question."},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, messages in self.error_messages.items():
            self.fields[name].error_messages.update(messages)
        self.fields["message"].error_messages["max_length"] = (
            f"Please shorten your message to {MESSAGE_MAX_LENGTH:,} characters or fewer "
            "(it has %(show_value)s)."
        )
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
        for name in ("name", "email", "phone"):
            if has_control_characters(cleaned.get(name) or ""):
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
        if cleaned.get("reply_by") == Inquiry.ReplyBy.PHONE and not cleaned.get("phone"):
            self.add_error(
                "phone", "Please give a phone number so we can call you, or choose email."
            )
        return cleaned

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = sum(ch.isdigit() for ch in phone)
        if phone and (not PHONE_PATTERN.match(phone) or not 7 <= digits <= 20):
            raise ValidationError(
                "Please check your phone number. Use digits, and spaces or dashes if you like."
            )
        return phone

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
