import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what would happen on commit (tests run inside a transaction that never commits)."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


# The clinic-details form's two tables of rows (opening periods, closed days), posted empty:
# the rows already stored stay as they are.
NO_INLINE_ROWS = {
    f"{prefix}-{field}": value
    for prefix in ("periods", "closures")
    for field, value in [
        ("TOTAL_FORMS", 0),
        ("INITIAL_FORMS", 0),
        ("MIN_NUM_FORMS", 0),
        ("MAX_NUM_FORMS", 1000),
    ]
}


@pytest.fixture
def cache_reads(settings):
    """Every read of the cache during the test, one list of keys per round trip (reads made
    in this thread: Django keeps one cache backend per thread)."""
    from django.core.cache import caches

    from .recording_cache import RECORDING_CACHES

    settings.CACHES = RECORDING_CACHES
    return caches["default"].reads
