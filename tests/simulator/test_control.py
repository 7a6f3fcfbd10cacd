"""/_sim/: scenario load, oracle, reset, inbound injection, whitelist decisions; callback faults."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from simulator.app import create_app
from simulator.scenario import loads
from simulator.scenario.carrier_model import DEFAULT_ACCOUNT_SID as SID
from simulator.scenario.carrier_model import DEFAULT_AUTH_TOKEN as TOKEN
from telecom.signature import validate_signature

AUTH = {"Authorization": "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()}
BASE = f"/2010-04-01/Accounts/{SID}"


class Hooks:
    """A webhook endpoint in the test's own loop."""

    def __init__(self, reply: str = "") -> None:
        self.received: list[tuple[str, dict[str, str], str]] = []
        self.reply = reply
        self.status_url = ""  # a message's StatusCallback, once served

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        self.received.append((str(request.url), form, request.headers["X-Twilio-Signature"]))
        return web.Response(text=self.reply, content_type="text/xml")

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handle)
        return app


async def _eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def _setup(aiohttp_client, aiohttp_server, scenario: str, reply: str = ""):  # type: ignore[no-untyped-def]
    hooks = Hooks(reply)
    hook_server: TestServer = await aiohttp_server(hooks.app())
    client: TestClient = await aiohttp_client(create_app(loads(scenario, "control.yaml")))
    bought = await client.post(
        f"{BASE}/IncomingPhoneNumbers.json",
        data={
            "PhoneNumber": "+14155550100",
            "SmsUrl": str(hook_server.make_url("/inbound")),
            "StatusCallback": str(hook_server.make_url("/status")),
        },
        headers=AUTH,
    )
    assert bought.status == 201
    hooks.status_url = str(hook_server.make_url("/status"))
    return client, hooks


async def test_scenario_replace_rejects_bad_yaml_with_its_line(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(create_app())
    health = await (await client.get("/_sim/health")).json()
    assert health["status"] == "ok" and health["scenario"] == "default"
    bad = await client.put(
        "/_sim/scenario?filename=qa.yaml", data="seed: 1\nfailures:\n  - {code: 30003, rate: 2}\n"
    )
    assert bad.status == 400
    problems = (await bad.json())["problems"]
    assert any(p.startswith("qa.yaml:3") and "rate" in p for p in problems), problems
    good = await client.put("/_sim/scenario", data="name: qa\nseed: 4\n")
    assert good.status == 200 and (await good.json())["name"] == "qa"
    assert (await (await client.get("/_sim/scenario")).json())["seed"] == 4


async def test_oracle_reset_and_inbound_with_twiml_reply(aiohttp_client, aiohttp_server) -> None:  # type: ignore[no-untyped-def]
    client, hooks = await _setup(
        aiohttp_client,
        aiohttp_server,
        "seed: 1\n",
        reply='<?xml version="1.0"?><Response><Message>Thanks, noted</Message></Response>',
    )
    sent = await client.post(
        f"{BASE}/Messages.json",
        data={"To": "+14165550123", "From": "+14155550100", "Body": "Hello"},
        headers=AUTH,
    )
    assert sent.status == 201
    injected = await client.post(
        "/_sim/inbound", json={"from": "+14165550123", "to": "+14155550100", "body": "Hi back"}
    )
    assert (await injected.json())["delivered"] is True

    async def oracle() -> list[dict[str, Any]]:
        return (await (await client.get("/_sim/messages")).json())["messages"]

    entries = await _eventually(lambda: _with(oracle, lambda m: len(m) == 3))
    assert [e["direction"] for e in entries] == ["outbound-api", "inbound", "outbound-reply"]
    assert entries[0]["intended_status"] == "delivered" and entries[0]["cause"] == "delivered"
    assert entries[2]["body"] == "Thanks, noted" and entries[2]["to"] == "+14165550123"
    inbound = [h for h in hooks.received if h[0].endswith("/inbound")]
    url, form, signature = inbound[0]
    assert form["Body"] == "Hi back" and validate_signature(url, form, signature, TOKEN)
    missing = await client.post("/_sim/inbound", json={"from": "+14165550123"})
    assert missing.status == 400 and "to, body" in (await missing.json())["message"]
    unknown = await client.post(
        "/_sim/inbound", json={"from": "+14165550123", "to": "+14155550199", "body": "x"}
    )
    assert unknown.status == 404
    await client.post("/_sim/reset")
    assert await oracle() == []


async def _with(fetch: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool]) -> Any:
    value = await fetch()
    return value if ok(value) else None


