from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.store import Store, open_store
from tests.databases import database_for


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store of the backend under test, empty (tests/gateway/builders.py fills it)."""
    s = await open_store(database_for(tmp_path, "store"))
    yield s
    await s.close()
