"""Whatever a client sends, the answer is a 4xx in Close's shape, never a 500."""

from __future__ import annotations

from typing import Any

from gateway.edge.nul_guard import NUL_MESSAGE
from tests.gateway.harness import Harness

WEIRD: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "+",
    [],
    [1],
    {},
    {"a": 1},
    "9" * 400,
    "\u0000",
    "lead_" + "z" * 43,
]


async def test_weird_values_in_every_field(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550199")
    sms_base = {
        "status": "outbox",
        "lead_id": lead["id"],
        "local_phone": number["number"],
        "remote_phone": "+14155550199",
        "text": "hi",
    }
    draft = await harness.api(key, "POST", "activity/sms/", {**sms_base, "status": "draft"})
    contact_id = lead["contacts"][0]["id"]
    targets = [
        (
            "POST",
            "activity/sms/",
            sms_base,
            [
                *sms_base,
                "send_in",
                "date_scheduled",
                "contact_id",
                "direction",
                "attachments",
                "template_id",
                "source",
                "user_id",
            ],
        ),
        ("PUT", f"activity/sms/{draft['id']}/", {}, [*sms_base, "date_scheduled", "send_in"]),
        ("POST", "lead/", {"name": "x"}, ["name", "description", "contacts"]),
        ("POST", "lead/", {"contacts": [{"name": "c"}]}, []),
        ("PUT", f"lead/{lead['id']}/", {}, ["name", "description"]),
        ("POST", "contact/", {"lead_id": lead["id"]}, ["lead_id", "name", "title", "phones"]),
        ("PUT", f"contact/{contact_id}/", {}, ["name", "title", "phones"]),
        ("POST", "phone_number/", {"number": "+16502530000"}, ["number", "label"]),
        ("PUT", f"phone_number/{number['id']}/", {}, ["label"]),
        (
            "POST",
            "phone_number/request/internal/",
            {"country": "US"},
            ["country", "prefix", "label"],
        ),
    ]
    for method, path, base, fields in targets:
        for field in fields:
            for value in WEIRD:
                body = {**base, field: value}
                status, answer = await harness.request(key, method, f"/api/v1/{path}", json=body)
                assert status < 500, (method, path, field, value, answer)
                if status >= 400:
                    assert isinstance(answer, dict) and (
                        "error" in answer or "field-errors" in answer
                    )
        for raw in (b"", b"null", b"[]", b'"text"', b"{", b"\xff\xfe"):
            status, answer = await harness.request(
                key,
                method,
                f"/api/v1/{path}",
                data=raw,
                headers={"Content-Type": "application/json"},
            )
            assert status < 500, (method, path, raw, answer)


async def test_weird_query_strings(harness: Harness) -> None:
    key = await harness.new_org()
    for query in (
        "_skip=&_limit=",
        "_limit=1e3",
        "lead_id=&status=",
        "_fields=",
        "date_created__gt=2026-13-45",
        "number=%2B1",
        "number=abc",
        "id__in=,,,",
    ):
        for path in ("activity/sms/", "lead/", "contact/", "phone_number/", "inbox/"):
            status, answer = await harness.request(key, "GET", f"/api/v1/{path}?{query}")
            assert status < 500, (path, query, answer)


async def test_nul_characters_are_a_400_naming_the_field(harness: Harness) -> None:
    # PostgreSQL's text cannot hold U+0000: both backends refuse it the same way, up front
    key = await harness.new_org()
    status, answer = await harness.request(
        key, "POST", "/api/v1/lead/", json={"name": "ok", "contacts": [{"name": "a\x00"}]}
    )
    assert (status, answer["field-errors"]) == (400, {"contacts.0.name": NUL_MESSAGE})
    status, answer = await harness.request(key, "GET", "/api/v1/lead/?query=name:%00")
    assert (status, answer["field-errors"]) == (400, {"query": NUL_MESSAGE})
    status, answer = await harness.request(key, "GET", "/api/v1/lead/lead_%00/")
    assert status == 400 and "NUL" in answer["error"]


async def test_hostile_offsets_skips_and_dates_are_400s_naming_the_field(harness: Harness) -> None:
    key = await harness.new_org()
    number = await harness.rent(key)
    lead = await harness.lead_with(key, "+14155550199")
    scheduled = {
        "status": "scheduled",
        "lead_id": lead["id"],
        "local_phone": number["number"],
        "remote_phone": "+14155550199",
        "text": "hi",
    }
    lists = (
        "activity/sms/",
        "lead/",
        "contact/",
        "phone_number/",
        "inbox/",
        "sms_whitelist_request/",
        "lead/?query=has:sms_messages",
    )
    cases: list[tuple[str, str, Any, dict[str, str], str]] = [
        *(
            ("GET", path, None, {"X-TZ-Offset": offset}, "X-TZ-Offset")
            for path in ("lead/?query=sms(created:today)", "usage/sms/")
            for offset in ("23.99999999999", "-23.99999999999", "24", "nan", "inf", "abc")
        ),
        (
            "POST",
            "activity/sms/",
            {**scheduled, "date_scheduled": "2027-01-01T09:00:00"},
            {"X-TZ-Offset": "-23.99999999999"},
            "X-TZ-Offset",
        ),
        *(
            ("GET", f"{path}{'&' if '?' in path else '?'}_skip={skip}", None, {}, "_skip")
            for path in lists
            for skip in (2**63, 2**64 + 7, 10_001)
        ),
        *(
            ("POST", "activity/sms/", {**scheduled, "date_scheduled": moment}, {}, "date_scheduled")
            for moment in ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00")
        ),
        (
            "GET",
            "activity/sms/?date_created__gte=9999-12-31T23:59:59-01:00",
            None,
            {},
            "date_created__gte",
        ),
        ("GET", "usage/sms/?date_end=9999-12-31", None, {}, "date_end"),
    ]
    for method, path, body, headers, field in cases:
        status, answer = await harness.request(
            key, method, f"/api/v1/{path}", json=body, headers=headers
        )
        assert status == 400, (method, path, headers, answer)
        assert field in str(answer), (path, headers, answer)
        assert "timedelta" not in str(answer)  # our words, not Python's
    status, _ = await harness.request(key, "GET", "/api/v1/lead/?_skip=10000")
    assert status == 200  # the cap itself is allowed
