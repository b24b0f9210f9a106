import pytest


@pytest.fixture
def db():
    """Stand in for the suite's autouse database fixture: these tests are pure, so no app or connection is opened."""
    return None
