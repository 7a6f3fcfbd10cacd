"""What an SMS must be (gateway/core/sms_rules.py): its text, send_in, the number it is
sent from, and what blocks its send."""

from __future__ import annotations

import pytest

from gateway.core.sms_rules import check_send_in, check_text, local_phone_problem, send_blocker
from telecom import Reason
from tests.gateway.builders import make_number


@pytest.mark.parametrize(
    ("text", "required", "problem"),
    [
        ("hi", True, None),
        ("x" * 1000, True, None),
        ("x" * 1001, True, "at most 1000"),
        ("", True, "cannot be empty"),
        ("   ", True, "cannot be empty"),
        (None, True, "required"),
        (None, False, None),
        ("", False, None),
        (5, True, "string"),
    ],
)
def test_check_text(text: object, required: bool, problem: str | None) -> None:
    found = check_text(text, required)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("value", "ok"),
    [(None, True), (0, True), (59.9, True), (60, False), (-1, False), ("5", False), (True, False)],
)
def test_check_send_in(value: object, ok: bool) -> None:
    assert (check_send_in(value)[1] is None) is ok


def test_local_phone_problems() -> None:
    assert local_phone_problem(make_number()) is None
    assert "not a phone number of your organization" in (local_phone_problem(None) or "")
    assert "External numbers cannot send SMS" in (
        local_phone_problem(make_number(type="external")) or ""
    )
    assert "not SMS-enabled" in (local_phone_problem(make_number(sms_enabled=False)) or "")


def test_send_blockers() -> None:
    assert send_blocker(make_number(), "US", False) is None
    assert send_blocker(make_number(), "GB", False) is Reason.UNSUPPORTED_COUNTRY
    assert send_blocker(make_number(), "CA", True) is Reason.OPTED_OUT
