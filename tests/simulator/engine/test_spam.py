"""Spam filters (simulator/engine/spam.py): content and history, added by the timeline,
and never for a whitelisted sender."""

from __future__ import annotations

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
