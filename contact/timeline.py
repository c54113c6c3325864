"""One inquiry's story, oldest first: received, notices shown, assignments, notes, replies
(with their delivery state) and status changes, read in three queries however long it is."""

from dataclasses import dataclass

from django.utils import timezone

from .models import Delivery, InquiryEvent

# Shown on the timeline; opening, exporting, notes and replies are shown by their own entries
# or belong only in the access record.
TIMELINE_EVENTS = [
    InquiryEvent.Kind.ASSIGNED,
    InquiryEvent.Kind.STATUS,
    InquiryEvent.Kind.SPAM,
    InquiryEvent.Kind.NOT_SPAM,
]


@dataclass
class Entry:
    at: object
    kind: str  # received, note, reply, event: the template's choice of layout
    title: str
    who: str = ""
    text: str = ""
    state: str = ""  # a reply's delivery, in words


def reply_state(delivery):
    if delivery is None:
        return "Not queued"
    if delivery.status == Delivery.Status.SENT:
        sent = timezone.localtime(delivery.sent_at)
        return f"Sent {sent:%Y-%m-%d %H:%M}"
    if delivery.attempts:
        return f"Not sent yet: {delivery.attempts} tries so far, trying again"
    return "Waiting to send"


def received_entry(inquiry):
    shown = []
    if inquiry.is_urgent:
        shown.append("the urgent-help card (911 and the 988 crisis line)")
    if inquiry.is_medical:
        shown.append("the notice that the form is not for medical questions")
    text = f"Shown to the sender: {'; '.join(shown)}." if shown else ""
    return Entry(inquiry.received_at, "received", "Received through the contact form", text=text)


def inquiry_timeline(inquiry):
    entries = [received_entry(inquiry)]
    entries += [
        Entry(
            note.created_at,
            "note",
            "Internal note (staff only)",
            who=note.author.get_username() if note.author else "",
            text=note.text,
        )
        for note in inquiry.notes.select_related("author")
    ]
    entries += [
        Entry(
            reply.created_at,
            "reply",
            "Reply to the sender",
            who=reply.author.get_username() if reply.author else "",
            text=reply.body,
            state=reply_state(getattr(reply, "delivery", None)),
        )
        for reply in inquiry.replies.select_related("author", "delivery")
    ]
    entries += [
        Entry(
            event.at,
            "event",
            f"{event.get_kind_display()} {event.detail}".strip(),
            who=event.actor_name,
        )
        for event in inquiry.events.filter(kind__in=TIMELINE_EVENTS)
    ]
    return sorted(entries, key=lambda entry: entry.at)


ACCESS_EVENTS = [InquiryEvent.Kind.OPENED, InquiryEvent.Kind.EXPORTED]
ACCESS_SHOWN = 50


def inquiry_access(inquiry):
    """Who opened or exported this inquiry, newest first (the last ACCESS_SHOWN): the part of
    the access record the timeline leaves out."""
    return list(inquiry.events.filter(kind__in=ACCESS_EVENTS).order_by("-at", "-pk")[:ACCESS_SHOWN])
