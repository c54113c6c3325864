"""Measure the portal's pages against a bare Django app, under gunicorn, with wrk.

Run with `make bench` (see benchmarks/README.md). It sets up a fresh database (SQLite in a
temporary folder, or a new database on the PostgreSQL server DATABASE_URL points at, dropped
afterwards), loads the default content, starts gunicorn with production settings, and beside
it the bare `startproject` app of benchmarks/bare/ serving the education page's bytes. Every
request carries a browser's `Accept-Encoding: gzip, br`. Every target is measured in
interleaved rounds so that drift on a shared machine hits all targets alike. Medians of the
rounds are printed and written to docs/benchmarks.md with the date, machine and commit.
"""

import argparse
import base64
import contextlib
import datetime
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
EDUCATION_PAGE = "/learn/after-your-infusion/"
# What a browser sends: the pages are measured as they are served to one.
BROWSER_HEADERS = ["Accept-Encoding: gzip, br"]


@dataclass
class Target:
    name: str
    path: str
    server: str = "cached"  # which gunicorn serves it: "cached", "uncached" or "bare"
    wrk_script: str | None = None
    results: list[dict] = field(default_factory=list)

    def median(self, key):
        return statistics.median(result[key] for result in self.results)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir, database_url, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SITE_URL="http://127.0.0.1",
        # wrk speaks plain HTTP on the loopback; everything else stays as in production.
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SESSION_COOKIE_SECURE="false",
        DJANGO_CSRF_COOKIE_SECURE="false",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_CACHE_DIR=str(workdir / "cache"),
        DJANGO_LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
        DJANGO_BENCHMARK_TOOLS="true",
        # Every benchmark POST comes from one address; measure the valid-submission path,
        # not the rate limit's spam path.
        CONTACT_MAX_PER_HOUR="100000000",
        CONTACT_MAX_PER_HOUR_PER_NETWORK="100000000",
        **extra,
    )
    return env


