"""Spam filters (simulator/engine/spam.py): content and history, added by the timeline,
and never for a whitelisted sender."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.engine.spam import SpamHistory
from simulator.scenario.carrier_model import SpamFilter
from tests.simulator.engine.carriers import SENDER, make_carrier, mobile, send_one


def test_a_spam_filter_added_at_30s_blocks_after_it_and_never_before() -> None:
    carrier = make_carrier(
        "timeline:\n  - at: 30\n    add_spam_filters: [{name: crypto, regex: '(?i)crypto'}]\n"
    )
    before = [send_one(carrier, mobile(i), f"Buy CRYPTO now {i}", now=i * 0.5) for i in range(60)]
    after = [
        send_one(carrier, mobile(i), f"Buy crypto now {i}", now=30 + i * 0.5) for i in range(60)
    ]
    clean = send_one(carrier, mobile(1), "See you at lunch", now=45)
    assert all(f.status == "delivered" for f in before)
    assert all(
        (f.status, f.error_code, f.cause) == ("undelivered", 30007, "spam:crypto") for f in after
    )
    assert clean.status == "delivered"


def test_history_filters_repeated_text_and_sender_velocity() -> None:
    carrier = make_carrier(
        "spam_filters:\n"
        "  - {name: repeats, duplicate: {count: 3, window: 60}}\n"
        "  - {name: shorteners, url_shorteners: [bit.ly]}\n"
    )
    repeats = [send_one(carrier, mobile(i), "Same words", now=i) for i in range(4)]
    assert [f.status for f in repeats] == ["delivered", "delivered", "undelivered", "undelivered"]
    assert (
        send_one(carrier, mobile(9), "Same words", now=200).status == "delivered"
    )  # window passed
    assert send_one(carrier, mobile(9), "see https://bit.ly/x1", now=300).cause == "spam:shorteners"
    assert send_one(carrier, mobile(9), "see https://notbit.ly/x1", now=301).status == "delivered"
    fast = make_carrier("spam_filters: [{name: burst, velocity: {count: 5, window: 1}}]\n")
    burst = [send_one(fast, mobile(i), f"note {i}", now=i * 0.1) for i in range(7)]
    assert [f.status for f in burst].count("undelivered") == 3


def test_a_whitelisted_sender_is_not_filtered() -> None:
    carrier = make_carrier("spam_filters: [{name: money, regex: '(?i)free money'}]\n")
    assert send_one(carrier, mobile(1), "free money").error_code == 30007
    carrier.numbers.by_phone[SENDER].whitelisted = True
    assert send_one(carrier, mobile(1), "free money").status == "delivered"


class _EveryKeySwept(SpamHistory):
    """The sweep forget_before replaced: a pass over every key, once a simulated minute."""

    def forget_before(self, horizon: float) -> None:
        if horizon - self._forgotten_at < 60.0:
            return
        self._forgotten_at = horizon
        for table in (self._by_body, self._by_sender):
            for key in list(table):
                times = table[key]
                while times and times[0] < horizon:
                    times.popleft()
                if not times:
                    del table[key]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=900), st.sampled_from("abcd"), st.sampled_from("xy")
        ),
        max_size=80,
    )
)
def test_forgetting_keeps_what_a_sweep_of_every_key_kept(
    steps: list[tuple[float, str, str]],
) -> None:
    filters = (SpamFilter(name="repeats", duplicate_count=3, window=7200.0),)
    new, old = SpamHistory(), _EveryKeySwept()
    now = 0.0
    for gap, body, sender in steps:
        now += gap  # the carrier's simulated time never goes back
        assert new.judge(filters, sender, body, now) == old.judge(filters, sender, body, now)
        new.forget_before(now - 3600.0)
        old.forget_before(now - 3600.0)
        assert dict(new._by_body) == dict(old._by_body)
        assert dict(new._by_sender) == dict(old._by_sender)
