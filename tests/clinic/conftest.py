import pytest


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what would happen on commit (tests run inside a transaction that never commits)."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run