async def test_whitelist_manual_decision_lifts_the_spam_filter(
    aiohttp_client, aiohttp_server
) -> None:  # type: ignore[no-untyped-def]
    client, _ = await _setup(
        aiohttp_client,
        aiohttp_server,
        "spam_filters: [{name: promo, regex: '(?i)sale'}]\nwhitelist: {policy: manual}\n",
    )
    form = {"To": "+14165550123", "From": "+14155550100", "Body": "Big SALE today"}

    async def final_code(sid: str) -> int | None:
        async def fetch() -> Any:
            body = await (await client.get(f"{BASE}/Messages/{sid}.json", headers=AUTH)).json()
            return body if body["status"] in ("delivered", "undelivered") else None

        return (await _eventually(fetch))["error_code"]

    first = await (await client.post(f"{BASE}/Messages.json", data=form, headers=AUTH)).json()
    assert await final_code(first["sid"]) == 30007
    request = await client.post(
        f"{BASE}/SmsWhitelistRequests.json",
        data=[
            ("PhoneNumber", "+14155550100"),
            ("Website", "https://shop.example"),
            ("ContentType", "marketing"),
            ("Examples", "Big SALE today"),
            ("OptedIn", "true"),
            ("Relationship", "customers"),
        ],
        headers=AUTH,
    )
    assert request.status == 201
    sid = (await request.json())["sid"]
    assert (await request.json())["status"] == "submitted"
    bad = await client.post("/_sim/whitelist/" + sid, json={"decision": "maybe"})
    assert bad.status == 400
    decided = await client.post("/_sim/whitelist/" + sid, json={"decision": "approved"})
    assert decided.status == 200

    async def approved() -> bool:
        body = await (
            await client.get(f"{BASE}/SmsWhitelistRequests/{sid}.json", headers=AUTH)
        ).json()
        return body["status"] == "approved"

    await _eventually(approved)
    second = await (await client.post(f"{BASE}/Messages.json", data=form, headers=AUTH)).json()
    assert await final_code(second["sid"]) is None


async def test_policy_rejects_without_opt_in_and_calls_back(aiohttp_client, aiohttp_server) -> None:  # type: ignore[no-untyped-def]
    hooks = Hooks()
    hook_server = await aiohttp_server(hooks.app())
    client = await aiohttp_client(
        create_app(
            loads(
                "time_scale: 100\n"
                "whitelist: {policy: reject_without_opt_in, delay: 1, reason: no opt-in}\n",
                "wl.yaml",
            )
        )
    )
    await client.post(
        f"{BASE}/IncomingPhoneNumbers.json", data={"PhoneNumber": "+14155550100"}, headers=AUTH
    )
    answer = await client.post(
        f"{BASE}/SmsWhitelistRequests.json",
        data=[
            ("PhoneNumber", "+14155550100"),
            ("ContentType", "marketing"),
            ("Examples", "Hello"),
            ("OptedIn", "false"),
            ("StatusCallback", str(hook_server.make_url("/wl"))),
        ],
        headers=AUTH,
    )
    assert answer.status == 201

    async def called() -> Any:
        return hooks.received

    url, form, signature = (await _eventually(called))[0]
    assert (form["Status"], form["Reason"]) == ("rejected", "no opt-in")
    assert validate_signature(url, form, signature, TOKEN)
    no_examples = await client.post(
        f"{BASE}/SmsWhitelistRequests.json",
        data={"PhoneNumber": "+14155550100", "ContentType": "marketing", "OptedIn": "true"},
        headers=AUTH,
    )
    assert no_examples.status == 400


