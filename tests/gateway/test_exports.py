"""Each package `__init__` exports exactly what it names, and every name exists."""

import importlib

import pytest


@pytest.mark.parametrize("name", ["gateway", "gateway.store", "gateway.api"])
def test_all_is_honest(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for exported in module.__all__:
        assert hasattr(module, exported), exported
