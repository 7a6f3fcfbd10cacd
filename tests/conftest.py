from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import drop_test_databases

TESTS = Path(__file__).resolve().parent
# Whole folders carry a marker (pyproject.toml says what each means); a test elsewhere that
# needs one says so itself (pytestmark).
FOLDER_MARKERS = {"e2e": ("e2e", "postgres"), "gateway": ("postgres",)}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        for marker in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(marker)


@pytest.fixture(autouse=True)
def _drop_test_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """A PostgreSQL test database lives as long as its test (see tests/databases.py); a test
    that asked for one must be marked `postgres`, or make test-postgres would leave it out."""
    yield
    if drop_test_databases() and request.node.get_closest_marker("postgres") is None:
        pytest.fail(
            f"{request.node.nodeid} opens a gateway database: mark it postgres"
            " (pytestmark = pytest.mark.postgres), so make test-postgres runs it"
        )