async def test_duplicate_and_out_of_order_callbacks(aiohttp_client, aiohttp_server) -> None:  # type: ignore[no-untyped-def]
    client, hooks = await _setup(
        aiohttp_client,
        aiohttp_server,
        "latency: {sent: 0.05, delivered: 0.05}\n"
        "callbacks: {duplicate_rate: 1.0, out_of_order_rate: 1.0}\n",
    )
    await client.post(
        f"{BASE}/Messages.json",
        headers=AUTH,
        data={
            "To": "+14165550123",
            "From": "+14155550100",
            "Body": "Hello",
            "StatusCallback": hooks.status_url,
        },
    )

    async def four() -> Any:
        posts = [h for h in hooks.received if h[0].endswith("/status")]
        return posts if len(posts) == 4 else None

    statuses = [form["MessageStatus"] for _, form, _ in await _eventually(four)]
    assert statuses == ["delivered", "delivered", "sent", "sent"]


async def test_outage_answers_5xx_then_recovers(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    client = await aiohttp_client(
        create_app(
            loads(
                "time_scale: 10\ntest_numbers: true\n"
                "timeline: [{at: 0, outage: {duration: 3, mode: error, status: 503}}]\n",
                "outage.yaml",
            )
        )
    )
    form = {"To": "+14165550123", "From": "+15005550006", "Body": "Hello"}
    during = await client.post(f"{BASE}/Messages.json", data=form, headers=AUTH)
    assert during.status == 503 and (await during.json())["status"] == 503
    await asyncio.sleep(0.4)
    after = await client.post(f"{BASE}/Messages.json", data=form, headers=AUTH)
    assert after.status == 201


async def test_a_slow_outage_creates_the_message_even_when_the_client_gives_up(
    aiohttp_client,  # type: ignore[no-untyped-def]
) -> None:
    import aiohttp

    client = await aiohttp_client(
        create_app(
            loads(
                "time_scale: 1\ntest_numbers: true\n"
                "timeline: [{at: 0, outage: {duration: 2, mode: slow, delay: 1}}]\n",
                "slow.yaml",
            )
        )
    )
    form = {"To": "+14165550123", "From": "+15005550006", "Body": "Hello"}
    headers = {**AUTH, "Idempotency-Key": "acti_slow"}
    try:
        await client.post(
            f"{BASE}/Messages.json",
            data=form,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=0.2),
        )
        raise AssertionError("the answer should have been too late")
    except TimeoutError:
        pass
    await asyncio.sleep(2.0)  # the outage is over
    retry = await client.post(f"{BASE}/Messages.json", data=form, headers=headers)
    assert retry.status == 201
    oracle = (await (await client.get("/_sim/messages")).json())["messages"]
    assert len(oracle) == 1 and oracle[0]["create_calls"] == 2
    assert oracle[0]["sid"] == (await retry.json())["sid"]


async def test_an_error_after_create_outage_creates_the_message_and_answers_5xx(
    aiohttp_client,  # type: ignore[no-untyped-def]
    aiohttp_server,  # type: ignore[no-untyped-def]
) -> None:
    hooks = Hooks()
    hook_server: TestServer = await aiohttp_server(hooks.app())
    client = await aiohttp_client(
        create_app(
            loads(
                "time_scale: 10\ntest_numbers: true\nlatency: {sent: 0, delivered: 0}\n"
                "handsets: [{number: '+14165550124', kind: landline}]\n"
                "timeline: [{at: 0, outage: {duration: 3, mode: error_after_create,"
                " status: 502}}]\n",
                "error_after_create.yaml",
            )
        )
    )
    form = {
        "To": "+14165550124",
        "From": "+15005550006",
        "Body": "Hello",
        "StatusCallback": str(hook_server.make_url("/status")),
    }
    headers = {**AUTH, "Idempotency-Key": "acti_lost"}
    during = await client.post(f"{BASE}/Messages.json", data=form, headers=headers)
    assert during.status == 502 and (await during.json())["status"] == 502

    async def final() -> Any:
        return [h for h in hooks.received if h[1]["MessageStatus"] == "undelivered"]

    [(_, callback, _)] = await _eventually(final)  # created and carried out all the same
    assert callback["ErrorCode"] == "30006"
    await asyncio.sleep(0.35)  # the outage is over
    retry = await client.post(f"{BASE}/Messages.json", data=form, headers=headers)
    assert retry.status == 201
    answer = await retry.json()
    assert (answer["sid"], answer["status"], answer["error_code"]) == (
        callback["MessageSid"],
        "undelivered",
        30006,
    )
    oracle = (await (await client.get("/_sim/messages")).json())["messages"]
    assert len(oracle) == 1 and oracle[0]["create_calls"] == 2
