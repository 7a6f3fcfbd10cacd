"""schemathesis against /api/v1/openapi.json: no 500, every answer conforms to the description
(status code, content type, body schema), and the description says what the validation does:
data valid by it is accepted (`positive_data_acceptance`), data invalid by it refused
(`negative_data_rejection`). Query parameters, bodies and the X-TZ-Offset and Idempotency-Key
headers are all fuzzed. Bounded: a few examples per operation, about a minute on two cores;
SMSLAB_SCHEMATHESIS_EXAMPLES=100 runs a larger one.

What a schema cannot say is given to schemathesis here, not left to chance: the ids a body
must name (a lead of the organization, its contact, a rented number) are real ones, through
schemathesis' `parameters` (where its coverage phase keeps them). The operations in
NO_ACCEPTANCE skip the acceptance half, each for the reason written there (a relation, a
language, libphonenumber); they keep every other check, refusal of invalid data included.

Skipped when schemathesis is not installed (it is in the `test` extra)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.gateway.harness import Harness

pytestmark = pytest.mark.slow
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
    "negative_data_rejection",
)
# A valid request the state refuses: 422 is an Idempotency-Key already used with another
# body (schemathesis draws few distinct keys), as 409 (in schemathesis' list) is one in use.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]
# valid by the description, refused for what the state or a relation decides
NO_ACCEPTANCE = {
    "POST /api/v1/phone_number/request/internal/": (
        "whether the carrier has a number with that prefix"
    ),
    "POST /api/v1/sms_whitelist_request/": (
        "one open request per number; a website's host must be a dotted name"
    ),
    "GET /api/v1/usage/sms/": "date_end must be after date_start",
    "PUT /api/v1/activity/sms/{id}/": "only drafts can be edited",
    "GET /api/v1/lead/": "`query` is in a language: most strings are not sentences of it",
    # a phone must be a number that exists (libphonenumber's rules): a regular expression
    # would describe only a part of them
    "POST /api/v1/phone_number/": "`number` must be a valid phone number",
    "POST /api/v1/lead/": "`contacts[].phones[].phone` must be a valid phone number",
    "POST /api/v1/contact/": "`phones[].phone` must be a valid phone number",
    "PUT /api/v1/contact/{id}/": "`phones[].phone` must be a valid phone number",
}


def _toml(value: Any) -> str:
    return json.dumps(value)  # a JSON string or list is a TOML one too


def config(ids: dict[str, str]) -> str:
    """schemathesis.toml: real references in bodies, the statuses above."""
    # checks chosen here, not with --checks: that would override the per-operation choices
    lines = ["[checks]", "enabled = false"]
    for check in CHECKS:
        lines += [f"[checks.{check}]", "enabled = true"]
        if check == "positive_data_acceptance":
            lines.append(f"expected-statuses = {_toml(ACCEPTED)}")
    lines += [
        "[generation]",
        "allow-x00 = false",  # a NUL is refused everywhere (the description)
        # an HTTP server ignores a header it does not know, as it should
        "allow-extra-parameters = false",
        "[parameters]",
        *(
            f"{_toml(key)} = {_toml(value)}"
            for key, value in {
                "body.lead_id": ids["lead"],
                "body.contact_id": ids["contact"],
                "body.local_phone": ids["number"],
                "body.remote_phone": ids["phone"],
                "body.contacts[*].phones[*].phone": ids["phone"],
                "body.phones[*].phone": ids["phone"],
                "body.number": ids["phone"],
                "body.phone_number_id": ids["number_id"],
            }.items()
        ),
    ]
    for name, why in NO_ACCEPTANCE.items():
        lines += [
            "[[operations]]",
            f"include-name = {_toml(name)}",
            f"# {why}",
            "checks.positive_data_acceptance.enabled = false",
        ]
    for name, path_id in (
        ("GET /api/v1/lead/{id}/", ids["lead"]),
        ("PUT /api/v1/lead/{id}/", ids["lead"]),
        ("GET /api/v1/contact/{id}/", ids["contact"]),
        ("PUT /api/v1/contact/{id}/", ids["contact"]),
        ("GET /api/v1/phone_number/{id}/", ids["number_id"]),
        ("PUT /api/v1/phone_number/{id}/", ids["number_id"]),
        ("GET /api/v1/activity/sms/{id}/", ids["sms"]),
        # schemathesis reuses ids it reads in answers: a DELETE must not
        # remove what the bodies above refer to
        ("DELETE /api/v1/lead/{id}/", "lead_gone"),
        ("DELETE /api/v1/contact/{id}/", "cont_gone"),
        ("DELETE /api/v1/phone_number/{id}/", "phon_gone"),
        ("DELETE /api/v1/activity/sms/{id}/", "acti_gone"),
    ):
        lines += [
            "[[operations]]",
            f"include-name = {_toml(name)}",
            f'parameters = {{ "path.id" = {_toml(path_id)} }}',
        ]
    return "\n".join(lines) + "\n"


def _report(directory: Path) -> dict[str, Counter[str]]:
    """Per operation: cases run, and cases failing each check (from the NDJSON report)."""
    counts: dict[str, Counter[str]] = {}
    for path in directory.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            event = json.loads(line).get("ScenarioFinished")
            if not event:
                continue
            recorder = event.get("recorder") or {}
            if "label" not in recorder:
                continue
            tally = counts.setdefault(recorder["label"], Counter())
            for checks in recorder.get("checks", {}).values():
                tally["cases"] += 1
                for check in checks:
                    if check["status"] == "failure":
                        tally[check["name"]] += 1
    return counts


async def test_schemathesis_finds_no_500_and_the_description_agrees(tmp_path: Path) -> None:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("schemathesis is not installed")
    harness = await Harness.start(tmp_path)
    try:
        key = await harness.new_org()
        number = await harness.rent(key)
        phone = "+14155550190"
        lead = await harness.lead_with(key, phone)
        sms = await harness.send(key, lead, number["number"], "seed")
        ids = {
            "lead": lead["id"],
            "contact": lead["contacts"][0]["id"],
            "phone": phone,
            "number": number["number"],
            "number_id": number["id"],
            "sms": sms["id"],
        }
        (tmp_path / "schemathesis.toml").write_text(config(ids))
        examples = os.environ.get("SMSLAB_SCHEMATHESIS_EXAMPLES", "10")
        proc = await asyncio.create_subprocess_exec(
            binary,
            "--config-file",
            str(tmp_path / "schemathesis.toml"),
            "run",
            f"{harness.url}/api/v1/openapi.json",
            "--url",
            harness.url,
            "--max-examples",
            examples,
            "--workers",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            "1",
            "--continue-on-failure",
            "-H",
            f"Authorization: {aiohttp.encode_basic_auth(key, '')}",
            "--report",
            "ndjson",
            "--report-dir",
            str(tmp_path / "report"),
            "--no-color",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
        )
        output, _ = await asyncio.wait_for(proc.communicate(), 600)
        text = output.decode()
        counts = _report(tmp_path / "report")
        print("\nschemathesis cases per operation:")
        for label, tally in sorted(counts.items()):
            failed = {k: v for k, v in tally.items() if k != "cases"}
            print(f"  {label}: {tally['cases']}" + (f" failing {failed}" if failed else ""))
        print(f"  total: {sum(t['cases'] for t in counts.values())} cases")
        assert proc.returncode == 0, text[-8000:]
    finally:
        await harness.close()
