"""The hand-written date formats say exactly what the library calls they replaced say."""

import email.utils
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from telecom.wire import dlr_done_date, rfc2822

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
