import pytest

#: Modules of pure tests (the engine, scoring, rotation): no app, no database.
PURE = {"test_engine", "test_rotation", "test_scoring"}


@pytest.fixture
def db(request):
    """Pure modules stand in a no-op for the suite's autouse database; the board's tests get the real one."""
    if request.module.__name__.rsplit(".", 1)[-1] in PURE:
        return None
    return request.getfixturevalue("savepoint_db")
