"""Lighthouse (mobile) on the home page and an education page, under gunicorn.

Run with `make lighthouse` (see benchmarks/README.md). It starts the site with production
settings on a scratch database (like bench.py), runs Lighthouse from
benchmarks/lighthouse/node_modules against Debian's Chromium (CHROME_PATH=/usr/bin/chromium),
and prints and writes to docs/benchmarks.md the four category scores, the bytes transferred
and the number of requests of each page's first view.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.bench import (
    commit_hash,
    database_label,
    free_port,
    gunicorn,
    machine_description,
    manage,
    production_env,
    scratch_database,
    write_results,
)

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
PAGES = {"home page": "/", "education page": "/learn/after-your-infusion/"}
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def lighthouse(url, workdir):
    report = workdir / f"lighthouse-{time.monotonic_ns()}.json"
    subprocess.run(  # noqa: S603 - our own pinned Lighthouse, a loopback URL
        [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
    )  # fmt: skip
    data = json.loads(report.read_text())
    scores = {name: round(data["categories"][name]["score"] * 100) for name in CATEGORIES}
    requests = data["audits"]["network-requests"]["details"]["items"]
    transferred = sum(item.get("transferSize", 0) for item in requests)
    return scores, len(requests), transferred


def main():
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: cd benchmarks/lighthouse && npm ci")
    workdir = Path(tempfile.mkdtemp(prefix="portal-lighthouse-"))
    with scratch_database(workdir) as database_url:
        env = production_env(workdir, database_url)
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        manage(env, "load_default_content", "-v0")
        rows = []
        with gunicorn(env, free_port(), 2) as base:
            for name, path in PAGES.items():
                scores, requests, transferred = lighthouse(base + path, workdir)
                rows.append((name, path, scores, requests, transferred))
                print(name, scores, requests, "requests", transferred, "bytes", flush=True)
    lines = [
        f"### Lighthouse {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"commit {commit_hash()}",
        "",
        f"- Machine: {machine_description()}",
        f"- Lighthouse 13.5.0, mobile (its default: simulated slow 4G and a 4x slower CPU), "
        f"Debian Chromium, headless; gunicorn with production settings; "
        f"{database_label(env)}",
        "",
        "| page | performance | accessibility | best practices | SEO | requests | transferred |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, path, scores, requests, transferred in rows:
        values = " | ".join(str(scores[category]) for category in CATEGORIES)
        lines.append(f"| {name} `{path}` | {values} | {requests} | {transferred / 1024:.1f} KB |")
    section = "\n".join(lines) + "\n"
    print("\n" + section)
    if "--no-write" not in sys.argv:
        write_results(section)


if __name__ == "__main__":
    main()
