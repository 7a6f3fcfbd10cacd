"""The baseline: a bare aiohttp handler that reads a form and answers a small JSON 201, as a
Twilio create does, with nothing behind it. `python loadtests/bare_server.py PORT`."""

import sys

from aiohttp import web


async def create(request: web.Request) -> web.Response:
    form = await request.post()
    return web.json_response({"sid": "SM" + "0" * 32, "to": form.get("To")}, status=201)


app = web.Application()
app.router.add_post("/{tail:.*}", create)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
