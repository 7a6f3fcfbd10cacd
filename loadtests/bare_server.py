"""The baseline: a bare aiohttp handler that reads the request body (form or JSON) and answers
a small JSON 201 with nothing behind it. `python loadtests/bare_server.py PORT`."""

import sys

from aiohttp import web


async def create(request: web.Request) -> web.Response:
    if request.content_type == "application/json":
        body = await request.json()
    else:
        body = dict(await request.post())
    return web.json_response(
        {"id": "x" * 34, "to": body.get("To") or body.get("remote_phone")}, status=201
    )


app = web.Application()
app.router.add_post("/{tail:.*}", create)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
