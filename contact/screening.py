"""Does a message read like an emergency, a crisis or a medical question?

The rules are the phrase list that clinical reviewers edit in the admin (ScreeningPhrase), so
every flag can be explained by the phrases that set it. A match never blocks a message: it
shows the sender a notice first and flags the inquiry.

How a message is read, so that the way people really write still matches a plain phrase:

- case, accents, full-width letters and curly apostrophes are folded ("Papá" -> "papa",
  "can\u2019t" -> "cant"); hyphens and punctuation separate words ("self-harm" -> "self harm");
- leetspeak inside words is undone ("k1ll" -> "kill", "$uicide" -> "suicide");
- letters held down for emphasis still match ("diiiie" matches "die");
- a number with its unit attached splits in two ("50mg" -> "50 mg"), and `#` in a phrase
  matches any number;
- a word of five letters or more in a phrase also matches a misspelling one letter away
  ("suiside", "overdosd"; two letters away from nine letters), unless what was typed is itself
  a common English word ("bills" never matches "pills", "depth" never "death");
- a filler word may sit between two words of a phrase ("end my own life" matches "end my
  life"), and `...` allows up to four ("end ... my life" matches "end it all and my life").

Phrase syntax (also in the admin's help text): words, `word*` for any word starting with
it, `a/b/c` for any one of them, `=word` for the exact word only, `#` for a number, `...` for
a gap, and the groups `@self` (myself, himself, ...) and `@someone` (he, she, my dad, ...).

Exceptions are phrases of their own kind: an urgent or medical match that lies wholly inside an
exception ("my heart skipped a beat", "Medicine Hat") does not count. Crisis wording anywhere
else in the message still does: an exception can only ever excuse the words it covers.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from .models import ScreeningPhrase

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Reading a message into words


APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
LEETSPEAK = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                           "@": "a", "$": "s", "!": "i"})  # fmt: skip
# A word is letters and digits, plus the symbols leetspeak uses inside words ("h@te", "$uicide").
RAW_WORD = re.compile(r"\d+(?:[.,]\d+)+[a-z]*|[^\W_]+(?:[@$!]+[^\W_]+)*[@$]?|[@$][^\W_]+")
NUMBER_AND_UNIT = re.compile(r"^(\d+(?:[.,]\d+)*)([a-z]+)$")
# What may follow a number in one word ("50mg", "2x", "5am", "3rd"); other letters after a
# digit are leetspeak ("5uicidal", "0verdose").
UNITS = frozenset(
    [
        "mg",
        "mgs",
        "mcg",
        "ug",
        "ml",
        "cc",
        "g",
        "gr",
        "gram",
        "grams",
        "kg",
        "lb",
        "lbs",
        "oz",
        "iu",
        "unit",
        "units",
        "x",
        "k",
        "km",
        "kms",
        "mi",
        "mile",
        "miles",
        "ft",
        "cm",
        "mm",
        "am",
        "pm",
        "hr",
        "hrs",
        "hour",
        "hours",
        "min",
        "mins",
        "minute",
        "minutes",
        "sec",
        "secs",
        "day",
        "days",
        "wk",
        "wks",
        "week",
        "weeks",
        "mo",
        "mos",
        "month",
        "months",
        "yr",
        "yrs",
        "year",
        "years",
        "st",
        "nd",
        "rd",
        "th",
        "pills",
        "pill",
        "tabs",
        "tab",
        "tablets",
        "caps",
        "capsules",
        "puffs",
        "drops",
        "bpm",
        "percent",
        "dollars",
        "usd",
    ]
)
NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")
HELD_LETTER = re.compile(r"(.)\1{2,}")
DOUBLE_LETTER = re.compile(r"(.)\1+")
NUMBER_TOKEN = "#"  # noqa: S105 - not a password
# In a phrase, `?` stands for any one word: exceptions such as "? street" (a street's name).
ANY_WORD = "?"
# Phrase slots that stand for any word or any number.
WILDCARD_FORMS = frozenset({("exact", ANY_WORD), ("exact", NUMBER_TOKEN)})
# In an urgent phrase, `@medical` stands for words that a medical phrase matched.
MEDICAL_WORDS = ("medical", "@medical")
# Words people put inside a phrase without changing what it says. One may sit between any two
# words of a phrase.
FILLER_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "just",
        "really",
        "so",
        "very",
        "own",
        "fucking",
        "fking",
        "fkn",
        "fuckin",
        "freaking",
        "frickin",
        "literally",
        "actually",
        "even",
        "totally",
        "kinda",
        "truly",
        "honestly",
        "seriously",
        "probably",
        "definitely",
        "all",
    ]
)
MAX_GAP = 4


@dataclass(frozen=True)
class Word:
    text: str
    # The word with every doubled letter single, when it was typed with a letter held down.
    held: str | None = None
    is_number: bool = False


def fold(text):
    """Lower case, compatibility forms and accents folded, apostrophes dropped."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for apostrophe in APOSTROPHES:
        text = text.replace(apostrophe, "")
    return text


