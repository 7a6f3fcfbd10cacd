"""The OpenAPI description covers every route the gateway registers, and is served."""

from __future__ import annotations

from pathlib import Path

from gateway import Config, create_app
from gateway.edge.openapi import load_description
from tests.gateway.harness import Harness

_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


def _registered() -> set[tuple[str, str]]:
    # the console (/ui/, gateway.ui) is pages for people, not part of the API described
    app = create_app(Config(carrier_auth_token="x", ui=False))
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if route.method in _METHODS and path:
            # every API path answers with and without Close's trailing slash: describe one
            if path.startswith("/api/") and not path.endswith("/") and not path.endswith(".json"):
                path += "/"
            found.add((route.method, path))
    return found


def test_every_registered_route_is_described() -> None:
    paths = load_description()["paths"]
    described = {
        (method.upper(), path)
        for path, item in paths.items()
        for method in item
        if method.upper() in _METHODS
    }
    missing = _registered() - described
    assert not missing, f"routes missing from gateway/edge/openapi.yaml: {sorted(missing)}"
    assert not described - _registered(), "described routes that do not exist"


async def test_description_is_served_without_a_key(tmp_path: Path) -> None:
    harness = await Harness.start(tmp_path)
    try:
        status, body = await harness.request(None, "GET", "/api/v1/openapi.json")
        assert status == 200
        assert body["openapi"].startswith("3.") and "/api/v1/activity/sms/" in body["paths"]
    finally:
        await harness.close()


def test_every_creating_post_describes_the_idempotency_key() -> None:
    paths = load_description()["paths"]
    posts = {
        path for method, path in _registered() if method == "POST" and path.startswith("/api/v1/")
    }
    assert posts  # the creates: each takes an Idempotency-Key (gateway.api.idempotent)
    for path in posts:
        refs = [p.get("$ref", "") for p in paths[path]["post"].get("parameters", [])]
        assert "#/components/parameters/idempotency_key" in refs, path
