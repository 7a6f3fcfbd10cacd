"""`/ui/inbox`, `/ui/numbers`, `/ui/usage`, `/ui/whitelist`: the API's lists and forms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from gateway.api.common import config_of
from gateway.core import dates
from gateway.core.errors import ApiError, ValidationFailed
from gateway.core.whitelist import CONTENT_TYPES
from gateway.ui.api_call import call_api
from gateway.ui.chart import bar_chart
from gateway.ui.guard import form_of, signed_in
from gateway.ui.render import fragment, live, page

__all__ = ["setup"]


def _errors(exc: ApiError) -> dict[str, str]:
    if isinstance(exc, ValidationFailed):
        return {**exc.field_errors, **({"form": "; ".join(exc.errors)} if exc.errors else {})}
    return {"form": str(exc)}


# --- inbox ---------------------------------------------------------------------------------


async def _inbox(request: web.Request) -> list[dict[str, Any]]:
    answer = await call_api(request, "GET", "/inbox/", query={"_limit": "50"})
    return list(answer.data["data"])


@signed_in
async def inbox(request: web.Request) -> web.StreamResponse:
    return page(request, "inbox.html", messages=await _inbox(request))


@signed_in
async def inbox_live(request: web.Request) -> web.StreamResponse:
    return live(fragment(request, "_inbox.html", messages=await _inbox(request)))


# --- numbers -------------------------------------------------------------------------------


async def _numbers_page(
    request: web.Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> web.Response:
    answer = await call_api(request, "GET", "/phone_number/", query={"_limit": "100"})
    return page(
        request,
        "numbers.html",
        status=status,
        numbers=answer.data["data"],
        countries=sorted(config_of(request).countries),
        errors=errors or {},
        form=form or {"country": config_of(request).default_region},
    )


@signed_in
async def numbers(request: web.Request) -> web.StreamResponse:
    return await _numbers_page(request)


async def _act(request: web.Request, method: str, path: str, body: Any) -> web.StreamResponse:
    try:
        await call_api(request, method, path, body)
    except ApiError as exc:  # a refused form, or the carrier's refusal or outage (502)
        return await _numbers_page(
            request, 400 if exc.status < 500 else exc.status, _errors(exc), await form_of(request)
        )
    raise web.HTTPSeeOther("/ui/numbers")


@signed_in
async def rent(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    body = {
        "country": form.get("country", ""),
        "prefix": form.get("prefix", "").strip(),
        "label": form.get("label", "").strip() or None,
    }
    return await _act(request, "POST", "/phone_number/request/internal/", body)


@signed_in
async def add_external(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    return await _act(
        request,
        "POST",
        "/phone_number/",
        {"number": form.get("number", "").strip(), "label": form.get("label", "").strip() or None},
    )


@signed_in
async def label(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    return await _act(
        request,
        "PUT",
        f"/phone_number/{quote(request.match_info['id'])}/",
        {"label": form.get("label", "").strip() or None},
    )


@signed_in
async def release(request: web.Request) -> web.StreamResponse:
    return await _act(request, "DELETE", f"/phone_number/{quote(request.match_info['id'])}/", None)


# --- usage ---------------------------------------------------------------------------------


def _usage_query(request: web.Request) -> dict[str, str]:
    today = dates.now().date()
    return {
        "date_start": request.query.get("date_start") or (today - timedelta(days=30)).isoformat(),
        "date_end": request.query.get("date_end") or today.isoformat(),
        "group_by": "country",
    }


@signed_in
async def usage(request: web.Request) -> web.StreamResponse:
    query = _usage_query(request)
    try:
        report = (await call_api(request, "GET", "/usage/sms/", query=query)).data
    except ValidationFailed as exc:
        return page(
            request,
            "usage.html",
            status=400,
            query=query,
            report=None,
            errors=_errors(exc),
            chart=None,
        )
    return page(
        request,
        "usage.html",
        query=query,
        report=report,
        errors={},
        chart=bar_chart(
            [
                (row["country"], row["outbound_messages"], row["inbound_messages"])
                for row in report["data"]
            ]
        ),
    )


@signed_in
async def usage_csv(request: web.Request) -> web.StreamResponse:
    answer = await call_api(
        request, "GET", "/usage/sms/", query={**_usage_query(request), "format": "csv"}
    )
    return web.Response(
        text=answer.text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": answer.headers["Content-Disposition"]},
    )


# --- whitelist -----------------------------------------------------------------------------


async def _whitelist_page(
    request: web.Request,
    status: int = 200,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> web.Response:
    requests = await call_api(request, "GET", "/sms_whitelist_request/", query={"_limit": "100"})
    found = await call_api(request, "GET", "/phone_number/", query={"_limit": "100"})
    numbers = [n for n in found.data["data"] if n["type"] == "internal"]
    return page(
        request,
        "whitelist.html",
        status=status,
        requests=requests.data["data"],
        numbers=numbers,
        content_types=CONTENT_TYPES,
        errors=errors or {},
        form=form or {},
    )


@signed_in
async def whitelist(request: web.Request) -> web.StreamResponse:
    return await _whitelist_page(request)


@signed_in
async def ask_whitelist(request: web.Request) -> web.StreamResponse:
    form = await form_of(request)
    opted = form.get("opted_in")
    body = {
        "phone_number_id": form.get("phone_number_id") or None,
        "website": form.get("website", "").strip() or None,
        "content_type": form.get("content_type") or None,
        "examples": [line.strip() for line in form.get("examples", "").split("\n") if line.strip()],
        "opted_in": {"yes": True, "no": False}.get(opted or ""),
        "relationship": form.get("relationship", "").strip() or None,
    }
    try:
        await call_api(request, "POST", "/sms_whitelist_request/", body)
    except ApiError as exc:
        return await _whitelist_page(
            request, 400 if exc.status < 500 else exc.status, _errors(exc), form
        )
    raise web.HTTPSeeOther("/ui/whitelist")


def setup(router: web.UrlDispatcher) -> None:
    router.add_get("/ui/inbox", inbox)
    router.add_get("/ui/inbox/live", inbox_live)
    router.add_get("/ui/numbers", numbers)
    router.add_post("/ui/numbers/rent", rent)
    router.add_post("/ui/numbers/external", add_external)
    router.add_post("/ui/numbers/{id}/label", label)
    router.add_post("/ui/numbers/{id}/release", release)
    router.add_get("/ui/usage", usage)
    router.add_get("/ui/usage.csv", usage_csv)
    router.add_get("/ui/whitelist", whitelist)
    router.add_post("/ui/whitelist", ask_whitelist)
