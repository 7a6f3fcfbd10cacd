"""A status callback's form: urllib.parse.urlencode against telecom.wire.encode_form, in
process (best of 5 repeats of 20,000).

    .venv/bin/python loadtests/micro/encode_form.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from telecom.wire import encode_form

SID = "SM" + "1" * 32
FORM = {
    "MessageSid": SID,
    "SmsSid": SID,
    "MessageStatus": "delivered",
    "SmsStatus": "delivered",
    "AccountSid": "AC" + "a" * 32,
    "From": "+14155550100",
    "To": "+14165550199",
    "ApiVersion": "2010-04-01",
    "RawDlrDoneDate": "2612020405",
}


def main() -> None:
    assert encode_form(FORM) == urlencode(FORM)
    encoders: tuple[Callable[[Mapping[str, str]], str], ...] = (urlencode, encode_form)
    for encode in encoders:
        best = min(timeit.repeat(lambda e=encode: e(FORM), number=20000, repeat=5)) / 20000
        print(f"{encode.__name__:12} {best * 1e6:5.1f} us a form")


if __name__ == "__main__":
    main()
