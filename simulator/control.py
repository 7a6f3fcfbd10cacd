"""/_sim/: the QA side of the carrier. Load or replace the scenario, read the oracle (every
message with its intended fate), reset, inject inbound messages, decide whitelist requests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from simulator.api.forms import read_form
from simulator.engine.records import MessageRecord, WhitelistVerdict
from simulator.errors import TwilioError
from simulator.keys import RUNTIME
from simulator.scenario import ScenarioError, loads
from telecom.wire import rfc2822

__all__ = ["routes"]

routes = web.RouteTableDef()


def _oracle_entry(record: MessageRecord, wall: Any) -> dict[str, Any]:
    fate = record.fate
    return {
        "sid": record.sid,
        "account_sid": record.account_sid,
        "direction": record.direction,
        "from": record.from_,
        "to": record.to,
        "body": record.body,
        "num_segments": record.num_segments,
        "status": record.status,
        "error_code": record.error_code,
        "intended_status": fate.status if fate else None,
        "intended_error_code": fate.error_code if fate else None,
        "cause": fate.cause if fate else None,
        "idempotency_key": record.idempotency_key,
        "create_calls": record.create_calls,
        "callbacks": [{"status": s, "error_code": c} for s, c in record.callbacks],
        "date_created": rfc2822(wall(record.created_at)),
        "sent_at": record.sent_at,  # simulated seconds: when it left the sender's queue
        "created_at": round(record.created_at, 3),  # simulated seconds: the carrier took it
        "updated_at": round(record.updated_at, 3),  # simulated seconds: its latest status
    }


@routes.get("/_sim/health")
async def health(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    return web.json_response(
        {
            "status": "ok",
            "scenario": runtime.scenario.name,
            "simulated_seconds": round(runtime.clock.now(), 3),
            "messages": len(runtime.carrier.messages),
            "pending_events": runtime.pending,
        }
    )


@routes.get("/_sim/scenario")
async def get_scenario(request: web.Request) -> web.Response:
    scenario = request.app[RUNTIME].scenario
    return web.json_response(
        {
            "name": scenario.name,
            "description": scenario.description,
            "seed": scenario.seed,
            "time_scale": scenario.time_scale,
            "accounts": [a.sid for a in scenario.accounts],
            "countries": sorted(scenario.countries),
            "test_numbers": scenario.test_numbers,
        }
    )


@routes.put("/_sim/scenario")
async def put_scenario(request: web.Request) -> web.StreamResponse:
    text = await request.text()
    try:
        scenario = loads(text, request.query.get("filename", "<request>"))
    except ScenarioError as exc:
        return web.json_response(
            {"error": "invalid scenario", "problems": [str(p) for p in exc.problems]}, status=400
        )
    request.app[RUNTIME].load(scenario)
    return await get_scenario(request)


@routes.post("/_sim/reset")
async def reset(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    runtime.load(runtime.scenario)
    return await health(request)


@routes.get("/_sim/messages")
async def oracle(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    account = request.query.get("account_sid")
    entries = [
        _oracle_entry(r, runtime.clock.wall)
        for r in runtime.carrier.messages.values()
        if account is None or r.account_sid == account
    ]
    return web.json_response({"messages": entries})


async def _fields(request: web.Request) -> Mapping[str, str]:
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise TwilioError(20001, "expected a JSON object", 400)
        return {str(k): str(v) for k, v in body.items()}
    return await read_form(request)


@routes.post("/_sim/inbound")
async def inbound(request: web.Request) -> web.Response:
    """A handset sends `body` from `from` to one of the accounts' numbers `to`."""
    fields = await _fields(request)
    missing = [name for name in ("from", "to", "body") if not fields.get(name)]
    if missing:
        raise TwilioError(21604, f"missing field(s): {', '.join(missing)}", 400)
    record, delivery = await request.app[RUNTIME].inbound(
        fields["from"], fields["to"], fields["body"]
    )
    return web.json_response(
        {
            "sid": record.sid,
            "delivered": bool(delivery and delivery.ok),
            "webhook_status": delivery.status if delivery else None,
        }
    )


@routes.get("/_sim/whitelist")
async def whitelist_requests(request: web.Request) -> web.Response:
    desk = request.app[RUNTIME].whitelist
    return web.json_response(
        {
            "requests": [
                {
                    "sid": r.sid,
                    "phone_number": r.phone_number,
                    "status": r.status,
                    "reason": r.reason,
                    "opted_in": r.opted_in,
                }
                for r in desk.requests.values()
            ]
        }
    )


@routes.post("/_sim/whitelist/{sid}")
async def decide_whitelist(request: web.Request) -> web.Response:
    """QA decide a request: {"decision": "approved" | "rejected", "reason": "..."}."""
    runtime = request.app[RUNTIME]
    fields = await _fields(request)
    decision = fields.get("decision")
    if decision not in ("approved", "rejected"):
        raise TwilioError(20001, "decision must be 'approved' or 'rejected'", 400)
    sid = request.match_info["sid"]
    if sid not in runtime.whitelist.requests:
        raise TwilioError(20404, f"no whitelist request {sid}", 404)
    runtime.schedule([WhitelistVerdict(runtime.clock.now(), sid, decision, fields.get("reason"))])
    return web.json_response({"sid": sid, "decision": decision})
