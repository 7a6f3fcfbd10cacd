from collections.abc import Iterator

import pytest

from tests.databases import drop_test_databases


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """A PostgreSQL test database lives as long as its test (see tests/databases.py)."""
    yield
    drop_test_databases()
