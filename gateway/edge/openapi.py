"""The OpenAPI 3 description of the whole gateway API, served at `/api/v1/openapi.json`.

The description is maintained by hand in `openapi.yaml` beside this module (a test checks
that every registered route is described, so a new route cannot go undocumented; the
schemathesis test checks that it says what the validation does). What the configuration
decides (the largest `_limit`, the countries numbers are rented in) is filled in from the
running gateway's, so the description a client reads is this gateway's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from gateway.api.common import config_of

__all__ = ["PATH", "load_description", "setup"]

PATH = "/api/v1/openapi.json"
_FILE = Path(__file__).with_name("openapi.yaml")


@cache
def _rendered(max_limit: int, countries: tuple[str, ...]) -> bytes:
    data = load_description()
    data["components"]["parameters"]["limit"]["schema"]["maximum"] = max_limit
    rent = data["components"]["schemas"]["RentRequest"]["properties"]["country"]
    # the code is read in any case, as Close's clients type it
    rent["enum"] = [*countries, *(c.lower() for c in countries)]
    return json.dumps(data).encode()


def load_description() -> dict[str, Any]:
    data = yaml.safe_load(_FILE.read_text())
    assert isinstance(data, dict)
    return data


async def openapi(request: web.Request) -> web.Response:
    config = config_of(request)
    return web.Response(
        body=_rendered(config.max_limit, tuple(sorted(config.countries))),
        content_type="application/json",
    )


def setup(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, openapi)
