"""The OpenAPI 3 description of the whole gateway API, served at `/api/v1/openapi.json`.

The description is maintained by hand in `openapi.yaml` beside this module (a test checks
that every registered route is described, so a new route cannot go undocumented) and read
once per app.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

__all__ = ["PATH", "load_description", "setup"]

PATH = "/api/v1/openapi.json"
_FILE = Path(__file__).with_name("openapi.yaml")


@cache
def _rendered() -> bytes:
    return json.dumps(load_description()).encode()


def load_description() -> dict[str, Any]:
    data = yaml.safe_load(_FILE.read_text())
    assert isinstance(data, dict)
    return data


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=_rendered(), content_type="application/json")


def setup(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, openapi)
