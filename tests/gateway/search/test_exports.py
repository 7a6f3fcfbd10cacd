"""gateway.search exports exactly what it names, as tests/gateway/test_exports.py checks for
the other packages."""

import gateway.search


def test_all_is_honest() -> None:
    assert gateway.search.__all__ == sorted(gateway.search.__all__)
    for exported in gateway.search.__all__:
        assert hasattr(gateway.search, exported), exported
