"""The hand-written date and form formats say exactly what the library calls they replaced say."""

import email.utils
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from telecom.wire import dlr_done_date, encode_form, rfc2822

_MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.just(UTC)
)
_ZONES = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(_MOMENTS, _ZONES)
def test_rfc2822_is_email_utils_format_datetime_in_gmt(moment: datetime, zone: timezone) -> None:
    local = moment.astimezone(zone)
    expected = email.utils.format_datetime(moment).replace("-0000", "+0000")
    assert rfc2822(local) == rfc2822(moment) == expected


@given(_MOMENTS, _ZONES)
def test_dlr_done_date_is_strftime_in_utc(moment: datetime, zone: timezone) -> None:
    assert dlr_done_date(moment.astimezone(zone)) == moment.strftime("%y%m%d%H%M")


@given(st.dictionaries(st.text(), st.text()))
def test_encode_form_is_urlencode(params: dict[str, str]) -> None:
    assert encode_form(params) == urlencode(params)


def test_encode_form_quotes_what_a_callback_carries() -> None:
    form = {"From": "+14155550100", "Body": "Hi & bye 100% é", "ApiVersion": "2010-04-01"}
    assert encode_form(form) == urlencode(form)
    assert encode_form(form).startswith("From=%2B14155550100&Body=Hi+%26+bye+100%25+%C3%A9&")