# One way of writing what people write several ways, in messages and phrases alike: "do not"
# and "don't" (folded to "dont") read the same, "wanna" reads "want to", so a phrase needs one
# form only.
CONTRACTIONS = {
    "do not": "dont", "does not": "doesnt", "did not": "didnt", "can not": "cant",
    "cannot": "cant", "could not": "couldnt", "will not": "wont", "would not": "wouldnt",
    "is not": "isnt", "are not": "arent", "was not": "wasnt", "were not": "werent",
    "have not": "havent", "has not": "hasnt", "should not": "shouldnt", "i am": "im",
    "no one": "noone", "no body": "nobody", "wanna": "want to", "wana": "want to",
    "gonna": "going to", "gotta": "got to", "kinda": "kind of", "dnt": "dont", "cnt": "cant",
    "wnt": "wont", "im gonna": "im going to",
    "u": "you", "ur": "your", "r": "are", "i m": "im", "can t": "cant", "don t": "dont",
    "won t": "wont", "didn t": "didnt", "isn t": "isnt", "doesn t": "doesnt", "aint": "isnt",
    "my self": "myself", "him self": "himself", "her self": "herself", "your self": "yourself",
    "them selves": "themselves", "them self": "themself", "to many": "too many",
    "w": "with", "b": "be", "b4": "before", "tonite": "tonight", "omw": "on my way",
    "thx": "thanks", "ppl": "people", "rn": "right now",
}  # fmt: skip
CONTRACTION = re.compile(
    r"\b(" + "|".join(re.escape(k) for k in sorted(CONTRACTIONS, key=len, reverse=True)) + r")\b"
)


def canonical(folded):
    """Folded text with the two-word forms above written as one word."""
    return CONTRACTION.sub(lambda match: CONTRACTIONS[match.group(1)], folded)


def read_words(text):
    """The message as a list of Words, numbers as `#` and units split from them."""
    words = []
    for raw in RAW_WORD.findall(canonical(" ".join(fold(text).split()))):
        unit = NUMBER_AND_UNIT.match(raw)
        if unit and unit.group(2) in UNITS:
            words += [Word(unit.group(1), is_number=True), Word(unit.group(2))]
            continue
        if NUMBER.match(raw):
            words.append(Word(raw, is_number=True))
            continue
        # Anything else with letters in it is a word, leetspeak and all ("5uicidal", "0d").
        word = raw.translate(LEETSPEAK) if any(ch.isalpha() for ch in raw) else raw
        word = "".join(ch for ch in word if ch.isalnum())
        if not word:
            continue
        if word.isdigit():  # "$500"
            words.append(Word(word, is_number=True))
            continue
        if HELD_LETTER.search(word):
            words.append(Word(HELD_LETTER.sub(r"\1\1", word), DOUBLE_LETTER.sub(r"\1", word)))
        else:
            words.append(Word(word))
    return words


@cache
def common_words():
    """English and Spanish words common enough that a typo would rarely produce them.

    pyspellchecker ships word frequencies from a large English corpus in its package, so
    nothing is fetched at run time; only the common ones are kept in memory.
    """
    from spellchecker import SpellChecker

    common = set()
    # Spanish too: a Spanish word ("saber") is no misspelling of an English one ("sober").
    for language in ("en", "es"):
        frequencies = SpellChecker(language=language).word_frequency
        common.update(word for word, count in frequencies.items() if count >= 1000)
    return frozenset(common)


def allowed_typos(length):
    if length < 5:
        return 0
    return 1 if length < 9 else 2


