"""Spam whitelist requests, the pure part: the record, the form's validation and the decision.

A number whose texts the carrier flags as spam can ask to be whitelisted. The form carries what
carriers ask for (website, content type, example texts, whether the recipients opted in, how they
know the sender); the carrier decides later, by a signed callback. A request moves
`submitted -> approved | rejected` once: a decision never changes, so duplicate or late
callbacks are no-ops. No I/O here: the handler looks the number up and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gateway.core.ids import new_id
from gateway.core.models import PhoneNumber
from gateway.core.sms_rules import MAX_TEXT

__all__ = [
    "CONTENT_TYPES",
    "DECISIONS",
    "MAX_EXAMPLES",
    "WhitelistForm",
    "WhitelistRequest",
    "decision_of",
    "new_request_id",
    "validate_form",
]

CONTENT_TYPES = (
    "download_link",
    "appointment_reminder",
    "marketing",
    "notification",
    "two_factor",
    "customer_care",
    "other",
)
DECISIONS = frozenset({"approved", "rejected"})
MAX_EXAMPLES = 5
MAX_RELATIONSHIP = 1000
MAX_URL = 2000


def new_request_id() -> str:
    return new_id("smswl")


@dataclass(frozen=True, slots=True)
class WhitelistForm:
    """A validated form: what the carrier is sent."""

    phone_number_id: str
    phone_number: str  # E.164, the internal number to whitelist
    website: str
    content_type: str
    examples: tuple[str, ...]
    opted_in: bool
    relationship: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WhitelistRequest:
    id: str
    organization_id: str
    phone_number_id: str
    phone_number: str
    website: str
    content_type: str
    examples: tuple[str, ...]
    opted_in: bool
    relationship: str
    status: str  # submitted | approved | rejected
    reason: str | None = None  # the carrier's words with its decision
    carrier_sid: str | None = None  # WL..., once the carrier has the request
    date_created: str
    date_updated: str
    date_decided: str | None = None


def decision_of(status: str | None) -> str | None:
    """The decision a carrier callback carries, or None for anything we do not act on."""
    value = (status or "").strip().lower()
    return value if value in DECISIONS else None


def _website(value: Any) -> tuple[str | None, str | None]:
    """(normalized URL, None) or (None, why). A bare host gets https://, as users type it."""
    if value is not None and not isinstance(value, str):
        return None, "Must be a string."
    if not value or not value.strip():
        return None, "This field is required."
    text = value.strip()
    if len(text) > MAX_URL or any(c.isspace() for c in text):
        return None, f"{value!r} is not a valid URL."
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError on a bad port
    except ValueError:
        return None, f"{value!r} is not a valid URL."
    labels = host.split(".")
    # a public website: a dotted host name whose labels are letters, digits and hyphens
    if (
        parts.scheme not in ("http", "https")
        or len(labels) < 2
        or not all(label and label.replace("-", "").isalnum() for label in labels)
    ):
        return None, f"{value!r} is not a valid URL (an http or https website)."
    return text, None


def _examples(value: Any) -> tuple[tuple[str, ...], str | None]:
    if value is None:
        return (), "This field is required."
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return (), f"Must be a list of 1 to {MAX_EXAMPLES} message texts."
    texts = tuple(v.strip() for v in value)
    if not 1 <= len(texts) <= MAX_EXAMPLES:
        return (), f"Give 1 to {MAX_EXAMPLES} example messages (got {len(texts)})."
    if not all(texts):
        return (), "An example message cannot be empty."
    if any(len(t) > MAX_TEXT for t in texts):
        return (), f"An example message is at most {MAX_TEXT} characters."
    return texts, None


def _number_problem(raw: Any, number: PhoneNumber | None) -> str | None:
    if raw is None or raw == "":
        return "This field is required."
    if number is None:
        return "Phone number not found."
    if number.type != "internal" or not number.sms_enabled or not number.carrier_sid:
        return "Only an SMS number rented through the gateway can be whitelisted."
    return None


def validate_form(
    body: dict[str, Any], number: PhoneNumber | None
) -> tuple[WhitelistForm | None, dict[str, str]]:
    """The form, or None and every field's problem (Close's `field-errors`).

    `number` is the organization's phone number named by `phone_number_id`, if any.
    """
    errors: dict[str, str] = {}
    if problem := _number_problem(body.get("phone_number_id"), number):
        errors["phone_number_id"] = problem
    website, problem = _website(body.get("website"))
    if problem:
        errors["website"] = problem
    content_type = body.get("content_type")
    if content_type is None:
        errors["content_type"] = "This field is required."
    elif content_type not in CONTENT_TYPES:
        errors["content_type"] = f"Must be one of: {', '.join(CONTENT_TYPES)}."
    examples, problem = _examples(body.get("examples"))
    if problem:
        errors["examples"] = problem
    opted_in = body.get("opted_in")
    if not isinstance(opted_in, bool):
        errors["opted_in"] = (
            "This field is required." if opted_in is None else "Must be true or false."
        )
    relationship = body.get("relationship")
    if relationship is not None and not isinstance(relationship, str):
        errors["relationship"] = "Must be a string."
    elif not relationship or not relationship.strip():
        errors["relationship"] = "This field is required."
    elif len(relationship) > MAX_RELATIONSHIP:
        errors["relationship"] = f"At most {MAX_RELATIONSHIP} characters."
    if errors or number is None or website is None:
        return None, errors
    return WhitelistForm(
        number.id,
        number.number,
        website,
        str(content_type),
        examples,
        bool(opted_in),
        str(relationship).strip(),
    ), {}
