"""12,000 random and mutated queries through the real API (`GET /api/v1/lead/?query=`, a real
gateway on a real database with leads and SMS, so the compiled SQL runs on rows): every answer
is a 200 or a 400, none takes a second. Printed: how many were tried, the 200s and 400s, the
slowest. A few clients at once, in process: about half a minute.

The corpus: tests/gateway/search/adversarial.py (pieces of the language, SQL, quotes,
parentheses, Unicode, control characters, long and deep), and here every field of both levels
with every comparison and hostile values (huge and odd numbers, dates past the calendar,
NULs, surrogates, deep nesting), each also mutated, under a random X-TZ-Offset."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from gateway.keys import STORE
from gateway.search.fields import LEAD_FIELDS, SMS_FIELDS, Kind
from tests.gateway.harness import Harness
from tests.gateway.search.adversarial import PIECES, VALID, _mutate, corpus
from tests.gateway.search.test_service import _sms

SEED = 20261202
OPS = (":", "=", ":", " = ", ">", "<", ">=", "<=", "!=", "==", "<>", "")
VALUES = (
    "0",
    "1",
    "-1",
    "2",
    "1000000000000",
    "1000000000001",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
    "1e309",
    "-0",
    "0x1F",
    "1.5",
    "NaN",
    "inf",
    "١٢",
    "today",
    "yesterday",
    "tomorrow",
    '"3 days ago"',
    '"999999999999 days ago"',
    '"this week"',
    '"last month"',
    "2026-11-27",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    '"9999-12-31T23:59:59-01:00"',
    '"0001-01-01T00:00:00+14:00"',
    "99999-01-01",
    '"2026-11-27T08:00:00.1234567Z"',
    "+14155550100",
    "4155550100",
    "+999",
    "+" + "1" * 40,
    "error",
    "sent",
    "inbox",
    "outgoing",
    "incoming",
    "landline",
    "spam",
    "sms_messages",
    "error_sms_messages",
    "inbound_sms",
    '"Lead"',
    '"\\"quoted\\""',
    '"',
    "\\",
    '""',
    "*",
    "é",
    "日本語",
    "😀",
    "\u202e",
    "\x00",
    "a\x00b",
    "\ud800",
    "\x7f",
    "%00",
    "' OR 1=1 --",
)


FITTING = {  # values of each kind the language accepts: half the clauses use one
    Kind.TEXT: ('"lead"', "École", '"ça va"', "hello", '"1 é"'),
    Kind.PHONE: ("+14155550003", "4155550011", '"(415) 555-0007"'),
    Kind.NUMBER: ("0", "1", "3", "2147483647"),
    Kind.DATE: (
        "today",
        "yesterday",
        '"3 days ago"',
        '"last week"',
        "2026-11-27",
        '"2026-11-27T08:00:00Z"',
        "9999-12-31",
        "0001-01-01",
    ),
}


def _field_query(rnd: random.Random) -> str:
    """A clause on any field of either level, any comparison, any value; sometimes nested."""
    inside = rnd.random() < 0.5
    field = rnd.choice(list((SMS_FIELDS if inside else LEAD_FIELDS).values()))
    if rnd.random() < 0.5:
        fitting = tuple(field.choices) or FITTING[field.kind]
        op = ":" if field.choices else rnd.choice(OPS[:-1])
        clause = f"{field.name}{op}{rnd.choice(fitting)}"
    else:
        clause = f"{field.name}{rnd.choice(OPS)}{rnd.choice(VALUES)}"
    if rnd.random() < 0.3:
        clause = f"{clause} {rnd.choice(['', 'and ', 'or ', 'not '])}{rnd.choice(VALID)}"
    if inside:
        clause = f"sms({clause})" if rnd.random() < 0.9 else f"sms({clause}"
    depth = rnd.choice([0, 0, 0, 0, 1, 5, 30, 33, 200])
    wrap = rnd.choice(["({})", "not {}", "sms({})", "({} or *)"])
    for _ in range(depth):
        clause = wrap.format(clause)
    return _mutate(rnd, clause) if rnd.random() < 0.25 else clause


def queries(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    half = count // 2
    mixed = [rnd.choice(PIECES) + " " + text for text in corpus(seed, half // 4)]
    return [
        *corpus(seed + 1, half - len(mixed)),
        *mixed,
        *(_field_query(rnd) for _ in range(count - half)),
    ]


async def _world(harness: Harness, key: str) -> None:
    """Leads with contacts through the API and, through the store, SMS of every status over
    the last weeks: each compiled clause has rows to run on."""
    now = datetime.now(UTC)
    store = harness.app[STORE]
    for i in range(12):
        lead = await harness.lead_with(key, f"+1415555{i:04d}", name=f"Lead {i} École")
        for j, status in enumerate(("sent", "error", "inbox", "draft", "scheduled")[: i % 6]):
            await store.insert_sms(
                _sms(
                    lead["organization_id"],
                    lead,
                    status,
                    now - timedelta(days=j * 3, hours=i),
                    "inbound" if status == "inbox" else "outbound",
                    text=f"Hello {i} ça va",
                )
            )


@pytest.mark.slow  # half a minute: out of `make test-quick`, in `make test`
async def test_twelve_thousand_queries_answer_200_or_400_within_a_second(harness: Harness) -> None:
    key = await harness.new_org()
    await _world(harness, key)
    texts = queries(SEED, 12_000)
    zones = ["0", "-4", "5.5", "14", "-12", "23.99", "-23.99", "0.25", ""]
    outcomes: Counter[int] = Counter()
    slowest: tuple[float, str] = (0.0, "")
    problems: list[tuple[int, str, Any]] = []
    auth = {"Authorization": aiohttp.encode_basic_auth(key, "")}
    pending = iter(enumerate(texts))

    async def client() -> None:
        nonlocal slowest
        for i, text in pending:
            # surrogates cannot be UTF-8: sent as raw bytes, as a broken client would
            raw = quote(text.encode("utf-8", "surrogatepass"), safe="")
            headers = {**auth, "X-TZ-Offset": zones[i % len(zones)]}
            started = time.perf_counter()
            async with harness.session.get(
                f"{harness.url}/api/v1/lead/?query={raw}&_limit={i % 3 * 50}", headers=headers
            ) as response:
                body = await response.read()
            took = time.perf_counter() - started
            outcomes[response.status] += 1
            slowest = max(slowest, (took, text[:80]))
            if response.status not in (200, 400):
                problems.append((response.status, text, body[:300]))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(4)))
    elapsed = time.perf_counter() - started
    others = sum(outcomes.values()) - outcomes[200] - outcomes[400]
    print(
        f"\nsearch fuzz: {len(texts)} queries in {elapsed:.1f} s, {outcomes[200]} answered"
        f" 200, {outcomes[400]} 400, {others} other; slowest {slowest[0] * 1000:.0f} ms"
        f" ({slowest[1]!r})"
    )
    assert not problems, problems[:5]
    assert sum(outcomes.values()) == len(texts) >= 10_000
    # both outcomes are well represented: the corpus reaches the SQL, not just the parser
    assert outcomes[200] >= 1_500 and outcomes[400] >= 5_000, outcomes
    assert slowest[0] < 1.0, slowest
