"""A second net under the phrase list: a small word model trained on the labelled messages.

Phrases catch what reviewers have thought of; people in crisis also write what nobody listed
("checking out tonight", "the insurance will pay out"). This model scores a message by the
words and word pieces it shares with the crisis, emergency and medical messages it was trained
on (a logistic regression over hashed word, word-pair and letter-group features). It runs in
plain Python on weights kept in the repo (screening_data/model.json): nothing is fetched, and
it adds about a millisecond a message.

It can only add a notice, never take one away: a message is urgent when a phrase says so OR
the model's urgent score passes its threshold. Its thresholds were chosen on held-out folds so
that few ordinary questions pass (see `manage.py train_screening_model`). The inbox shows the
words that weighed most, so a flag it sets can be explained too.
"""

import base64
import json
import math
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from .screening import LIGHT_WORDS, read_words

MODEL_PATH = Path(__file__).resolve().parent / "screening_data" / "model.json"
HASH_BITS = 17
HASH_SIZE = 1 << HASH_BITS


def features(text):
    """The message's features: words, pairs of words, and letter groups inside words (which
    carry misspellings). Read as screening reads it: folded, leetspeak undone."""
    words = [word.held or word.text for word in read_words(text)]
    found = [f"w:{word}" for word in words]
    found += [f"b:{a}_{b}" for a, b in pairwise(words)]
    for word in words:
        padded = f"<{word}>"
        for size in (3, 4, 5):
            found += [f"c:{padded[i : i + size]}" for i in range(len(padded) - size + 1)]
    return found


def feature_index(feature):
    return zlib.crc32(feature.encode()) & (HASH_SIZE - 1)


def hashed_counts(text):
    """{bucket: count}, as the model sees the message (training uses the same function)."""
    counts = {}
    for feature in features(text):
        index = feature_index(feature)
        counts[index] = counts.get(index, 0) + 1
    return counts


def scale(counts):
    """Log counts, normalised to unit length: long messages weigh no more than short ones."""
    weighted = {index: 1 + math.log(count) for index, count in counts.items()}
    norm = math.sqrt(sum(value * value for value in weighted.values())) or 1.0
    return {index: value / norm for index, value in weighted.items()}


@dataclass(frozen=True)
class Head:
    """One yes/no question the model answers ("urgent?" or "medical?")."""

    weights: array
    bias: float
    threshold: float

    def probability(self, scaled):
        score = self.bias + sum(self.weights[index] * value for index, value in scaled.items())
        return 1 / (1 + math.exp(-max(min(score, 30), -30)))


@dataclass(frozen=True)
class ScreeningModel:
    urgent: Head
    medical: Head
    trained_on: int

    def score(self, text):
        """(urgent probability, medical probability, the words that weighed most for urgent)."""
        scaled = scale(hashed_counts(text))
        return self.urgent.probability(scaled), self.medical.probability(scaled), scaled

    def telling_words(self, text, scaled, head, limit=3):
        """The message's words that pushed this head's score up most, for the inbox."""
        contributions = {}
        for word in {word.held or word.text for word in read_words(text)} - LIGHT_WORDS:
            index = feature_index(f"w:{word}")
            if index in scaled:
                contributions[word] = head.weights[index] * scaled[index]
        best = sorted(contributions.items(), key=lambda item: -item[1])
        return [word for word, value in best[:limit] if value > 0]


def encode_weights(weights):
    return base64.b64encode(array("f", weights).tobytes()).decode()


def decode_weights(text):
    weights = array("f")
    weights.frombytes(base64.b64decode(text))
    return weights


def save_model(path, *, urgent, medical, trained_on):
    """urgent and medical: (weights, bias, threshold)."""
    data = {
        "hash_bits": HASH_BITS,
        "trained_on": trained_on,
        "heads": {
            name: {"weights": encode_weights(w), "bias": b, "threshold": t}
            for name, (w, b, t) in {"urgent": urgent, "medical": medical}.items()
        },
    }
    Path(path).write_text(json.dumps(data), encoding="utf-8")


@cache
def load_model(path=MODEL_PATH):
    """The shipped model, or None if there is none (then screening is phrases alone)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if data["hash_bits"] != HASH_BITS:
        raise ValueError(f"{path} was trained with {data['hash_bits']} hash bits")
    heads = {
        name: Head(decode_weights(head["weights"]), head["bias"], head["threshold"])
        for name, head in data["heads"].items()
    }
    return ScreeningModel(heads["urgent"], heads["medical"], data["trained_on"])