@contextlib.contextmanager
def scratch_database(workdir):
    """A database for one run: a SQLite file in `workdir`, or, when DATABASE_URL points at
    PostgreSQL, a new database on that server (dropped afterwards). Real data is never touched."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    import psycopg

    server, _, _ = url.rpartition("/")
    name = f"portal_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


@contextlib.contextmanager
def gunicorn(env, port, workers, app="portal.wsgi", ready_path="/healthz"):
    command = [
        PYTHON, "-m", "gunicorn", app, "-c", "gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--access-logfile", "/dev/null", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603
    try:
        wait_until_up(f"http://127.0.0.1:{port}{ready_path}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_up(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as response,  # noqa: S310 - loopback
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer at {url}")


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        return response.read()


def contact_post_script(base, workdir):
    """A wrk script that posts valid submissions with a real CSRF token and form timestamp."""
    with urllib.request.urlopen(base + "/contact/", timeout=10) as response:  # noqa: S310
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.headers["Set-Cookie"]).group(1)

    def field(name):
        return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)

    time.sleep(4)  # the form's minimum fill time: these are people, not spam
    values = {
        "CSRF_TOKEN": field("csrfmiddlewaretoken"),
        "CSRF_COOKIE": cookie,
        "FORM_STARTED": field("form_started"),
        "TOPIC": field("topic"),
        "REFERER": base + "/contact/",
    }
    header = "".join(f'{name} = "{value}"\n' for name, value in values.items())
    script = workdir / "contact_post.lua"
    script.write_text(header + (ROOT / "benchmarks" / "contact_post.lua").read_text())
    return str(script)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(url, *, duration, connections, threads, script=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for header in BROWSER_HEADERS:
        command[1:1] = ["-H", header]
    if script:
        command[1:1] = ["-s", script]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    output = completed.stdout

    def latency(percentile):
        pattern = rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$"
        value, unit = re.search(pattern, output, re.M).groups()
        return float(value) * UNITS[unit]

    requests = int(re.search(r"(\d+) requests in", output).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(50),
        "p99": latency(99),
        "errors": errors,
        "requests": requests,
    }


def machine_description():
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, AttributeError):
        meminfo = Path("/proc/meminfo").read_text()
        kilobytes = int(re.search(r"^MemTotal:\s+(\d+) kB", meminfo, re.M).group(1))
        memory = f", {kilobytes / 1024 / 1024:.0f} GiB RAM"
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores{memory}, {system}, Python {platform.python_version()}"


def git(*args):
    command = ["git", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout.strip()  # noqa: S603


def commit_hash():
    dirty = " (with uncommitted changes)" if git("status", "--porcelain") else ""
    return git("rev-parse", "--short", "HEAD") + dirty


def database_label(env):
    return "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"


def report(targets, *, args, env, static_bytes, page_bytes):
    reference = next(t for t in targets if t.server == "bare")
    lines = [
        f"### {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit {commit_hash()}",
        "",
        f"- Machine: {machine_description()}",
        f"- Database: {database_label(env)}; cache: "
        f"{'Redis' if env.get('REDIS_URL') else 'files on disk'}; gunicorn {args.workers} sync "
        f"workers; `wrk -t{args.threads} -c{args.connections} -d{args.duration}s`; "
        f"median of {args.rounds} interleaved rounds; every request with "
        f"`{'`, `'.join(BROWSER_HEADERS)}`",
        f"- Education page {EDUCATION_PAGE}: {page_bytes:,} bytes of HTML; static file: "
        f"{static_bytes:,} bytes",
        "",
        "| target | req/s | p50 ms | p99 ms | errors | x bare app |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for target in targets:
        ratio = target.median("rps") / reference.median("rps")
        errors = sum(result["errors"] for result in target.results)
        lines.append(
            f"| {target.name} | {target.median('rps'):,.0f} | {target.median('p50'):.1f} | "
            f"{target.median('p99'):.1f} | {errors} | {ratio:.2f} |"
        )
    return "\n".join(lines) + "\n"


def write_results(section):
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    marker = "<!-- results: newest first -->"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{marker}\n"
    if marker not in text:
        text += f"\n{marker}\n"
    path.write_text(text.replace(marker, f"{marker}\n\n{section}", 1))
    print(f"Results written to {path.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--no-write", action="store_true", help="print, don't write the docs")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    with scratch_database(workdir) as database_url:
        run(args, workdir, production_env(workdir, database_url))
    shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir, env):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_default_content", "-v0")

    uncached_env = {**env, "DJANGO_PAGE_CACHE_SECONDS": "0"}
    targets = [
        Target("home page", "/"),
        Target("education page", EDUCATION_PAGE),
        Target("home page, page cache off", "/", server="uncached"),
        Target("education page, page cache off", EDUCATION_PAGE, server="uncached"),
        Target("search results (driving)", "/search/?q=driving"),
        Target("contact form", "/contact/"),
        Target("contact form POST (valid)", "/contact/"),
        Target("sitemap.xml", "/sitemap.xml"),
        Target("static file", ""),
        Target("bare startproject app, same bytes", "/", server="bare"),
    ]
    port, uncached_port, bare_port = free_port(), free_port(), free_port()
    with (
        gunicorn(env, port, args.workers) as base,
        gunicorn(uncached_env, uncached_port, args.workers) as uncached_base,
    ):
        page = fetch(base + EDUCATION_PAGE)
        (workdir / "bare-page.html").write_bytes(page)
        with gunicorn(
            bare_env(workdir / "bare-page.html"),
            bare_port,
            args.workers,
            app="benchmarks.bare.wsgi",
            ready_path="/",
        ) as bare_base:
            assert fetch(bare_base + "/") == page  # noqa: S101
            static_bytes, page_bytes = measure(
                args, targets, workdir, page, base, uncached_base, bare_base
            )
    # wrk counts a re-shown form (200) as success: check the POSTs really stored inquiries.
    manage(
        env,
        "shell",
        "-c",
        "from contact.models import Inquiry; "
        "print('Contact POSTs stored as new inquiries:', Inquiry.objects.filter(status='new')"
        ".count(), '- as spam:', Inquiry.objects.filter(status='spam').count())",
    )
    section = report(targets, args=args, env=env, static_bytes=static_bytes, page_bytes=page_bytes)
    print("\n" + section)
    if not args.no_write:
        write_results(section)


def bare_env(page_file):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="benchmarks.bare.settings", BARE_PAGE_FILE=str(page_file))
    return env


def measure(args, targets, workdir, page, base, uncached_base, bare_base):
    """Run every target in interleaved rounds; (static file bytes, education page bytes)."""
    servers = {"cached": base, "uncached": uncached_base, "bare": bare_base}
    static_path = re.search(rb'href="(/static/css/site\.[0-9a-f]+\.css)"', page).group(1)
    static_target = next(t for t in targets if t.name == "static file")
    static_target.path = static_path.decode()
    static_bytes = len(fetch(base + static_target.path))
    post_target = next(t for t in targets if t.name == "contact form POST (valid)")
    post_target.wrk_script = contact_post_script(base, workdir)
    for round_number in range(1, args.rounds + 1):
        for target in targets:
            result = run_wrk(
                servers[target.server] + target.path,
                duration=args.duration,
                connections=args.connections,
                threads=args.threads,
                script=target.wrk_script,
            )
            target.results.append(result)
            print(
                f"round {round_number} {target.name:34} {result['rps']:9.0f} req/s "
                f"p50 {result['p50']:6.1f} ms p99 {result['p99']:6.1f} ms "
                f"errors {result['errors']}",
                flush=True,
            )
    return static_bytes, len(page)


if __name__ == "__main__":
    main()
