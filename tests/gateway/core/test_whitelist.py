"""The whitelist form's validation and the decisions a carrier callback may carry (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.core.whitelist import CONTENT_TYPES, decision_of, new_request_id, validate_form
from tests.gateway.builders import make_number

INTERNAL = make_number(carrier_sid="PN1")
EXTERNAL = make_number(
    "phon_2",
    number="+16502530000",
    type="external",
    sms_enabled=False,
    supports_sms_to_countries=(),
    carrier_sid=None,
)


def _body(**changes: Any) -> dict[str, Any]:
    body = {
        "phone_number_id": "phon_1",
        "website": "https://acme.example.com",
        "content_type": "marketing",
        "examples": ["Summer sale: 20% off"],
        "opted_in": True,
        "relationship": "Customers who bought from us",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def test_a_good_form() -> None:
    form, errors = validate_form(_body(examples=[" a ", "b"], relationship=" r "), INTERNAL)
    assert errors == {}
    assert form is not None
    assert (form.phone_number_id, form.phone_number) == ("phon_1", "+14155550100")
    assert (form.examples, form.relationship, form.opted_in) == (("a", "b"), "r", True)


@pytest.mark.parametrize("website", ["acme.com", "www.acme.co.uk/path?q=1", "http://a-b.example"])
def test_a_bare_host_gets_https(website: str) -> None:
    form, errors = validate_form(_body(website=website), INTERNAL)
    assert errors == {} and form is not None
    assert form.website.startswith(("https://", "http://"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"examples": ...}, "examples"),
        ({"examples": []}, "examples"),
        ({"examples": ["x"] * 6}, "examples"),
        ({"examples": "one text"}, "examples"),
        ({"examples": ["ok", " "]}, "examples"),
        ({"examples": ["x" * 1001]}, "examples"),
        ({"examples": [1]}, "examples"),
        ({"website": ...}, "website"),
        ({"website": "not a url"}, "website"),
        ({"website": "ftp://acme.com"}, "website"),
        ({"website": "http://localhost"}, "website"),
        ({"website": "https://acme.com:99999"}, "website"),
        ({"website": 42}, "website"),
        ({"website": "https://exa_mple.com"}, "website"),
        ({"content_type": ...}, "content_type"),
        ({"content_type": "spam"}, "content_type"),
        ({"opted_in": ...}, "opted_in"),
        ({"opted_in": "yes"}, "opted_in"),
        ({"opted_in": 1}, "opted_in"),
        ({"relationship": ...}, "relationship"),
        ({"relationship": "  "}, "relationship"),
        ({"relationship": ["x"]}, "relationship"),
        ({"relationship": "x" * 1001}, "relationship"),
        ({"phone_number_id": ...}, "phone_number_id"),
    ],
)
def test_each_field_is_checked(change: dict[str, Any], field: str) -> None:
    form, errors = validate_form(_body(**change), INTERNAL)
    assert form is None and set(errors) == {field}, errors


def test_the_number_must_be_an_internal_sms_number() -> None:
    assert validate_form(_body(phone_number_id="phon_x"), None)[1] == {
        "phone_number_id": "Phone number not found."
    }
    _, errors = validate_form(_body(phone_number_id="phon_2"), EXTERNAL)
    assert "rented through the gateway" in errors["phone_number_id"]


def test_every_problem_at_once() -> None:
    _, errors = validate_form({}, None)
    assert set(errors) == {
        "phone_number_id",
        "website",
        "content_type",
        "examples",
        "opted_in",
        "relationship",
    }
    assert all(why == "This field is required." for why in errors.values())


def test_content_types_are_the_carriers() -> None:
    assert CONTENT_TYPES == (
        "download_link",
        "appointment_reminder",
        "marketing",
        "notification",
        "two_factor",
        "customer_care",
        "other",
    )


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        ("approved", "approved"),
        ("rejected", "rejected"),
        ("Approved ", "approved"),
        ("submitted", None),
        ("", None),
        (None, None),
        ("maybe", None),
    ],
)
def test_decisions(status: str | None, decision: str | None) -> None:
    assert decision_of(status) == decision


def test_ids_are_close_style() -> None:
    first, second = new_request_id(), new_request_id()
    assert first.startswith("smswl_") and len(first) == len("smswl_") + 43
    assert first != second
