"""Do the pages stay fast with a big database? And does the CSV export stream?

Run with `make bench-large` (see benchmarks/README.md). It builds a fresh database with the
default content (SQLite in a temporary folder, or a new database on the PostgreSQL server
DATABASE_URL points at, dropped afterwards), times each target in this process with Django's
test client (page cache off, so the database work is what is measured), then adds 10,000
education pages and 1,000,000 inquiries (`generate_load_data`) and times them again. The CSV
export of every inquiry is timed with its peak Python memory (tracemalloc). Results go to
docs/benchmarks.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import (
    commit_hash,
    database_label,
    machine_description,
    production_env,
    scratch_database,
    write_results,
)

EDUCATION_PAGE = "/learn/after-your-infusion/"


def timed(client, url, repeats):
    """Median milliseconds of `repeats` GETs, after two warm-up requests."""
    for _ in range(2):
        assert client.get(url).status_code == 200, url  # noqa: S101
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url  # noqa: S101
    return statistics.median(samples)


def export_all(client, status_filter=""):
    """Export every inquiry (the admin's "select all" + CSV action): ms, rows, peak MiB."""
    from contact.models import Inquiry

    tracemalloc.start()
    start = time.perf_counter()
    response = client.post(
        "/admin/contact/inquiry/" + status_filter,
        {"action": "export_csv", "select_across": "1", "index": "0", "reason": "benchmark",
         "_selected_action": [Inquiry.objects.values_list("pk", flat=True).first()]},
    )  # fmt: skip
    rows = -1  # the header
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
    elapsed = (time.perf_counter() - start) * 1000
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return elapsed, rows, peak


def measure(client, repeats):
    targets = {
        "education page (page cache off)": EDUCATION_PAGE,
        "search results (driving)": "/search/?q=driving",
        "admin inquiry list, first page, status new": "/admin/contact/inquiry/?status=new",
        "admin inquiry list, first page, all but spam": "/admin/contact/inquiry/",
    }
    results = {name: timed(client, url, repeats) for name, url in targets.items()}
    results["CSV export, all inquiries"] = export_all(client, "?status=all")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--inquiries", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="portal-large-"))
    with scratch_database(workdir) as database_url:
        # The test client's host is "testserver".
        env = {**production_env(workdir, database_url), "DJANGO_ALLOWED_HOSTS": "testserver"}
        env["DJANGO_PAGE_CACHE_SECONDS"] = "0"
        run(args, env)


def run(args, env):
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_default_content", verbosity=0)
    call_command("generate_load_data", "--pages", "0", "--inquiries", "1000",
                 "--yes-this-is-a-benchmark-database")  # fmt: skip
    user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    # Past the second step of signing in (clinic/staff_auth.py), as staff are.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=user).persistent_id
    session.save()

    print("Timing on the default data (9 pages, 1,000 inquiries) ...", flush=True)
    small = measure(client, args.repeats)
    print(f"Adding {args.pages:,} pages and {args.inquiries:,} inquiries ...", flush=True)
    call_command("generate_load_data", "--pages", str(args.pages),
                 "--inquiries", str(args.inquiries - 1000),
                 "--yes-this-is-a-benchmark-database")  # fmt: skip
    if env["DATABASE_URL"].startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print("Timing on the large data ...", flush=True)
    large = measure(client, args.repeats)

    lines = [
        f"### Large data, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"commit {commit_hash()}",
        "",
        f"- Machine: {machine_description()}",
        f"- Database: {database_label(env)}; in-process Django test client, page cache off, "
        f"median of {args.repeats} requests after 2 warm-ups",
        f"- Large data: the 9 default pages + {args.pages:,} copies (with their FAQs and "
        f"sources), {args.inquiries:,} inquiries",
        "",
        "| target | default data | large data | large / default |",
        "|---|---:|---:|---:|",
    ]
    for name, before in small.items():
        after = large[name]
        if isinstance(before, tuple):
            (ms_before, rows_before, mib_before), (ms_after, rows_after, mib_after) = (
                before,
                after,
            )
            lines.append(
                f"| {name}: time | {ms_before:,.0f} ms ({rows_before:,} rows) | "
                f"{ms_after:,.0f} ms ({rows_after:,} rows) | {ms_after / ms_before:.1f} |"
            )
            lines.append(
                f"| {name}: peak Python memory | {mib_before:.1f} MiB | {mib_after:.1f} MiB | "
                f"{mib_after / mib_before:.2f} |"
            )
        else:
            lines.append(f"| {name} | {before:.1f} ms | {after:.1f} ms | {after / before:.2f} |")
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    if not args.no_write:
        write_results(section)


if __name__ == "__main__":
    main()
