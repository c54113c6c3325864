from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contact.screening import PhraseBook
from contact.screening_model import HASH_SIZE, MODEL_PATH, hashed_counts, save_model, scale
from contact.screening_report import (
    DEFAULT_PHRASES,
    LABELLED_SETS,
    TEST_SET,
    URGENT_CLASSES,
    read_labelled,
    read_phrase_file,
)

# The model may give at most this share of ordinary questions a notice the phrases did not, on
# messages it did not see while it was trained (five folds).
MODEL_FALSE_NOTICE_BUDGET = 0.025
THRESHOLDS = [round(0.05 * step, 2) for step in range(2, 20)]


def training_sets(*, with_test_set):
    """Every labelled set but the test set, which measures a model trained without it; once
    measured, the shipped model learns from it too (--with-test-set), as the README says."""
    return [path for path in LABELLED_SETS if path.exists() and (with_test_set or path != TEST_SET)]


class Command(BaseCommand):
    help = (
        "Train the screening word model (contact/screening_data/model.json) on the labelled "
        "training sets, choosing its thresholds on five held-out folds so that the model gives "
        "at most 2.5% of ordinary questions a notice the phrases did not. Needs scikit-learn "
        "(requirements-dev.txt); the site itself only reads the weights."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(MODEL_PATH), help="Where to write it.")
        parser.add_argument("--strength", type=float, default=24.0, help="Inverse L2 penalty.")
        parser.add_argument(
            "--with-test-set",
            action="store_true",
            help=f"Learn from {TEST_SET.name} too (after it has measured a model trained "
            "without it).",
        )

    def handle(self, *args, output, strength, with_test_set=False, **options):
        try:
            import numpy as np
            from scipy.sparse import csr_matrix
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import StratifiedKFold
        except ImportError as error:
            raise CommandError("Training needs scikit-learn: pip install scikit-learn") from error

        messages = [
            item
            for path in training_sets(with_test_set=with_test_set)
            for item in read_labelled(path)
        ]
        labels = np.array([item.label for item in messages])
        urgent = np.isin(labels, URGENT_CLASSES).astype(int)
        medical = (labels == "medical").astype(int)
        rows, cols, values = [], [], []
        for row, item in enumerate(messages):
            for index, value in scale(hashed_counts(item.message)).items():
                rows.append(row)
                cols.append(index)
                values.append(value)
        matrix = csr_matrix((values, (rows, cols)), shape=(len(messages), HASH_SIZE))
        book = PhraseBook(read_phrase_file(DEFAULT_PHRASES))
        by_phrases = [book.screen(item.message) for item in messages]
        phrase_urgent = np.array([result.is_urgent for result in by_phrases])
        phrase_notice = np.array([result.needs_notice for result in by_phrases])

        def model():
            return LogisticRegression(C=strength, class_weight="balanced", max_iter=2000)

        # Out-of-fold probabilities: what the model says of messages it has not seen.
        p_urgent, p_medical = np.zeros(len(messages)), np.zeros(len(messages))
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=7)
        for train, held in folds.split(matrix, labels):
            p_urgent[held] = (
                model().fit(matrix[train], urgent[train]).predict_proba(matrix[held])[:, 1]
            )
            p_medical[held] = (
                model().fit(matrix[train], medical[train]).predict_proba(matrix[held])[:, 1]
            )

        ordinary = labels == "ordinary"
        budget = phrase_notice[ordinary].mean() + MODEL_FALSE_NOTICE_BUDGET
        best = None
        for t_urgent in THRESHOLDS:
            for t_medical in THRESHOLDS:
                is_urgent = phrase_urgent | (p_urgent >= t_urgent)
                notice = phrase_notice | is_urgent | (p_medical >= t_medical)
                false_notices = notice[ordinary].mean()
                if false_notices > budget:
                    continue
                score = (is_urgent[urgent == 1].mean(), notice[medical == 1].mean())
                if best is None or score > best[0]:
                    best = (score, t_urgent, t_medical, false_notices)
        if best is None:
            raise CommandError("No thresholds keep ordinary notices within the budget.")
        (urgent_recall, medical_recall), t_urgent, t_medical, false_notices = best
        self.stdout.write(
            f"{len(messages)} messages. Held-out folds, phrases and model together: urgent "
            f"recall {urgent_recall:.1%}, medical recall {medical_recall:.1%}, ordinary given a "
            f"notice {false_notices:.1%}; phrases alone: urgent recall "
            f"{phrase_urgent[urgent == 1].mean():.1%}, medical recall "
            f"{phrase_notice[medical == 1].mean():.1%}, ordinary given a notice "
            f"{phrase_notice[ordinary].mean():.1%}. Thresholds: urgent {t_urgent}, "
            f"medical {t_medical}."
        )

        final_urgent = model().fit(matrix, urgent)
        final_medical = model().fit(matrix, medical)
        save_model(
            Path(output),
            urgent=(final_urgent.coef_[0], float(final_urgent.intercept_[0]), t_urgent),
            medical=(final_medical.coef_[0], float(final_medical.intercept_[0]), t_medical),
            trained_on=len(messages),
        )
        self.stdout.write(f"Wrote {output}.")
