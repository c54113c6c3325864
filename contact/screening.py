"""Does a message read like an emergency, a crisis or a medical question?

Plain functions over the phrase list staff edit in the admin, so the rules are easy to test.
A match never blocks a message: it shows the sender a notice first and flags the inquiry.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .models import ScreeningPhrase


@dataclass(frozen=True)
class ScreeningResult:
    urgent_matches: list[str] = field(default_factory=list)
    medical_matches: list[str] = field(default_factory=list)

    @property
    def is_urgent(self):
        return bool(self.urgent_matches)

    @property
    def is_medical(self):
        return bool(self.medical_matches)

    @property
    def needs_notice(self):
        return self.is_urgent or self.is_medical

    @property
    def summary(self):
        return ", ".join([*self.urgent_matches, *self.medical_matches])[:300]


def normalise(text):
    """Lower case, compatibility forms folded, curly apostrophes straight, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def phrase_pattern(phrase):
    """A phrase matches at the start of a word; spaces in it match any run of spaces."""
    words = [re.escape(word) for word in normalise(phrase).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words))


def find_matches(text, phrases):
    normalised = normalise(text)
    return [phrase for phrase in phrases if phrase_pattern(phrase).search(normalised)]


def active_phrases():
    phrases = {kind: [] for kind in ScreeningPhrase.Kind.values}
    for phrase, kind in ScreeningPhrase.objects.filter(is_active=True).values_list(
        "phrase", "kind"
    ):
        phrases[kind].append(phrase)
    return phrases


def screen_message(text, phrases=None):
    phrases = active_phrases() if phrases is None else phrases
    return ScreeningResult(
        urgent_matches=find_matches(text, phrases.get(ScreeningPhrase.Kind.URGENT, [])),
        medical_matches=find_matches(text, phrases.get(ScreeningPhrase.Kind.MEDICAL, [])),
    )
