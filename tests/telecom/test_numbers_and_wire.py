from datetime import UTC, datetime

import pytest
from twilio.base import deserialize

import telecom
from telecom.errors import CATALOGUE, Reason, error_message, reason_for, reason_message
from telecom.numbers import InvalidNumber, NumberKind, country_of, number_kind, parse_e164
from telecom.wire import dlr_done_date, error_body, is_sid, new_sid, rfc2822


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("+1 (415) 555-0100", None, "+14155550100"),
        ("415-555-0100", "US", "+14155550100"),
        ("020 7183 8750", "GB", "+442071838750"),
        ("+61 412 345 678", None, "+61412345678"),
    ],
)
def test_parse_e164(text: str, region: str | None, e164: str) -> None:
    assert parse_e164(text, region) == e164


@pytest.mark.parametrize("text", ["", "   ", "hello", "+1555", "415-555-0100", "+999123"])
def test_invalid_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_e164(text)


def test_country_and_kind() -> None:
    assert country_of("+442071838750") == "GB"
    assert number_kind("+442071838750") is NumberKind.LANDLINE
    assert number_kind("+61412345678") is NumberKind.MOBILE
    assert number_kind("+14155550100") is NumberKind.FIXED_OR_MOBILE
    assert country_of("nonsense") is None


def test_rfc2822_dates_parse_in_the_sdk() -> None:
    moment = datetime(2026, 11, 27, 5, 1, 45, tzinfo=UTC)
    text = rfc2822(moment)
    assert text == "Fri, 27 Nov 2026 05:01:45 +0000"
    assert deserialize.rfc2822_datetime(text) == moment
    assert dlr_done_date(moment) == "2611270501"


def test_sids() -> None:
    sid = new_sid("SM")
    assert is_sid(sid, "SM") and sid == sid.lower().replace("sm", "SM", 1)
    assert not is_sid("SM123", "SM")
    with pytest.raises(ValueError, match="32 hex"):
        new_sid("SM", "xyz")


def test_error_body_is_what_the_sdk_reads_as_a_rest_exception() -> None:
    body = error_body(21211, "bad To", 400)
    assert set(body) == {"code", "message", "more_info", "status"}
    assert body["more_info"].endswith("/21211")


def test_catalogue_reasons_and_messages() -> None:
    assert reason_for(30006) is Reason.LANDLINE
    assert reason_for(30007) is Reason.SPAM
    assert reason_for(21408) is Reason.UNSUPPORTED_COUNTRY
    assert reason_for(12345) is Reason.UNKNOWN
    assert reason_for(None) is Reason.UNKNOWN
    assert "landline" in reason_message(Reason.LANDLINE)
    assert all(reason_message(reason) for reason in Reason)
    assert all(entry.code == code for code, entry in CATALOGUE.items())


def test_a_code_has_words_of_its_own_where_its_reasons_would_be_wrong() -> None:
    assert reason_for(21606) is Reason.INVALID_SENDER
    assert error_message(21606) == "The From number is not an SMS-capable number of this account"
    assert reason_for(21266) is Reason.INVALID_NUMBER
    assert "sending number itself" in error_message(21266)
    assert error_message(30006) == reason_message(Reason.LANDLINE)  # the reason's fit
    assert error_message(30008) == reason_message(Reason.UNKNOWN)
    assert error_message(39999) == error_message(None) == reason_message(Reason.UNKNOWN)


def test_exported_names_exist() -> None:
    assert all(hasattr(telecom, name) for name in telecom.__all__)


@pytest.mark.parametrize("value", [None, 14155550100, ["+14155550100"], {"a": 1}, 1.5])
def test_non_strings_are_invalid_numbers_not_crashes(value: object) -> None:
    with pytest.raises(InvalidNumber):
        parse_e164(value)
