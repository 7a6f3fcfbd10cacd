"""Locust users for the gateway's Close API: send SMS (a mix of countries, lengths and failure
classes), list, search and read the inbox. HTTP only; tuned by environment variables:

    SMSLAB_API_KEY       the organization's key (required)
    SMSLAB_SEND_WEIGHT   relative weight of sending (default 10); LIST/SEARCH/INBOX _WEIGHT (2/1/1)
    SMSLAB_P99_MS        fail the run when the overall p99 exceeds this (default 500)

`make loadtest` (loadtests/run_locust.py) starts a simulator and a gateway and runs this file
headless; the run exits non-zero when any request failed or the p99 passed the threshold.
"""

from __future__ import annotations

import base64
import itertools
import os
import random

import requests
from locust import FastHttpUser, between, events, task
from locust.env import Environment

KEY = os.environ.get("SMSLAB_API_KEY", "")
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()}
P99_MS = float(os.environ.get("SMSLAB_P99_MS", "500"))

# recipients by country and fate (the simulator scenario in run_locust.py makes these fates)
RECIPIENTS = {
    "US": [f"+1416555{i:04d}" for i in range(100)],  # mobiles, delivered
    "GB": [f"+4474001{i:05d}" for i in range(50)],
    "AU": [f"+6149157{1000 + i:04d}" for i in range(50)],
    "landline": ["+14155550110"],  # 30006
    "unsupported": ["+33612345678"],  # no number of ours may text France
}
TEXTS = [
    "Your appointment is confirmed for tomorrow at 10:00.",
    "Hi! Your order has shipped and arrives Thursday. " * 4,  # 2 segments
    "Bonjour 👋 merci pour votre commande",  # UCS-2
    "FREE MONEY inside, click now",  # the scenario's spam filter
]
WORLD: dict[str, object] = {}


def _api(host: str, method: str, path: str, body: object | None = None) -> dict:
    response = requests.request(
        method, f"{host}/api/v1/{path}", json=body, headers=AUTH, timeout=30
    )
    response.raise_for_status()
    return dict(response.json())


@events.test_start.add_listener
def _build_world(environment: Environment, **_: object) -> None:
    """Once per run: a number per country and a lead per recipient, through the public API."""
    host = environment.host or ""
    WORLD["numbers"] = {
        cc: _api(host, "POST", "phone_number/request/internal/", {"country": cc})["number"]
        for cc in ("US", "GB", "AU")
    }
    leads = []
    for kind, phones in RECIPIENTS.items():
        for phone in phones:
            lead = _api(
                host,
                "POST",
                "lead/",
                {
                    "name": f"{kind} {phone}",
                    "contacts": [{"name": "Load", "phones": [{"phone": phone, "type": "mobile"}]}],
                },
            )
            leads.append((kind, phone, lead["id"]))
    WORLD["leads"] = leads


@events.quitting.add_listener
def _gate(environment: Environment, **_: object) -> None:
    """Locust's exit-code hook: any failed request, or a p99 over the threshold, fails the run."""
    total = environment.stats.total
    p99 = total.get_response_time_percentile(0.99) or 0
    if total.num_failures or p99 > P99_MS:
        print(
            f"loadtest FAILED: {total.num_failures} failed requests, p99 {p99:.0f} ms "
            f"(threshold {P99_MS:.0f} ms)"
        )
        environment.process_exit_code = 1


def _weight(name: str, default: int) -> int:
    return int(os.environ.get(f"SMSLAB_{name}_WEIGHT", default))


class GatewayUser(FastHttpUser):
    wait_time = between(0.0, 0.05)
    _counter = itertools.count()

    @task(_weight("SEND", 10))
    def send_sms(self) -> None:
        kind, phone, lead_id = random.choice(WORLD["leads"])  # type: ignore[arg-type]
        numbers: dict[str, str] = WORLD["numbers"]  # type: ignore[assignment]
        local = numbers.get(kind, numbers["US"])
        text = f"{random.choice(TEXTS)} #{next(self._counter)}"
        self.client.post(
            "/api/v1/activity/sms/",
            headers=AUTH,
            name="POST activity/sms",
            json={
                "status": "outbox",
                "lead_id": lead_id,
                "local_phone": local,
                "remote_phone": phone,
                "text": text,
            },
        )

    @task(_weight("LIST", 2))
    def list_sms(self) -> None:
        self.client.get("/api/v1/activity/sms/?_limit=50", headers=AUTH, name="GET activity/sms")

    @task(_weight("SEARCH", 1))
    def search(self) -> None:
        query = random.choice(
            [
                "failed_sms > 1",
                "has:error_sms_messages",
                "sms(created:today direction:outgoing status:error)",
                "latest_sms_status:error",
            ]
        )
        self.client.get(
            "/api/v1/lead/",
            params={"query": query, "_limit": 10},
            headers=AUTH,
            name="GET lead?query",
        )

    @task(_weight("INBOX", 1))
    def inbox(self) -> None:
        self.client.get("/api/v1/inbox/?_limit=20", headers=AUTH, name="GET inbox")
