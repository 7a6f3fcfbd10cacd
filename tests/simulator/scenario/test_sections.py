"""The scenario's lists (simulator/scenario/sections.py): accounts, carriers, handsets, spam
filters and failures, each problem with its line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario import loads
from tests.simulator.scenario.scenario_files import names_file_line_and_field, problems


def test_phone_numbers_are_stored_as_e164() -> None:
    scenario = loads("handsets: [{number: '+44 20 7183 8750', kind: landline}]\n")
    assert scenario.handsets[0].number == "+442071838750"


# Each bad case: the exact line, the field path, and words from the message.
BAD_CASES = [
    pytest.param(
        """
        spam_filters:
          - {name: one, regex: a}
          - {name: two, regex: b}
          - name: three
            regex: '(unclosed'
        """,
        5,
        "spam_filters[2].regex",
        "bad regex: missing ), unterminated subpattern",
        id="bad regex",
    ),
    pytest.param(
        """
        failures:
          - code: 30003
            rate: 1.5
        """,
        3,
        "failures[0].rate",
        "must be between 0 and 1, got 1.5",
        id="rate above 1",
    ),
    pytest.param(
        """
        seed: 2
        failures:
          - {code: 30003, rate: 0.6}
          - {code: 30005, rate: 0.5}
        """,
        3,
        "failures",
        "rates add up to 1.1, above 1",
        id="failure rates over 1",
    ),
    pytest.param(
        """
        failures:
          - {code: 30003, rate: 0.1}
          - {code: 30099, rate: 0.1}
        """,
        3,
        "failures[1].code",
        "unknown carrier error code 30099",
        id="unknown code",
    ),
    pytest.param(
        """
        spam_filters:
          - name: stop
            regex: STOP
            code: 21610
        """,
        4,
        "spam_filters[0].code",
        "21610 (Attempt to send to unsubscribed recipient) is answered at create",
        id="create code in a callback field",
    ),
    pytest.param(
        """
        carriers:
          - name: somewhere
            countries: [US, XX]
        """,
        3,
        "carriers[0].countries[1]",
        "'XX' is not an ISO 3166 alpha-2 region phonenumbers knows",
        id="bad country",
    ),
    pytest.param(
        """
        carriers:
          - {name: mixed-case, countries: [gb]}
        """,
        2,
        "carriers[0].countries[0]",
        "write 'GB'",
        id="lowercase country",
    ),
    pytest.param(
        """
        accounts:
          - sid: AC123
            auth_token: t
        """,
        2,
        "accounts[0].sid",
        "expected 'AC' followed by 32 hex digits, got 'AC123'",
        id="bad sid",
    ),
    pytest.param(
        """
        handsets:
          - {number: "+14155550100", kind: landline}
          - {number: "+14155550101", pattern: '\\+1', kind: mobile}
        """,
        3,
        "handsets[1]",
        "give exactly one of number, pattern, number_type (got number, pattern)",
        id="handset with two matchers",
    ),
    pytest.param(
        """
        handsets:
          - {number: "+1415555", kind: mobile}
        """,
        2,
        "handsets[0].number",
        "'+1415555' is not a valid phone number",
        id="invalid handset number",
    ),
    pytest.param(
        """
        handsets:
          - {number_type: pager, kind: landline}
        """,
        2,
        "handsets[0].number_type",
        "expected one of mobile, landline, fixed_or_mobile, voip, toll_free, other, got 'pager'",
        id="unknown number type",
    ),
    pytest.param(
        """
        handsets:
          - {number: "+14155550100", kind: fax}
        """,
        2,
        "handsets[0].kind",
        "expected one of mobile, voip, landline, non_sms, unreachable, unknown, opted_out",
        id="unknown handset kind",
    ),
    pytest.param(
        """
        spam_filters:
          - {name: both, regex: x, velocity: {count: 2}}
        """,
        2,
        "spam_filters[0]",
        "give exactly one of regex, url_shorteners, duplicate, velocity (got regex, velocity)",
        id="spam filter with two tests",
    ),
    pytest.param(
        """
        spam_filters:
          - {name: same, regex: x}
          - {name: same, url_shorteners: [bit.ly]}
        """,
        3,
        "spam_filters[1]",
        "duplicate spam filter 'same' (first at line 2)",
        id="duplicate filter name",
    ),
    pytest.param(
        """
        handsets:
          - number: "+14155550100"
            kind: mobile
            reply: {text: Yes}
        """,
        4,
        "handsets[0].reply.text",
        "expected text, got Yes (YAML reads it as a boolean: quote it)",
        id="unquoted yes as text",
    ),
    pytest.param(
        """
        accounts:
          - {sid: AC0123456789abcdef0123456789abcdef}
        """,
        2,
        "accounts[0].auth_token",
        "missing required key",
        id="missing token",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), BAD_CASES)
def test_a_bad_scenario_names_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    names_file_line_and_field(tmp_path, text, line, field, message)


def test_a_repeat_after_a_broken_item_keeps_its_own_index(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """
        spam_filters:
          - {name: a, regex: '['}
          - {name: b, regex: x}
          - {name: b, regex: y}
        """,
    )

    assert [(p.line, p.field) for p in found] == [
        (2, "spam_filters[0].regex"),
        (4, "spam_filters[2]"),
    ]
    assert "duplicate spam filter 'b' (first at line 3)" in found[1].message
