"""Turn a create or draft-update body into an Sms record: validate, resolve, price, decide.

Lookups (lead, contact, the sending number, opt-outs) need the store, so this is shell code;
every decision it makes is delegated to the pure `gateway.core.sms_rules` and
`gateway.core.lifecycle`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from gateway.config import Config
from gateway.core import dates
from gateway.core.errors import ValidationFailed
from gateway.core.lifecycle import failed_locally
from gateway.core.models import Contact, Lead, PhoneNumber, Sms
from gateway.core.pricing import cost_of, priced_country
from gateway.core.sms_rules import (
    CREATE_STATUSES,
    EDIT_STATUSES,
    SENDING_STATUSES,
    check_send_in,
    check_text,
    local_phone_problem,
    send_blocker,
)
from gateway.store import Store
from telecom import InvalidNumber, country_of, parse_e164, segment

__all__ = ["Composer", "values_of"]


def values_of(sms: Sms) -> dict[str, Any]:
    """An existing draft as a body, so that an update is the same validation as a create."""
    return {
        "status": sms.status,
        "text": sms.text,
        "lead_id": sms.lead_id,
        "contact_id": sms.contact_id,
        "local_phone": sms.local_phone,
        "remote_phone": sms.remote_phone,
        "direction": sms.direction,
        "date_scheduled": sms.date_scheduled,
        "user_id": sms.user_id,
        "source": sms.source,
    }


@dataclass
class Composer:
    store: Store
    config: Config
    org_id: str
    tz: timezone
    now: datetime

    async def build(self, values: dict[str, Any], existing: Sms | None, new_id: str) -> Sms:
        errors: dict[str, str] = {}
        allowed = CREATE_STATUSES if existing is None else EDIT_STATUSES
        status = values.get("status")
        if status is None:
            errors["status"] = "This field is required."
        elif not isinstance(status, str) or status not in allowed:
            errors["status"] = f"Must be one of: {', '.join(allowed)}."
            status = None
        draft, sending = status == "draft", status in SENDING_STATUSES
        direction = values.get("direction")
        if direction is None:
            direction = "inbound" if status == "inbox" else "outbound"
        if direction not in ("inbound", "outbound") or (sending and direction != "outbound"):
            errors["direction"] = "Must be outbound to send (or inbound to log an inbox SMS)."
            direction = "outbound"
        text = values.get("text")
        if problem := check_text(text, required=not draft):
            errors["text"] = problem
        for key, why in (("template_id", "SMS templates"), ("attachments", "MMS attachments")):
            if values.get(key) not in (None, "", []):  # what a client sends for "none"
                errors[key] = f"{why} are not supported by this gateway."

        lead, contact = await self._lead_and_contact(values, errors)
        remote = self._phone(
            values.get("remote_phone") or _first_phone(contact), "remote_phone", not draft, errors
        )
        local = self._phone(values.get("local_phone"), "local_phone", sending, errors)
        number = None
        if local and direction == "outbound" and status in ("draft", *SENDING_STATUSES):
            number = await self.store.find_phone_number(self.org_id, local)
            if problem := local_phone_problem(number):
                errors["local_phone"] = problem
        due, date_scheduled = self._when(values, status, errors)
        if errors:
            raise ValidationFailed(errors)

        if contact is None and lead is not None and remote:
            contact = next(
                (c for c in lead.contacts if any(p.phone == remote for p in c.phones)), None
            )
        body = text if isinstance(text, str) else ""
        seg = segment(body)
        priced = priced_country(direction, local, remote)
        now = dates.iso(self.now)
        sms = Sms(
            id=existing.id if existing else new_id,
            organization_id=self.org_id,
            lead_id=lead.id if lead else None,
            contact_id=contact.id if contact else None,
            direction=direction,
            status=str(status),
            text=body,
            local_phone=local,
            remote_phone=remote,
            source=_source(values.get("source")),
            user_id=values.get("user_id") if isinstance(values.get("user_id"), str) else None,
            date_created=existing.date_created if existing else now,
            date_updated=now,
            activity_at=now,
            date_scheduled=date_scheduled,
            date_sent=now if status == "sent" else None,
            segments=seg.segments,
            encoding=seg.encoding.value,
            cost=cost_of(self.config.rates, priced, direction, seg.segments) if body else None,
        )
        if sending and number is not None and remote:
            return await self._plan_send(sms, number, remote, due)
        return sms

    async def _plan_send(self, sms: Sms, number: PhoneNumber, remote: str, due: datetime) -> Sms:
        opted_out = await self.store.is_phone_blocked(self.org_id, remote)
        reason = send_blocker(number, country_of(remote), opted_out)
        if reason is not None:  # final now: the carrier never sees it, so it costs nothing
            outcome = failed_locally(reason)
            return dataclasses.replace(
                sms,
                status=outcome.status,
                error_reason=outcome.error_reason,
                error_message=outcome.error_message,
                cost=None,
            )
        return dataclasses.replace(sms, due_at=dates.iso(due), due_since=dates.iso(due))

    async def _lead_and_contact(
        self, values: dict[str, Any], errors: dict[str, str]
    ) -> tuple[Lead | None, Contact | None]:
        contact = None
        contact_id = values.get("contact_id")
        if contact_id is not None and contact_id != "":  # "" is none, as for phones
            if isinstance(contact_id, str):
                contact = await self.store.get_contact(self.org_id, contact_id)
            if contact is None:
                errors["contact_id"] = "Contact not found."
        lead_id = values.get("lead_id") or (contact.lead_id if contact else None)
        if lead_id is None:
            if "contact_id" not in errors:
                errors["lead_id"] = "This field is required."
            return None, contact
        lead = await self.store.get_lead(self.org_id, lead_id) if isinstance(lead_id, str) else None
        if lead is None:
            errors["lead_id"] = "Lead not found."
        elif contact is not None and contact.lead_id != lead.id:
            errors["contact_id"] = "This contact belongs to another lead."
        return lead, contact

    def _phone(self, raw: Any, key: str, required: bool, errors: dict[str, str]) -> str | None:
        if raw is None or raw == "":
            if required:
                errors[key] = "This field is required."
            return None
        try:
            return parse_e164(raw, self.config.default_region)
        except InvalidNumber:
            errors[key] = f"{raw!r} is not a valid phone number."
            return None

    def _when(
        self, values: dict[str, Any], status: Any, errors: dict[str, str]
    ) -> tuple[datetime, str | None]:
        if status == "scheduled":
            raw = values.get("date_scheduled")
            if raw is None:
                errors["date_scheduled"] = "Required to schedule an SMS."
                return self.now, None
            try:
                moment = dates.parse_moment(raw, self.tz)
            except ValueError as exc:
                errors["date_scheduled"] = str(exc)
                return self.now, None
            return moment, dates.iso(moment)
        if status == "outbox":
            delay, problem = check_send_in(values.get("send_in"))
            if problem:
                errors["send_in"] = problem
            return self.now + timedelta(seconds=delay), None
        return self.now, None


def _first_phone(contact: Contact | None) -> str | None:
    return contact.phones[0].phone if contact and contact.phones else None


def _source(value: Any) -> str:
    return value if value in ("Close.io", "External") else "Close.io"