# Two or more capitalised words in a row, not starting a sentence: a name ("Pill Hill",
# "Medicine Hat", "the Cancer Center garage").
CAPITALISED_RUN = re.compile(
    r"(?:\b[A-Z][a-z\u00e0-\u00ff]{1,}\b[ \t]+){1,}\b[A-Z][a-z\u00e0-\u00ff]{1,}\b"
)
NAME_ENDINGS = frozenset(
    [
        "street",
        "road",
        "avenue",
        "ave",
        "lane",
        "drive",
        "boulevard",
        "blvd",
        "way",
        "plaza",
        "mall",
        "square",
        "market",
        "mart",
        "garage",
        "motors",
        "auto",
        "shop",
        "store",
        "cafe",
        "bakery",
        "salon",
        "gym",
        "hill",
        "heights",
        "park",
        "center",
        "centre",
        "hospital",
        "institute",
        "foundation",
        "clinic",
        "pharmacy",
        "hat",
        "city",
        "valley",
        "bridge",
        "station",
        "office",
        "building",
        "tower",
        "school",
        "college",
        "university",
        "association",
        "society",
        "walk",
        "run",
    ]
)
SENTENCE_END = re.compile(r"(^|[.!?:;\n\"(])\s*$")


def name_positions(text, texts):
    """Positions (in `texts`, the message as read) of the words of names in this message: two
    or more capitalised words in a row, not starting a sentence, the last a word names end
    with ("Cancer Center", "Aspirin Way", "Pill Hill")."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > len(letters) / 2:
        return frozenset()  # written in capitals: nothing stands out as a name
    found = set()
    for run in CAPITALISED_RUN.finditer(text):
        words = run.group().split()
        if SENTENCE_END.search(text[: run.start()]):
            words = words[1:]  # the first is capitalised because it starts a sentence
        name = [word.text for word in read_words(" ".join(words))]
        if len(name) < 2 or name[-1] not in NAME_ENDINGS:
            continue
        for start in range(len(texts) - len(name) + 1):
            if texts[start : start + len(name)] == name:
                found.update(range(start, start + len(name)))
    return frozenset(found)


# ---------------------------------------------------------------------------------------------
# Reading a phrase into a pattern

GROUPS = {
    "self": "myself himself herself themselves themself themselfs yourself ourselves ourself "
    "meself mself myslef",
    "someone": "he she they him her them his hers their hes shes theyre hell shell husband "
    "wife partner boyfriend toddler infant teen teenager "
    "girlfriend fiance fiancee spouse dad father mom mum mother mommy daddy son daughter kid "
    "kids child baby brother sister bro sis friend roommate grandma grandpa grandmother "
    "grandfather grandson granddaughter uncle aunt cousin nephew niece stepdad stepmom "
    "parent neighbor neighbour coworker patient someone somebody",
    "family": "husband wife partner boyfriend girlfriend fiance fiancee spouse dad father mom "
    "mum mother mommy daddy son daughter kid child baby toddler infant teen teenager brother "
    "sister friend roommate roomate grandma "
    "grandpa grandmother grandfather uncle aunt cousin stepdad stepmom",
    # Words that make the word before them a name on a map ("Dose Road", "Pill Hill").
    "place": "street road avenue ave lane drive boulevard blvd plaza mall square market "
    "mart garage motors auto autos shop store cafe bakery salon gym hill heights park",
}


# Words that say who or which, not what: a match is excused when all its other words lie inside
# exceptions ("the pill" inside "the Pill Hill stop", "my mom is dying" inside "dying to ...").
LIGHT_WORDS = FILLER_WORDS | frozenset(
    (
        "i im me my mine he she they we you your our it its is was be been am are and or to of "
        "in on at for with this that " + GROUPS["self"] + " " + GROUPS["someone"]
    ).split()
)
LIGHT_FORMS = frozenset((how, word) for word in LIGHT_WORDS for how in ("exact", "fuzzy"))


class PhraseError(ValueError):
    """A phrase a reviewer typed that screening cannot read. The message says how to fix it."""


@dataclass(frozen=True)
class Slot:
    """One word of a phrase: the word forms it accepts, and how many words may come before."""

    forms: frozenset  # of (how, text): how is "exact", "fuzzy" or "prefix"
    max_gap: int = 0


def parse_form(token):
    if token in (NUMBER_TOKEN, ANY_WORD):
        return {("exact", token)}
    if token == MEDICAL_WORDS[1]:
        return {MEDICAL_WORDS}
    if token.startswith("@"):
        name = token[1:]
        if name not in GROUPS:
            known = ", ".join(f"@{group}" for group in [*GROUPS, "medical"])
            raise PhraseError(f"There is no group called {token}. The groups are {known}.")
        return {("exact", word) for word in GROUPS[name].split()}
    exact = token.startswith("=")
    prefix = token.endswith("*")
    text = token.strip("=*")
    words = read_words(text)
    if len(words) != 1:
        raise PhraseError(
            f"'{token}' is not one word. Use letters only, '*' at the end of a word, "
            "'/' between alternatives and '...' between words."
        )
    text = words[0].text
    if prefix:
        if len(text) < 3:
            raise PhraseError(f"'{token}' is too short to end with '*': it would match too much.")
        return {("prefix", text)}
    return {("exact" if exact else "fuzzy", text)}


@cache
def parse_phrase(phrase):
    """The phrase as a tuple of Slots. Raises PhraseError with a plain explanation."""
    slots = []
    gap = 0
    folded = fold(phrase).replace("\u2026", " ... ").split()
    check_alternatives_keep_their_meaning(folded)
    tokens = canonical(" ".join(folded)).split()
    for token in tokens:
        if set(token) == {"."}:
            if not slots:
                raise PhraseError("A phrase cannot start with '...'.")
            gap = MAX_GAP
            continue
        forms = set()
        for alternative in token.split("/"):
            if not alternative:
                raise PhraseError(f"'{token}' has an empty alternative: check the '/' in it.")
            if "-" in alternative.strip("=*"):
                # "self-harm" is two words, as the message reader sees it.
                parts = alternative.split("-")
                if len(token.split("/")) > 1:
                    raise PhraseError(f"Write '{alternative}' with a space, not a hyphen.")
                for part in parts[:-1]:
                    slots.append(Slot(frozenset(parse_form(part)), gap))
                    gap = 0
                alternative = parts[-1]
            forms |= parse_form(alternative)
        slots.append(Slot(frozenset(forms), gap))
        gap = 0
    if not any(form[1] not in (ANY_WORD, NUMBER_TOKEN) for slot in slots for form in slot.forms):
        raise PhraseError("Please type at least one word.")
    if all(slot.forms <= WILDCARD_FORMS | LIGHT_FORMS for slot in slots):
        raise PhraseError(
            "Words like 'my', 'the', 'he' or 'myself' never count alone: add a word that says "
            "what the phrase is about."
        )
    if all(slot.forms <= WILDCARD_FORMS | LIGHT_FORMS | {MEDICAL_WORDS} for slot in slots):
        raise PhraseError("@medical needs a word beside it, such as 'took all my @medical'.")
    if gap:
        raise PhraseError("A phrase cannot end with '...'.")
    return tuple(slots)


def check_alternatives_keep_their_meaning(tokens):
    """Refuse alternatives that reading would change: "can/could not breathe" would read
    "can/couldnt breathe" (two words made one), which matches neither "cannot" nor "can't"."""

    def alternatives(token):
        return [alternative.strip("=*") for alternative in token.split("/")]

    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if "/" not in token and (following is None or "/" not in following):
            continue
        texts = alternatives(token) if "/" in token else []
        if following is not None:
            texts += [f"{a} {b}" for a in alternatives(token) for b in alternatives(following)]
        for text in texts:
            if canonical(text) != text:
                raise PhraseError(
                    f"'{text}' is read as '{canonical(text)}', so it cannot be one of several "
                    "alternatives: write each form on its own line (for example 'cant breathe' "
                    "and 'couldnt breathe')."
                )


def phrase_error(phrase):
    """Why this phrase cannot be used, or "" if it can."""
    try:
        parse_phrase(phrase)
    except PhraseError as error:
        return str(error)
    return ""


# ---------------------------------------------------------------------------------------------
# Matching


class PhraseBook:
    """A phrase list, compiled once, matched against many messages.

    Every word form in the list is indexed, so a message's words are looked up, not compared
    with every phrase: screening time grows with the message, hardly with the list.
    """

    def __init__(self, phrases, model=None):
        # phrases: {kind: [phrase, ...]}; unreadable phrases are skipped (the admin refuses them).
        # model: the word model (contact/screening_model.py) that may add a flag, or None.
        self.model = model
        self.patterns = {kind: [] for kind in ScreeningPhrase.Kind.values}
        self.exact, self.prefixes, fuzzy = {}, {}, set()
        # Each word form with its doubled letters single, for words typed with a letter held
        # down: "kiiiill" reads "kil", as does "kill".
        self.collapsed = {}
        for kind, texts in phrases.items():
            for text in texts:
                try:
                    slots = parse_phrase(text)
                except PhraseError:
                    continue
                self.patterns.setdefault(kind, []).append((text, slots))
                for slot in slots:
                    for how, form in slot.forms - {MEDICAL_WORDS}:
                        if how == "prefix":
                            self.prefixes.setdefault(form, set()).add((how, form))
                        else:
                            self.exact.setdefault(form, set()).add((how, form))
                            collapsed = DOUBLE_LETTER.sub(r"\1", form)
                            self.collapsed.setdefault(collapsed, set()).add((how, form))
                            if how == "fuzzy" and allowed_typos(len(form)):
                                fuzzy.add(form)
        self.fuzzy_forms = sorted(fuzzy)
        self.prefix_lengths = sorted({len(stem) for stem in self.prefixes})

    def forms_of(self, word, memo):
        """Every phrase word form that this message word matches."""
        if word in memo:
            return memo[word]
        found = set()
        if word.held:
            found |= self.collapsed.get(word.held, set())
        for text in {word.text, word.held} - {None}:
            found |= self.exact.get(text, set())
            for length in self.prefix_lengths:
                if length > len(text):
                    break
                found |= self.prefixes.get(text[:length], set())
        found |= self.exact.get(ANY_WORD, set())
        if word.is_number:
            found |= self.exact.get(NUMBER_TOKEN, set())
        elif len(word.text) >= 4 and word.text not in common_words():
            found |= self.misspelt_forms(word.text)
        memo[word] = found
        return found

    def misspelt_forms(self, text):
        found = set()
        for form, distance, _ in process.extract(
            text,
            self.fuzzy_forms,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=2,
            limit=None,
        ):
            if form[0] == text[0] and distance <= allowed_typos(len(form)):
                found.add(("fuzzy", form))
        # A misspelt start of a word: "suisidal" for "suicid*".
        for length in self.prefix_lengths:
            if length < 5 or length > len(text) + 1:
                continue
            for stem in self.prefixes:
                if len(stem) != length or stem[0] != text[0]:
                    continue
                tries = {text[: length - 1], text[:length], text[: length + 1]}
                if any(DamerauLevenshtein.distance(stem, c, score_cutoff=1) <= 1 for c in tries):
                    found.add(("prefix", stem))
        return found

    def matches(self, slots, matched, words):
        """Each place the phrase's slots match, in order, within their gaps: a tuple of the
        positions of the words the slots matched (gap words left out)."""
        results = []
        for start, forms in enumerate(matched):
            if slots[0].forms & forms:
                rest = self.match_rest(slots, 1, start, matched, words)
                if rest is not None:
                    results.append((start, *rest))
        return results

    def match_rest(self, slots, index, last, matched, words):
        if index == len(slots):
            return ()
        slot = slots[index]
        limit = min(len(matched), last + 2 + max(slot.max_gap, 1))
        for position in range(last + 1, limit):
            gap = position - last - 1
            if slot.forms & matched[position] and (
                gap <= slot.max_gap or (gap == 1 and words[last + 1] in FILLER_WORDS)
            ):
                rest = self.match_rest(slots, index + 1, position, matched, words)
                if rest is not None:
                    return (position, *rest)
        return None

    def screen(self, text):
        words = read_words(text)
        memo = {}
        matched = [self.forms_of(word, memo) for word in words]
        texts = [word.text for word in words]
        present = set().union(*matched) if matched else set()

        def found(kind):
            hits = []
            for phrase, slots in self.patterns.get(kind, []):
                if all(slot.forms & present for slot in slots):
                    places = self.matches(slots, matched, texts)
                    if places:
                        hits.append((phrase, slots, places))
            return hits

        # An exception excuses the words its slots matched, never the words in its gaps. A
        # word matched only by `?` ("? street") is excused from medical phrases, not urgent
        # ones: "dying to ?" must not excuse "end" in "I'm dying to end it all".
        excused_words, excused_medical = set(), set()
        for _, slots, places in found(ScreeningPhrase.Kind.EXCEPTION):
            for place in places:
                for slot, position in zip(slots, place, strict=True):
                    if slot.forms <= WILDCARD_FORMS:
                        excused_medical.add(position)
                    else:
                        excused_words.add(position)
        excused_medical |= excused_words

        def counted(hits, excused):
            """(phrase, place) for each phrase with a match that counts: one with a telling
            word (not "my", "the" or "he") that is not excused."""
            results = []
            for phrase, _, places in hits:
                for place in places:
                    if any(
                        position not in excused and texts[position] not in LIGHT_WORDS
                        for position in place
                    ):
                        results.append((phrase, place))
                        break
            return results

        # `@medical` in an urgent phrase stands for any words a medical phrase matched, so
        # "took all my @medical" covers every medicine the list names, even a capitalised one.
        medical_hits = found(ScreeningPhrase.Kind.MEDICAL)
        for _, place in counted(medical_hits, excused_medical):
            present.add(MEDICAL_WORDS)
            for position in place:
                matched[position] = matched[position] | {MEDICAL_WORDS}
        # A medical word inside a name ("the Cancer Center garage", "Aspirin Way") asks nothing
        # medical; urgent words count even there (crisis wording wins when in doubt).
        names = name_positions(text, texts)
        medical = counted(medical_hits, excused_medical | names)
        urgent = counted(found(ScreeningPhrase.Kind.URGENT), excused_words)

        urgent_matches = [phrase for phrase, _ in urgent]
        medical_matches = [phrase for phrase, _ in medical]
        matched_words = [" ".join(texts[p[0] : p[-1] + 1]) for _, p in [*urgent, *medical]]
        if self.model is not None and texts:
            # The model can add a flag the phrases missed, never take one away.
            p_urgent, p_medical, scaled = self.model.score(text)
            for head, probability, matches, kind in [
                (self.model.urgent, p_urgent, urgent_matches, "crisis or emergency"),
                (self.model.medical, p_medical, medical_matches, "medical"),
            ]:
                if probability >= head.threshold and not matches:
                    words = self.model.telling_words(text, scaled, head)
                    matches.append(f"word model: reads like {kind} messages ({probability:.2f})")
                    matched_words.append("model: " + (" ".join(words) or "overall wording"))
        return ScreeningResult(
            urgent_matches=urgent_matches,
            medical_matches=medical_matches,
            matched_words=list(dict.fromkeys(matched_words)),
        )


OUTCOME_LABELS = {"urgent": "urgent card", "medical": "medical notice", "none": "no notice"}


@dataclass(frozen=True)
class ScreeningResult:
    # The phrases that matched, as reviewers wrote them.
    urgent_matches: list[str] = field(default_factory=list)
    medical_matches: list[str] = field(default_factory=list)
    # The message's words they matched (as read: folded, leetspeak undone), urgent first.
    matched_words: list[str] = field(default_factory=list)

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
    def outcome(self):
        """What the sender is shown: "urgent", "medical" or "none"."""
        if self.is_urgent:
            return "urgent"
        return "medical" if self.is_medical else "none"

    @property
    def outcome_label(self):
        return OUTCOME_LABELS[self.outcome]

    @property
    def summary(self):
        """What set the flags, for the inbox: the words in the message, urgent first."""
        return ", ".join(self.matched_words or [*self.urgent_matches, *self.medical_matches])[:300]


def active_phrases():
    phrases = {kind: [] for kind in ScreeningPhrase.Kind.values}
    for phrase, kind in ScreeningPhrase.objects.filter(is_active=True).values_list(
        "phrase", "kind"
    ):
        phrases.setdefault(kind, []).append(phrase)
    return phrases


def shipped_model():
    """The word model, or None (phrases alone) if it cannot be read: a broken model file must
    never stop a message from being screened."""
    from .screening_model import load_model  # it reads messages the way this module does

    try:
        return load_model()
    except Exception as error:  # noqa: BLE001 - any failure: screen with phrases alone
        logger.error("Screening word model not loaded (%s): phrases only", type(error).__name__)
        return None


def phrase_book(phrases):
    """The compiled list, with the shipped word model (screening_data/model.json) beside it."""
    return compiled_phrase_book(
        tuple((kind, tuple(texts)) for kind, texts in sorted(phrases.items()))
    )


# One compiled book per process, rebuilt whenever the list in the database differs: an edit in
# the admin applies to the next message, on every server, with no restart.
@lru_cache(maxsize=1)
def compiled_phrase_book(phrases):
    """`phrases` as ((kind, (phrase, ...)), ...), sorted by kind."""
    return PhraseBook({kind: list(texts) for kind, texts in phrases}, model=shipped_model())


def screen_message(text, phrases=None):
    """Screen a message with the list in the database (or `phrases`) and the word model.

    If screening itself fails, the message is treated as urgent: an unneeded urgent card
    costs a moment, a missed one can cost a life. (A database error is left to the caller,
    which tells the sender plainly that nothing was sent.)
    """
    phrases = active_phrases() if phrases is None else phrases
    try:
        return phrase_book(phrases).screen(text)
    except Exception as error:  # noqa: BLE001 - see above
        logger.error(
            "Screening failed (%s): the message is treated as urgent", type(error).__name__
        )
        return ScreeningResult(
            urgent_matches=["screening failed: treated as urgent"],
            matched_words=["screening failed"],
        )
