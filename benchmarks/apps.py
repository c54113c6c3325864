from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Load generation for the benchmark scripts in this folder.

    Installed only when DJANGO_BENCHMARK_TOOLS is on (portal/settings.py): never in production.
    """

    name = "benchmarks"
    verbose_name = "Benchmark tools"
