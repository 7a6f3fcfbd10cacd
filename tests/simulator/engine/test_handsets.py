"""Which handset a number reaches (simulator/engine/handsets.py): the scenario's rules,
the carriers' countries, then phonenumbers' type."""

from __future__ import annotations

import pytest

from simulator.errors import TwilioError
from tests.simulator.engine.carriers import make_carrier, send_one


def test_handsets_and_countries_by_rule_and_by_number_type() -> None:
    carrier = make_carrier(
        "carriers: [{name: na, countries: [US, CA]}]\n"
        "handsets:\n"
        "  - {number: '+14165550001', kind: unknown}\n"
        "  - {pattern: '\\+1416555000[2-3]', kind: non_sms}\n"
    )
    assert send_one(carrier, "+14165550001", "x").error_code == 30005
    assert send_one(carrier, "+14165550003", "x").error_code == 30006
    with pytest.raises(TwilioError) as caught:
        send_one(carrier, "+442071838750", "x")
    assert caught.value.code == 21408
    gb = make_carrier("handsets: []\n")
    assert send_one(gb, "+442071838750", "x").cause == "handset:landline"  # phonenumbers' type
    assert send_one(gb, "+447400123456", "x").status == "delivered"
