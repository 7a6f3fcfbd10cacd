"""`/api/v1/usage/sms/`: messages, segments and cost per direction, by country, number or day.

`?date_start=&date_end=&group_by=country|number|day&format=json|csv`; the query string is
checked by `gateway.core.usage.parse_query` (400 naming the parameter), the counting is the store's
and the shaping is `gateway.core.usage`'s.
"""

from __future__ import annotations

from aiohttp import web

from gateway.api.common import add_route, org_of, store_of, tz_of
from gateway.core import dates
from gateway.core.usage import parse_query, render_csv, render_json, summarize

__all__ = ["setup"]


async def sms_usage(request: web.Request) -> web.Response:
    query = parse_query(request.query, tz_of(request), dates.now())
    counts = await store_of(request).usage_counts(
        org_of(request),
        dates.iso(query.start),
        dates.iso(query.end),
        query.group_by,
        query.tz_minutes,
    )
    report = summarize(query, counts)
    if query.format == "csv":
        start, end = query.start.date().isoformat(), query.end.date().isoformat()
        return web.Response(
            text=render_csv(report),
            content_type="text/csv",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="sms-usage-{query.group_by}'
                f'-{start}-{end}.csv"'
            },
        )
    return web.json_response(render_json(report))


def setup(router: web.UrlDispatcher, base: str) -> None:
    add_route(router, "GET", f"{base}/usage/sms/", sms_usage)
