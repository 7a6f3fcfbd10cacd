"""The recipient's keywords: one list for the gateway and the simulated carrier."""

from __future__ import annotations

import pytest

from simulator.engine import carrier as simulated
from telecom.keywords import (
    HELP_WORDS,
    OPT_IN_WORDS,
    OPT_OUT_WORDS,
    Keyword,
    keyword_of,
    normalized,
    opt_out_type,
)


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ("STOP", Keyword.OPT_OUT),
        (" stop ", Keyword.OPT_OUT),
        ("Stop.", Keyword.OPT_OUT),
        ("unsubscribe", Keyword.OPT_OUT),
        ("STOPALL", Keyword.OPT_OUT),
        ("stop  all", Keyword.OPT_OUT),
        ("cancel", Keyword.OPT_OUT),
        ("END", Keyword.OPT_OUT),
        ("quit", Keyword.OPT_OUT),
        ("revoke", Keyword.OPT_OUT),
        ("opt out", Keyword.OPT_OUT),
        ("OPTOUT!", Keyword.OPT_OUT),
        ("START", Keyword.OPT_IN),
        ("unstop", Keyword.OPT_IN),
        ("yes", Keyword.OPT_IN),
        ("HELP", Keyword.HELP),
        ("info", Keyword.HELP),
        ("Help!", Keyword.HELP),
        ("please stop texting me", None),
        ("Yes please", None),
        ("help me", None),
        ("", None),
    ],
)
def test_only_the_whole_trimmed_body_is_a_keyword(body: str, keyword: Keyword | None) -> None:
    assert keyword_of(body) == keyword


def test_twilios_default_lists() -> None:
    assert {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"} <= OPT_OUT_WORDS
    assert {"START", "YES", "UNSTOP"} == OPT_IN_WORDS
    assert {"HELP", "INFO"} == HELP_WORDS
    assert not (
        OPT_OUT_WORDS & OPT_IN_WORDS or OPT_OUT_WORDS & HELP_WORDS or OPT_IN_WORDS & HELP_WORDS
    )


def test_the_simulator_keeps_no_list_of_its_own() -> None:
    # it used to, and its list lacked REVOKE, "STOP ALL" and "OPT OUT"
    assert "OPT_OUT_WORDS" not in vars(simulated)
    assert vars(simulated)["keyword_of"] is keyword_of


def test_opt_out_type_is_twilios_webhook_parameter() -> None:
    assert [k.value for k in Keyword] == ["STOP", "START", "HELP"]
    assert opt_out_type("STOP") is Keyword.OPT_OUT
    assert opt_out_type("help") is Keyword.HELP
    assert opt_out_type("") is None and opt_out_type(None) is None
    assert opt_out_type("MAYBE") is None


def test_normalized_is_the_word_recorded() -> None:
    assert normalized("  Stop   all. ") == "STOP ALL"
