from django.core.management.base import BaseCommand, CommandError

from contact.models import ScreeningExample
from contact.screening import PhraseBook, active_phrases
from contact.screening_model import load_model
from contact.screening_report import (
    CLASSES,
    LABELLED_SETS,
    THRESHOLDS,
    URGENT_CLASSES,
    evaluate,
    examples_as_messages,
    read_labelled,
    read_phrase_file,
)

WHAT_COUNTS = {
    "crisis": "given the urgent card",
    "emergency": "given the urgent card",
    "urgent": "given the urgent card",
    "medical": "given a notice (medical or urgent)",
    "ordinary": "given no notice",
}


class Command(BaseCommand):
    help = (
        "Measure safety screening on labelled messages: how many crisis and emergency "
        "messages get the urgent card, how many medical questions get a notice, how many "
        "ordinary questions are given one they should not, the time per message, and every "
        "miss. Uses the phrase list in the database (what the site uses now) and the labelled "
        "sets in contact/screening_data/, or the reviewers' screening examples with --examples."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--set",
            dest="sets",
            action="append",
            metavar="CSV",
            help="A labelled set (label,style,message); repeat for more. Default: every "
            "set in contact/screening_data/.",
        )
        parser.add_argument(
            "--examples",
            action="store_true",
            help="Measure on the screening examples reviewers keep in the admin instead.",
        )
        parser.add_argument(
            "--phrases",
            metavar="FILE",
            help="Use a phrase file (like contact/screening_data/default_phrases.txt) instead "
            "of the list in the database.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error if a threshold is missed."
        )

    def handle(self, *args, sets=None, examples=False, phrases=None, check=False, **options):
        book = PhraseBook(
            read_phrase_file(phrases) if phrases else active_phrases(), model=load_model()
        )
        # The first message pays for loading the word list; time the messages, not that.
        book.screen("warm up")
        if examples:
            named = [
                ("screening examples (admin)", examples_as_messages(ScreeningExample.objects.all()))
            ]
        else:
            paths = sets or [str(path) for path in LABELLED_SETS if path.exists()]
            try:
                named = [(path, read_labelled(path)) for path in paths]
            except (OSError, ValueError, KeyError) as error:
                raise CommandError(f"Could not read a labelled set: {error}") from error
        failed = []
        for name, messages in named:
            report = evaluate(messages, book.screen)
            self.print_report(name, report)
            failed += [f"{name}: {failure}" for failure in report.failures()]
        if failed:
            message = "Below the thresholds:\n  " + "\n  ".join(failed)
            if check:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(message))

    def print_report(self, name, report):
        write = self.stdout.write
        write(self.style.MIGRATE_HEADING(f"\n{name}: {sum(report.counts.values())} messages"))
        for label in CLASSES:
            if report.counts.get(label):
                hits, total = report.hits.get(label, 0), report.counts[label]
                write(
                    f"  {label:<10} {hits:>4} of {total:<4} {WHAT_COUNTS[label]:<36}"
                    f" {hits / total:6.1%}"
                )
        write(
            f"  urgent recall {report.urgent_recall:.1%} (target "
            f">= {THRESHOLDS['urgent_recall']:.0%}), medical recall {report.medical_recall:.1%} "
            f"(>= {THRESHOLDS['medical_recall']:.0%}), ordinary given a notice "
            f"{report.ordinary_notice_rate:.1%} (<= {THRESHOLDS['ordinary_notice_rate']:.0%})"
        )
        write(f"  time per message: p95 {report.p95_ms:.2f} ms")
        if report.misses:
            write(f"  misses ({len(report.misses)}):")
        for item, result in report.misses:
            got = result.outcome if result.outcome != "none" else "no notice"
            because = f" [{result.summary}]" if result.summary else ""
            kind = "urgent" if item.label in URGENT_CLASSES else item.label
            write(f"    - {item.label} ({kind}) got {got}{because}: {item.message}")
